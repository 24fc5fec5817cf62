"""A patient and a practitioner in Spanish (/es/) and in Canadian French (/fr-ca/), in Chromium at 360 px: search from
the home page, read the results, open a profile, switch language keeping the place, and sign up; each page in its
language (<html lang>, its words from the catalogue, axe clean). The words are looked up in the catalogue (the
test does not restate the translations) and must differ from the English."""

import re

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts.models import User
from directory.models import Technique
from tests.factories import practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
PASSWORD = "atlas-axis-2026!"
LANGUAGES = [
    ("es", "/es", "es", "Knee Chest (rodilla-pecho)"),
    ("fr-ca", "/fr-ca", "fr-CA", "Knee Chest (genou-poitrine)"),
]
# English and Spanish as a sentence in each language names them: lower case, unlike a list's options.
SPOKEN = {"es": "habla inglés, español.", "fr-ca": "parle anglais, espagnol."}


def words(language: str, *english: str) -> list[str]:
    """The catalogue's translation of each English string, checked to be one."""
    with translation.override(language):
        translated = [gettext(text) for text in english]
    for text, its in zip(english, translated, strict=True):
        assert its != text, f"{text!r} is not translated into {language}"
    return translated


@pytest.mark.parametrize(("language", "prefix", "tag", "knee_chest"), LANGUAGES)
def test_a_patient_searches_reads_a_profile_and_switches_language_keeping_the_search(
    open_page, axe, screenshots, techniques, language, prefix, tag, knee_chest
):
    practitioner = practitioner_at(
        *destination(BOSTON, 2.5),
        techniques=[Technique.objects.get(slug="knee-chest")],
        name="Dr. Lucía Atlas",
        languages="en es",
    )
    place, search = words(language, "ZIP code, postal code or city", "Search")

    page = open_page(f"{prefix}/", viewport=PHONE, is_mobile=True)
    assert page.evaluate("document.documentElement.lang") == tag
    assert axe(page) == []
    page.get_by_label(place).fill("02108")
    page.get_by_role("button", name=search, exact=True).click()
    expect(page).to_have_url(re.compile(rf"{prefix}/search/\?.*near=02108"))
    results = page.locator("#results .result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(knee_chest)
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=screenshots / f"search-{language}-360.png", full_page=True)

    results.first.get_by_role("link", name=practitioner.display_name).click()
    expect(page).to_have_url(re.compile(rf"{prefix}{practitioner.get_absolute_url()}(\?|$)"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dr. Lucía Atlas")
    assert page.evaluate("document.documentElement.lang") == tag
    expect(page.locator("main")).to_contain_text(knee_chest)
    expect(page.locator("main .languages")).to_contain_text(SPOKEN[language])
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.go_back()
    [language_nav] = words(language, "Language")
    page.get_by_role("navigation", name=language_nav).get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/search/\?.*near=02108"))
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.get_by_label("ZIP code, postal code or city")).to_have_value("02108")
    expect(page.locator("#results .result")).to_have_count(1)
    assert page.errors == []


def test_french_distances_use_a_decimal_comma(open_page, techniques):
    practitioner_at(*destination(BOSTON, 2.5), name="Dr. Near")
    page = open_page("/fr-ca/search/?near=02108&unit=km", java_script_enabled=False)
    expect(page.locator("#results .result").first).to_contain_text("2,5 km")


@pytest.mark.parametrize(("language", "prefix", "tag", "knee_chest"), LANGUAGES)
def test_a_practitioner_signs_up_in_their_language_and_is_written_to_in_it(
    open_page, axe, techniques, language, prefix, tag, knee_chest
):
    [sign_up] = words(language, "Sign up")
    page = open_page(f"{prefix}/accounts/signup/", viewport=PHONE)
    assert page.evaluate("document.documentElement.lang") == tag
    expect(page.get_by_role("heading", level=1)).to_have_text(sign_up)
    page.locator("input[name=email]").fill("lucia@example.com")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    assert axe(page) == []
    page.get_by_role("button", name=sign_up).click()
    expect(page).to_have_url(re.compile(rf"{prefix}/accounts/confirm-email/"))
    assert page.evaluate("document.documentElement.lang") == tag
    assert axe(page) == []
    assert User.objects.get(email="lucia@example.com").language == language
    [message] = mail.outbox
    confirm_url = re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    assert f"{prefix}/accounts/confirm-email/" in confirm_url
    [subject] = words(language, "Confirm your e-mail address")
    assert subject in message.subject
    page.goto(confirm_url)
    assert page.evaluate("document.documentElement.lang") == tag
    assert axe(page) == []
    assert page.errors == []
