"""Languages and payment in a real browser: a practitioner says they speak Spanish and how patients can pay, a
moderator approves the edit from the diff, and a patient who searches for a Spanish speaker finds the card and the
profile that say so; with and without JavaScript, at 360 px, through axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from practice.models import Revision
from tests.factories import UserFactory, owned_listing, practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_practitioner_adds_spanish_a_moderator_approves_and_a_patient_searching_in_spanish_finds_them(
    open_page, axe, screenshots, techniques, desk_moderator
):
    owner = UserFactory(email="ana@example.com")
    listing = owned_listing(owner, name="Dr. Ana Soto", bio="NUCCA care for the whole family.")
    practitioner_at(*destination(BOSTON, 1), name="Dr. Only English", languages="en")

    page = open_page(reverse("practice:edit", args=[listing.pk]), user=owner)
    languages = page.get_by_role("group", name="Languages spoken")
    languages.get_by_label("Spanish").check()
    languages.get_by_label("English").check()
    payment = page.get_by_role("group", name="Payment")
    payment.get_by_label("Insurance plans accepted").fill("Aetna\nMedicare")
    payment.get_by_label("HSA or FSA cards").check()
    payment.get_by_label("First visit fee (optional)").fill("80")
    assert axe(page) == []
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    revision = Revision.objects.pending().get(practitioner=listing)

    desk = open_page(f"/admin/practice/revision/{revision.pk}/change/", user=desk_moderator)
    diff = desk.locator(".diff")
    expect(diff).to_contain_text("English, Spanish")
    expect(diff).to_contain_text("$80")
    desk.get_by_role("region", name="Decide").get_by_role("button", name="Approve").click()
    expect(desk.locator(".messagelist")).to_contain_text("Approve: done for")

    patient = open_page("/", viewport=PHONE, is_mobile=True)
    patient.get_by_label("ZIP code, postal code or city").fill("02108")
    patient.get_by_label("Language spoken").select_option(label="Spanish")
    patient.get_by_role("button", name="Search").click()
    results = patient.locator("#results .result")
    expect(results).to_have_count(1)  # not Dr. Only English, who is nearer
    expect(results.first.locator(".languages")).to_have_text("Speaks English, Spanish")
    expect(results.first.locator(".bio")).to_have_text("NUCCA care for the whole family.")
    expect(patient.get_by_label("Language spoken")).to_have_value("es")
    assert axe(patient) == []
    assert patient.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    patient.screenshot(path=screenshots / "search-spanish-360.png", full_page=True)
    results.first.get_by_role("link", name=listing.display_name).click()
    expect(patient.locator(".languages")).to_have_text(f"{listing.display_name} speaks English, Spanish.")
    expect(patient.locator(".payment")).to_contain_text("Aetna")
    expect(patient.locator(".payment")).to_contain_text("HSA or FSA cards")
    expect(patient.locator(".payment")).to_contain_text("$80")
    assert axe(patient) == []
    assert patient.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.errors == desk.errors == patient.errors == []


def test_the_language_filter_works_without_javascript_and_an_unknown_code_is_an_error_beside_it(open_page):
    practitioner_at(*destination(BOSTON, 2), name="Dr. Parle Francais", languages="fr")
    practitioner_at(*destination(BOSTON, 1), name="Dr. Only English", languages="en")
    page = open_page("/", java_script_enabled=False, viewport=PHONE)
    page.get_by_label("ZIP code, postal code or city").fill("02108")
    page.get_by_label("Language spoken").select_option(label="French")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results .result")).to_have_count(1)
    expect(page.locator("#results .result h3")).to_have_text("Dr. Parle Francais, DC")

    wrong = open_page("/search/?near=02108&language=xx", java_script_enabled=False)
    expect(wrong.get_by_label("Language spoken")).to_have_attribute("aria-invalid", "true")
    expect(wrong.locator("#language-errors")).to_contain_text("Unknown language: xx")


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_on_a_phone_the_less_common_languages_are_folded_and_open_by_keyboard(open_page, axe, techniques, javascript):
    owner = UserFactory(email="nora@example.com")
    listing = owned_listing(owner, name="Dr. Nora Begay")
    page = open_page(
        reverse("practice:edit", args=[listing.pk]), user=owner, viewport=PHONE, is_mobile=True,
        java_script_enabled=javascript,
    )  # fmt: skip
    languages = page.get_by_role("group", name="Languages spoken")
    expect(languages.get_by_label("Spanish")).to_be_visible()
    expect(languages.get_by_label("Navajo")).to_be_hidden()
    if javascript:
        assert axe(page) == []
    languages.get_by_text("More languages").focus()
    page.keyboard.press("Enter")
    expect(languages.get_by_label("Navajo")).to_be_visible()
    languages.get_by_label("Navajo").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if javascript:
        assert axe(page) == []
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    assert "nv" in Revision.objects.pending().get(practitioner=listing).proposed["practitioner"]["languages"]
