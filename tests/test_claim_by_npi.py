"""Claiming a listing seeded from the NPI registry: found by the practitioner's NPI, claimed for a moderator to
review (NPIs are public: a matching NPI alone never hands a listing over), and never shown to patients meanwhile."""

import pytest
from django.urls import reverse

from directory.models import Practitioner
from practice.models import Claim
from tests.factories import LocationFactory, PractitionerFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db

NPI = "1245319599"  # a valid check digit (directory.npi)
LOOKUP = reverse("practice:claim_by_npi")


@pytest.fixture
def seeded() -> Practitioner:
    """An unpublished listing import_nppes made, that nobody manages."""
    listing = PractitionerFactory(
        name="Jane Q Smith", email="", status=Practitioner.Status.PENDING, npi=NPI,
        registry_values={"practitioner": {"name": "Jane Q Smith"}, "location": {"id": None}},
    )  # fmt: skip
    LocationFactory(practitioner=listing, city="Boston", address_line1="1 Registry Road")
    return listing


def test_a_practitioner_finds_their_registry_listing_by_npi_and_claims_it_for_review(owner_client, owner, seeded):
    response = owner_client.post(LOOKUP, {"npi": "1245 3195 99"})

    claim_url = reverse("practice:claim", kwargs={"pk": seeded.pk, "slug": seeded.slug})
    assert response["Location"] == f"{claim_url}?npi={NPI}"
    page = owner_client.get(response["Location"]).content.decode()
    assert "from the national NPI registry" in page and "1 Registry Road" in page
    assert f'value="{NPI}"' in page  # the NPI carried into the claim

    owner_client.post(claim_url, {"note": "It is me.", "npi": NPI})

    claim = Claim.objects.get()
    assert (claim.practitioner, claim.claimant, claim.npi, claim.status) == (seeded, owner, NPI, Claim.Status.PENDING)
    seeded.refresh_from_db()
    assert seeded.owner is None and seeded.status == Practitioner.Status.PENDING


def test_an_unknown_npi_says_so_and_offers_to_list_the_practice(owner_client):
    response = owner_client.post(LOOKUP, {"npi": "1234567893"})

    assert response.status_code == 404
    page = response.content.decode()
    assert "No listing you can claim has this NPI" in page
    assert reverse("practice:new") in page


@pytest.mark.parametrize(
    "typed", ["123", "1245319598", "<b>1245319599</b>", "".join(chr(0xFF10 + int(digit)) for digit in NPI)]
)
def test_a_wrong_npi_is_a_field_error(owner_client, typed):
    response = owner_client.post(LOOKUP, {"npi": typed})

    assert response.status_code == 400
    assert "valid check digit" in response.content.decode()
    assert "<b>1245319599</b>" not in response.content.decode()


def test_a_registry_listing_someone_manages_is_not_found_again(owner_client, seeded):
    Practitioner.objects.filter(pk=seeded.pk).update(owner=UserFactory(email="jane@example.com"))

    assert owner_client.post(LOOKUP, {"npi": NPI}).status_code == 404
    claim_url = reverse("practice:claim", kwargs={"pk": seeded.pk, "slug": seeded.slug})
    assert owner_client.get(claim_url).status_code == 404


def test_an_unpublished_listing_a_practitioner_made_cannot_be_claimed(owner_client):
    listing = owned_listing(UserFactory(email="maker@example.com"), status=Practitioner.Status.PENDING)
    claim_url = reverse("practice:claim", kwargs={"pk": listing.pk, "slug": listing.slug})

    assert owner_client.get(claim_url).status_code == 404


def test_a_registry_listing_never_reaches_patients_nor_the_review_queue_until_claimed(client, seeded, desk_moderator):
    assert client.get(seeded.get_absolute_url()).status_code == 404
    assert client.get(reverse("api:practitioner-list"), {"near": "02108"}).json()["count"] == 0
    client.force_login(desk_moderator)
    assert "Listings awaiting review: 0" in client.get(reverse("admin:index")).content.decode()


def test_the_lookup_is_rate_limited(owner_client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "npi_lookup": "2/h/user"}
    for _ in range(2):
        owner_client.post(LOOKUP, {"npi": "1234567893"})

    assert owner_client.post(LOOKUP, {"npi": NPI}).status_code == 429


def test_strangers_are_sent_to_sign_in(client):
    response = client.get(LOOKUP)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
