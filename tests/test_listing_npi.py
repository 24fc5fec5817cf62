"""A practitioner gives their NPI on the listing form: checked (check digit, one listing per NPI), reviewed like
any edit of a published listing, never shown to patients."""

import pytest
from django.urls import reverse

from directory.models import Practitioner
from practice.models import Revision
from tests.factories import PractitionerFactory, listing_form_data, owned_listing

pytestmark = pytest.mark.django_db

NPI = "1245319599"


def test_a_new_listing_keeps_the_npi_given_without_its_spaces(owner_client, owner):
    response = owner_client.post(reverse("practice:new"), listing_form_data(npi="1245 3195 99"))

    assert response.status_code == 302
    assert Practitioner.objects.get(owner=owner).npi == NPI


@pytest.mark.parametrize("typed", ["1245319598", "12345", "abcdefghij"])
def test_an_npi_with_a_wrong_check_digit_or_shape_is_a_field_error(owner_client, typed):
    response = owner_client.post(reverse("practice:new"), listing_form_data(npi=typed))

    assert response.status_code == 400
    assert "valid check digit" in response.context["form"].errors["npi"][0]


def test_an_npi_another_listing_has_points_to_claiming_it(owner_client):
    PractitionerFactory(npi=NPI)

    response = owner_client.post(reverse("practice:new"), listing_form_data(npi=NPI))

    assert response.status_code == 400
    assert "claim that listing instead" in response.context["form"].errors["npi"][0]


def test_a_published_listing_keeps_its_own_npi_and_a_new_one_waits_for_review(owner_client, owner, client):
    listing = owned_listing(owner, npi=NPI, bio="Old bio.")
    url = reverse("practice:edit", args=[listing.pk])

    assert owner_client.post(url, listing_form_data(listing, npi=NPI, bio="Old bio.")).status_code == 302
    assert owner_client.post(url, listing_form_data(listing, npi="1234567893", bio="Old bio.")).status_code == 302

    listing.refresh_from_db()
    assert listing.npi == NPI
    assert Revision.objects.pending().get(practitioner=listing).proposed["practitioner"]["npi"] == "1234567893"
    assert NPI not in client.get(listing.get_absolute_url()).content.decode()
