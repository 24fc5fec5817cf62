"""A patient asks a practitioner a question from the profile, in a real browser: with and without JavaScript, by
keyboard alone, on a 360-pixel phone, each page passing axe."""

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from practice.models import PatientMessage
from tests.factories import UserFactory, owned_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The focused element's ring: an outline or a box-shadow, whichever the stylesheet draws.
FOCUS_RING = """() => {
  const style = getComputedStyle(document.activeElement);
  return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
}"""


@pytest.fixture
def listing(techniques):
    owner = UserFactory(email="owner@example.com")
    return owned_listing(owner, name="Dr. Ada Atlas", email="ada@clinic.example")


def fill_and_send(page) -> None:
    page.get_by_label("Your name").fill("Pat Patient")
    page.get_by_label("Your e-mail").fill("pat@patient.example")
    page.get_by_label("Best time to reach you").select_option("evening")
    page.get_by_label("Your question").fill("Do you see new patients on Saturdays?")
    page.get_by_label("This message holds no medical details (symptoms, diagnoses, records)").check()
    page.get_by_role("button", name="Send the question").click()


def assert_delivered() -> None:
    to_practitioner, copy = mail.outbox
    assert (to_practitioner.to, to_practitioner.reply_to) == (["ada@clinic.example"], ["pat@patient.example"])
    assert to_practitioner.from_email == settings.DEFAULT_FROM_EMAIL
    assert copy.to == ["pat@patient.example"]


@pytest.mark.parametrize("javascript", [True, False])
def test_a_patient_asks_a_question_from_the_profile(open_page, listing, axe, javascript):
    page = open_page(listing.get_absolute_url(), java_script_enabled=javascript)
    expect(page.get_by_text("ada@clinic.example")).to_have_count(0)
    if javascript:  # axe runs in the page: it needs JavaScript
        assert axe(page) == []
    page.get_by_role("link", name="Ask a question of Dr. Ada Atlas, DC").click()
    expect(page.locator("h1")).to_have_text("Ask Dr. Ada Atlas, DC a question")
    if javascript:
        assert axe(page) == []
    fill_and_send(page)
    expect(page.locator("h1")).to_have_text("Thank you: your question is on its way")
    if javascript:
        assert axe(page) == []
    assert PatientMessage.objects.get().body == "Do you see new patients on Saturdays?"
    assert_delivered()


def test_errors_appear_beside_their_fields_and_pass_axe(open_page, listing, axe):
    page = open_page(listing.get_absolute_url() + "ask/")
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator("#id_name_errors")).to_contain_text("This field is required.")
    expect(page.locator("#id_no_medical_details_errors")).to_contain_text("no medical details")
    assert axe(page) == []
    assert not PatientMessage.objects.exists()


@pytest.mark.parametrize("width", [1280, 360])
def test_a_keyboard_user_reaches_every_field_with_a_visible_ring_and_sends(open_page, listing, width):
    page = open_page(listing.get_absolute_url() + "ask/", viewport={"width": width, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.name || document.activeElement.textContent.trim()")
        if name in reached:
            break
        reached.append(name)
        assert page.evaluate(FOCUS_RING), f"no focus ring on {name}"
        if name == "name":
            page.keyboard.type("Pat Patient")
        elif name == "email":
            page.keyboard.type("pat@patient.example")
        elif name == "message":
            page.keyboard.type("Do you see new patients on Saturdays?")
        elif name == "no_medical_details":
            page.keyboard.press("Space")
        elif name == "Send the question":
            break
    order = [name for name in reached if name in ("name", "email", "phone", "contact_time", "message",
                                                   "no_medical_details", "Send the question")]  # fmt: skip
    assert order == ["name", "email", "phone", "contact_time", "message", "no_medical_details", "Send the question"]
    assert "website" not in reached  # the honeypot is no Tab stop
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Thank you: your question is on its way")
    assert_delivered()
