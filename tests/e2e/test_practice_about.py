"""The "For practitioners" page in Chromium: reached by keyboard from the home page, no axe violations, no sideways
scrolling on a phone, and complete without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ABOUT = "/for-practitioners/"
MAX_TAB_STOPS = 10
HEADING = "For practitioners"


def test_a_keyboard_only_visitor_tabs_to_the_headers_link_and_lands_on_the_page(open_page):
    page = open_page("/")
    link = page.get_by_role("navigation", name="Site").get_by_role("link", name="For practitioners")
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail(f"the header's link was not reached in {MAX_TAB_STOPS} presses of Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(ABOUT) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    assert page.errors == []


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (360, 740)])
def test_the_page_has_no_axe_violations(open_page, axe, width, height):
    page = open_page(ABOUT, viewport={"width": width, "height": height})
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    assert axe(page) == []
    assert page.evaluate("window.cspViolations") == []


def test_the_page_does_not_scroll_sideways_on_a_360_px_phone(open_page):
    page = open_page(ABOUT, viewport={"width": 360, "height": 740})
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_page_works_without_javascript(open_page):
    page = open_page(ABOUT, java_script_enabled=False)
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    expect(page.get_by_role("heading", name="How to list your practice")).to_be_visible()
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
