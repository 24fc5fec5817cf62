"""Photos to approve on the desk: their own kind in the queue, the pending photo beside those patients see now, the
decisions (approve, reject with a reason), each audited and e-mailed to the owner; and who may."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from directory.models import Photo
from moderation.models import AuditEntry
from tests.factories import UserFactory, owned_listing, stored_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(desk_moderator) -> Client:
    client = Client()
    client.force_login(desk_moderator)
    return client


@pytest.fixture
def listing(owner):
    return owned_listing(owner, name="Dr. Ada Atlas")


@pytest.fixture
def portrait(listing) -> Photo:
    return stored_photo(listing, status=Photo.Status.PENDING, alt_text="Dr. Atlas, smiling", color="navy")


def change_url(photo) -> str:
    return reverse("admin:directory_photo_change", args=[photo.pk])


def decide_url(photo, decision: str) -> str:
    return reverse("admin:directory_photo_decide", args=[photo.pk, decision])


def test_photos_to_approve_are_their_own_kind_in_the_queue(moderator_client, portrait):
    page = moderator_client.get(reverse("admin:index")).content.decode()

    assert "Photos to approve: 1" in page
    assert change_url(portrait) in page


def test_a_pending_portrait_is_shown_beside_the_current_one(moderator_client, listing, portrait):
    current = stored_photo(listing, alt_text="Dr. Atlas in 2019", color="red")

    response = moderator_client.get(change_url(portrait))

    page = response.content.decode()
    assert f'src="{portrait.url_card}"' in page and f'src="{current.url_card}"' in page
    assert "Awaiting review: Dr. Atlas, smiling" in page and "Shown now: Dr. Atlas in 2019" in page
    assert moderator_client.get(portrait.url_card).status_code == 200  # the desk sees the file it decides on
    assert [decision.name for decision in response.context["decisions"]] == ["approve", "reject"]


def test_a_location_photo_is_shown_beside_that_locations_approved_photos_only(moderator_client, listing):
    location = listing.locations.get()
    pending = stored_photo(listing, location=location, status=Photo.Status.PENDING, alt_text="New room")
    shown = stored_photo(listing, location=location, alt_text="Front door", color="red")
    portrait = stored_photo(listing, alt_text="Dr. Atlas", color="blue")

    page = moderator_client.get(change_url(pending)).content.decode()

    assert shown.url_card in page and portrait.url_card not in page


def test_a_first_photo_says_nothing_is_shown_there_now(moderator_client, portrait):
    assert "Nothing is shown there now." in moderator_client.get(change_url(portrait)).content.decode()


def test_approving_shows_the_portrait_tells_the_owner_and_is_audited(
    client, moderator_client, portrait, desk_moderator, sent
):
    with sent():
        response = moderator_client.post(decide_url(portrait, "approve"))

    assert response.status_code == 302
    portrait.refresh_from_db()
    assert (portrait.status, portrait.decided_by) == (Photo.Status.APPROVED, desk_moderator)
    [email] = mail.outbox
    assert email.to == ["owner@example.com"]
    assert "approved the portrait you uploaded" in email.body
    assert f"https://directory.example/practice/{portrait.practitioner_id}/photos/" in email.body
    assert "because your account manages this listing" in email.body
    assert not email.alternatives  # plain text
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.practitioner, entry.actor) == ("photo_approved", portrait.practitioner, desk_moderator)
    assert portrait.url_thumb in client.get(reverse("directory:search"), {"near": "02108"}).content.decode()


def test_approving_a_portrait_replaces_the_previous_one(moderator_client, listing, portrait, media_files, sent):
    previous = stored_photo(listing, alt_text="Dr. Atlas in 2019", color="red")

    with sent():
        moderator_client.post(decide_url(portrait, "approve"))

    assert list(Photo.objects.all()) == [portrait]
    assert not any((media_files / name).exists() for name in previous.file_names)


def test_rejecting_tells_the_owner_why_and_is_audited(moderator_client, portrait, sent):
    with sent():
        moderator_client.post(decide_url(portrait, "reject"), {"text": "This is a logo, not a portrait."})

    portrait.refresh_from_db()
    assert (portrait.status, portrait.reason) == (Photo.Status.REJECTED, "This is a logo, not a portrait.")
    [email] = mail.outbox
    assert "The reason given: This is a logo, not a portrait." in email.body
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.reason) == ("photo_rejected", "This is a logo, not a portrait.")


def test_rejecting_without_a_reason_asks_for_one(moderator_client, portrait):
    response = moderator_client.post(decide_url(portrait, "reject"), {"text": "  "}, follow=True)

    assert "write the reason for rejecting first" in response.content.decode()
    portrait.refresh_from_db()
    assert portrait.status == Photo.Status.PENDING


def test_a_photo_is_decided_once(moderator_client, portrait, sent):
    with sent():
        moderator_client.post(decide_url(portrait, "approve"))
        response = moderator_client.post(decide_url(portrait, "reject"), {"text": "Too late"}, follow=True)

    assert "can no longer be decided that way" in response.content.decode()
    portrait.refresh_from_db()
    assert portrait.status == Photo.Status.APPROVED
    assert len(mail.outbox) == 1


def test_after_deciding_the_desk_opens_the_next_photo_waiting(moderator_client, listing, portrait):
    following = stored_photo(listing, location=listing.locations.get(), status=Photo.Status.PENDING, color="red")

    response = moderator_client.post(decide_url(portrait, "approve"))

    assert response["Location"] == change_url(following)


@pytest.mark.parametrize("who", ["anonymous", "owner", "staff not moderator"])
def test_only_moderators_reach_the_desks_photo_pages(client, portrait, owner, who):
    if who == "owner":
        client.force_login(owner)
    elif who == "staff not moderator":
        client.force_login(UserFactory(email="staff@example.com", is_staff=True))

    assert client.get(change_url(portrait)).status_code in (302, 403)
    client.post(decide_url(portrait, "approve"))
    portrait.refresh_from_db()
    assert portrait.status == Photo.Status.PENDING


def test_the_desk_cannot_add_or_delete_photos(moderator_client, portrait):
    assert moderator_client.get(reverse("admin:directory_photo_add")).status_code == 403
    assert moderator_client.post(reverse("admin:directory_photo_delete", args=[portrait.pk])).status_code == 403
