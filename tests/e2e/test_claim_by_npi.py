"""Claiming a listing seeded from the NPI registry, in a real browser: found by NPI, claimed for review, with
and without JavaScript, at a phone's width and through axe-core."""

import pytest
from playwright.sync_api import expect

from directory.models import Practitioner
from practice.models import Claim
from tests.factories import LocationFactory, PractitionerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NPI = "1245319599"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def seeded(techniques) -> Practitioner:
    listing = PractitionerFactory(
        name="Dr. Jane Q. Smith", email="", status=Practitioner.Status.PENDING, npi=NPI,
        registry_values={"practitioner": {"name": "Dr. Jane Q. Smith"}, "location": {"id": None}},
    )  # fmt: skip
    LocationFactory(practitioner=listing, address_line1="1 Registry Road", city="Boston")
    return listing


@pytest.mark.parametrize("javascript", [True, False])
def test_a_practitioner_finds_their_listing_by_npi_and_sends_a_claim(open_page, axe, seeded, javascript):
    owner = UserFactory(email="jane@example.com")
    page = open_page("/practice/", user=owner, viewport=PHONE, java_script_enabled=javascript)
    page.get_by_role("link", name="find it by your NPI").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Find your listing by NPI")
    assert not javascript or axe(page) == []  # axe is a script: it runs where scripts do
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("Your NPI").fill("1245 3195 99")
    page.get_by_role("button", name="Find my listing").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Is Dr. Jane Q. Smith, DC your practice?")
    expect(page.get_by_text("1 Registry Road")).to_be_visible()
    expect(page.get_by_label("NPI (optional)")).to_have_value(NPI)
    assert not javascript or axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("How can we tell this is your practice?").fill("My licence is MA 1234.")
    page.get_by_role("button", name="Send the claim for review").click()

    expect(page.get_by_role("heading", name="Claims in progress")).to_be_visible()
    claim = Claim.objects.get()
    assert (claim.practitioner_id, claim.claimant_id, claim.npi) == (seeded.pk, owner.pk, NPI)


def test_an_npi_nobody_has_says_so_beside_the_field(open_page, axe, seeded):
    page = open_page("/practice/claim/", user=UserFactory(email="jane@example.com"), viewport=PHONE)
    page.get_by_label("Your NPI").fill("1234567893")
    page.get_by_role("button", name="Find my listing").click()

    expect(page.locator("#id_npi_errors")).to_contain_text("No listing you can claim has this NPI")
    expect(page.get_by_role("link", name="List a practice")).to_be_visible()
    assert axe(page) == []
