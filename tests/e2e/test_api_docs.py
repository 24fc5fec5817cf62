"""The API docs page reads right the first time: axe finds nothing, nothing scrolls sideways on a phone, a
keyboard reaches the examples, and it is all there with JavaScript off."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = "/api/docs/"
TRY_IT = "Try it in the browser: /api/v1/practitioners/?near=02108"
MAX_TAB_STOPS = 80
PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE])
def test_the_api_docs_have_no_axe_violations(open_page, axe, viewport):
    page = open_page(DOCS, viewport=viewport)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe(page) == []
    assert page.evaluate("window.cspViolations") == [] and page.errors == []


def test_nothing_scrolls_sideways_on_a_phone_but_the_code_and_tables_in_their_own_labelled_boxes(open_page):
    page = open_page(DOCS, viewport=PHONE)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    curl = page.get_by_role("region", name="curl command: Search practitioners")
    expect(curl).to_have_attribute("tabindex", "0")
    parameters = page.get_by_role("region", name="Query parameters of /api/v1/practitioners/")
    expect(parameters).to_have_attribute("tabindex", "0")
    assert parameters.evaluate("box => box.scrollWidth > box.clientWidth")  # the table scrolls inside its box


def test_a_keyboard_walk_reaches_the_try_it_link_and_follows_it(open_page):
    page = open_page(DOCS)
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText") == TRY_IT:
            break
    else:
        pytest.fail(f"{MAX_TAB_STOPS} Tab stops and no {TRY_IT!r} link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/api/v1/practitioners/?near=02108")
    assert '"results"' in page.content()


def test_the_api_docs_are_all_there_with_javascript_off(open_page):
    page = open_page(DOCS, java_script_enabled=False)
    expect(page.get_by_role("heading", name="Search practitioners")).to_be_visible()
    expect(page.get_by_role("heading", name="Suggest places")).to_be_visible()
    expect(page.get_by_role("link", name=TRY_IT)).to_be_visible()
    expect(page.get_by_role("row", name="near string")).to_contain_text("Where the patient is")
