"""The account pages in a real browser: confirming an e-mail address in another browser signs in; the pages pass
axe-core at a desktop's and a phone's width; the sign-in form works by keyboard alone."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import ACCOUNT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "atlas-axis-occiput-42"
SIZES = [{"width": 1280, "height": 800}, {"width": 360, "height": 740}]


def sign_up(page, address: str) -> str:
    """Signs up on `page`; returns the path of the confirmation link mailed."""
    page.get_by_label("E-mail address").fill(address)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    [path] = re.findall(r"http://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    return path


def test_confirming_in_another_browser_lands_on_the_dashboard_signed_in(open_page, axe, techniques):
    link = sign_up(open_page("/accounts/signup/"), "ada@example.com")
    other = open_page(link)  # a second browser context: no session from the sign-up
    expect(other.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    other.get_by_role("button", name="Confirm").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Your practice")
    expect(other.get_by_role("link", name="Sign out")).to_be_visible()


@pytest.mark.parametrize("viewport", SIZES, ids=["1280x800", "360x740"])
def test_the_account_pages_pass_axe(open_page, axe, techniques, viewport):
    UserFactory(email="ada@example.com")
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        page = open_page(path, viewport=viewport)
        assert axe(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
    link = sign_up(open_page("/accounts/signup/", viewport=viewport), "ben@example.com")
    page = open_page(link, viewport=viewport)
    expect(page.get_by_role("button", name="Confirm")).to_be_visible()
    assert axe(page) == []


def tab_until(page, selector: str, presses: int = 40) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def test_the_sign_in_form_works_by_keyboard_alone(open_page, techniques):
    UserFactory(email="ada@example.com")
    page = open_page("/accounts/login/")
    tab_until(page, "#id_login")
    page.keyboard.type("ada@example.com")
    tab_until(page, "#id_password", presses=1)
    page.keyboard.type(ACCOUNT_PASSWORD)
    tab_until(page, "button[type=submit]", presses=4)  # past "Forgot your password?" and "Remember me"
    expect(page.locator(":focus")).to_have_text("Sign in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
