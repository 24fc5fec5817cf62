"""A practitioner's own data in a real browser: the download from the dashboard and closing the account, by
keyboard at a phone's width (axe-core finds no violations) and without JavaScript."""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from directory.models import Practitioner
from tests.factories import ACCOUNT_PASSWORD, UserFactory, owned_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def owner(techniques):
    return UserFactory(email="ada@example.com")


@pytest.fixture
def listing(owner) -> Practitioner:
    return owned_listing(owner, name="Dr. Ada Atlas")


def tab_to(page, text: str) -> None:
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            return
    raise AssertionError(f"{text!r} is not reachable with the Tab key")


def test_by_keyboard_on_a_phone_a_practitioner_downloads_their_data_then_closes_the_account(open_page, axe, listing):
    page = open_page("/practice/", user=listing.owner, accept_downloads=True, **PHONE)
    tab_to(page, "Download your data")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == "ada@example.com" and data["listings"][0]["name"] == "Dr. Ada Atlas"

    tab_to(page, "Close your account")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Close your account")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe(page) == []

    tab_to(page, "Close my account")
    page.keyboard.press("Enter")  # nothing chosen, no password: both fields say so
    expect(page.locator("#id_password_errors")).to_have_text("This field is required.")
    expect(page.locator("#id_listings_errors")).to_have_text("This field is required.")
    assert axe(page) == []

    page.get_by_role("radio", name="Take them off the directory").focus()
    page.keyboard.press("Space")
    page.get_by_label("Your password").focus()
    page.keyboard.type(ACCOUNT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your account is closed.")).to_be_visible()
    assert axe(page) == []
    listing.refresh_from_db()
    assert (listing.owner, listing.status) == (None, Practitioner.Status.REJECTED)
    assert page.errors == []


def test_without_javascript_an_account_is_closed_and_its_listing_released(open_page, listing):
    page = open_page("/practice/account/close/", user=listing.owner, java_script_enabled=False)
    page.get_by_role("radio", name="Keep them in the directory, managed by nobody").check()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Close my account").click()
    expect(page.locator("#id_password_errors")).to_have_text("That is not your password.")
    page.get_by_label("Your password").fill(ACCOUNT_PASSWORD)
    page.get_by_role("button", name="Close my account").click()
    expect(page.get_by_text("Your account is closed.")).to_be_visible()
    listing.refresh_from_db()
    assert (listing.owner, listing.status) == (None, Practitioner.Status.PUBLISHED)
    assert not get_user_model().objects.filter(email="ada@example.com").exists()
