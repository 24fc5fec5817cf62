"""The files of deleted photos and training records go once the deletion commits, however the rows went; the
search grid's signals are tested in test_grid.py."""

import pytest
from django.db import transaction

from directory.models import Location, Photo, Training
from tests.factories import TrainingFactory, UserFactory, owned_listing, stored_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(db):
    return owned_listing(UserFactory(), name="Dr. Ada Atlas")


def test_a_listing_deleted_as_the_admin_deletes_it_takes_its_photo_and_evidence_files(
    listing, media_files, private_files, sent
):
    portrait = stored_photo(listing, color="red")
    gallery = stored_photo(listing, location=listing.locations.get(), color="blue")
    evidence = private_files / TrainingFactory(practitioner=listing).evidence.name
    assert evidence.exists()

    with sent():
        listing.delete()

    assert not Photo.objects.exists() and not Training.objects.exists()
    assert not any((media_files / name).exists() for name in portrait.file_names + gallery.file_names)
    assert not evidence.exists()


def test_a_location_deleted_in_bulk_as_an_import_deletes_it_takes_its_photos_files(listing, media_files, sent):
    location = listing.locations.get()
    photo = stored_photo(listing, location=location, color="green")

    with sent():
        Location.objects.filter(pk=location.pk).delete()

    assert not any((media_files / name).exists() for name in photo.file_names)


def test_a_deletion_rolled_back_keeps_the_files(listing, media_files, private_files, sent):
    photo = stored_photo(listing, color="red")
    evidence = private_files / TrainingFactory(practitioner=listing).evidence.name

    with sent(), pytest.raises(RuntimeError), transaction.atomic():
        listing.delete()
        raise RuntimeError("the request failed after the delete")

    assert Photo.objects.filter(pk=photo.pk).exists()
    assert all((media_files / name).exists() for name in photo.file_names)
    assert evidence.exists()


def test_a_file_another_listings_photo_uses_stays(listing, media_files, sent):
    photo = stored_photo(listing, color="red")
    other = stored_photo(owned_listing(UserFactory()), color="red")
    assert photo.file_names == other.file_names

    with sent():
        listing.delete()

    assert all((media_files / name).exists() for name in other.file_names)
