"""The results page's first screen shows the first result (its name, distance and address) at 1280 x 800 and at
360 x 740: on a wide screen the form stands in a column beside the results; on a phone it folds into a one-line
summary whose "Edit the search" opens it, by keyboard and without JavaScript."""

import pytest
from playwright.sync_api import expect

from directory.models import Technique
from tests.factories import practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [
    pytest.param({"width": 1280, "height": 800}, {}, id="1280x800"),
    pytest.param({"width": 360, "height": 740}, {"is_mobile": True, "has_touch": True}, id="360x740"),
]
FOLDED = {1280: False, 360: True}  # where the form starts folded behind "Edit the search"
FIELD = "ZIP code, postal code or city"


@pytest.fixture
def listed(techniques) -> None:
    nucca, blair = (Technique.objects.get(slug=slug) for slug in ("nucca", "blair"))
    practitioner_at(*destination(BOSTON, 3), techniques=[nucca], name="Dr. Ada Atlas", bio="Gentle NUCCA care.")
    practitioner_at(*destination(BOSTON, 9, 200), techniques=[blair], name="Dr. Ben Blair", bio="Blair.")
    practitioner_at(*destination(BOSTON, 20, 300), name="Dr. Cleo Grostic")


def bottom(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["y"] + box["height"]


@pytest.mark.parametrize(("viewport", "device"), SIZES)
def test_the_first_result_is_in_the_first_screen(open_page, axe, screenshots, listed, viewport, device):
    page = open_page("/search/?near=02108", viewport=viewport, **device)
    page.wait_for_load_state("load")
    expect(page.locator(".map-number").first).to_be_attached()  # the map is drawn: the layout is final
    first = page.locator("#results .result").first
    name = first.locator("h3 a")
    expect(name).to_have_text("Dr. Ada Atlas, DC")
    assert page.evaluate("window.scrollY") == 0
    assert bottom(name) <= viewport["height"], name.bounding_box()
    assert bottom(first.locator(".distance")) <= viewport["height"]
    assert bottom(first.locator(".location")) <= viewport["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert axe(page) == []
    page.screenshot(path=screenshots / f"first-screen-{viewport['width']}.png")


def test_the_home_page_form_and_a_search_without_a_place_are_not_folded(open_page, screenshots, listed):
    for viewport in ({"width": 1280, "height": 800}, {"width": 360, "height": 740}):
        for path in ("/", "/search/", "/search/?near=00000"):
            page = open_page(path, viewport=viewport)
            expect(page.get_by_label(FIELD)).to_be_visible()
            expect(page.get_by_label("Distance")).to_be_visible()
            expect(page.get_by_role("button", name="Search")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page = open_page("/", viewport=viewport)
        page.wait_for_load_state("load")
        page.screenshot(path=screenshots / f"home-{viewport['width']}.png", full_page=True)


def tab_to(page, name: str, limit: int = 40) -> None:
    """Presses Tab until the focused element's accessible text starts with `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText || '').trim(); }"
        )
        if focused.startswith(name):
            return
    raise AssertionError(f"no Tab stop named {name!r} in {limit} presses")


@pytest.mark.parametrize(("viewport", "device"), SIZES)
def test_the_search_opens_and_runs_by_keyboard(open_page, axe, screenshots, listed, viewport, device):
    page = open_page("/search/?near=02108", viewport=viewport, **device)
    page.wait_for_load_state("load")
    distance = page.get_by_label("Distance")
    if FOLDED[viewport["width"]]:
        expect(distance).to_be_hidden()
        tab_to(page, "Edit")
        expect(page.get_by_role("link", name="Edit the search")).to_be_focused()
        page.keyboard.press("Enter")
    else:
        expect(page.get_by_role("link", name="Edit the search")).to_be_hidden()
    expect(distance).to_be_visible()
    tab_to(page, FIELD)  # the form is the next Tab stop (after the site's header links)
    expect(page.get_by_label(FIELD)).to_be_focused()
    assert axe(page) == []
    page.screenshot(path=screenshots / f"first-screen-{viewport['width']}-form-open.png")
    tab_to(page, "Distance")
    page.keyboard.press("ArrowDown")  # 25 -> 50: the list refines in place as the distance changes
    expect(distance).to_have_value("50")
    tab_to(page, "Search")
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("3 practitioners within 50 mi of 02108")
    expect(page.get_by_text("Your search: 02108 - 50 mi - any technique")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize(("viewport", "device"), SIZES)
def test_without_javascript_the_form_is_reached_and_a_new_search_runs(open_page, listed, viewport, device):
    page = open_page("/search/?near=02108", viewport=viewport, java_script_enabled=False, **device)
    name = page.locator("#results .result h3 a").first
    expect(name).to_have_text("Dr. Ada Atlas, DC")
    assert bottom(name) <= viewport["height"], name.bounding_box()
    if FOLDED[viewport["width"]]:
        expect(page.get_by_label(FIELD)).to_be_hidden()
        page.get_by_role("link", name="Edit the search").click()
    expect(page.get_by_label(FIELD)).to_be_visible()
    page.get_by_label("Distance").select_option("50")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_contain_text("3 practitioners within 50 mi of 02108")
    if FOLDED[viewport["width"]]:
        expect(page.get_by_label(FIELD)).to_be_hidden()  # a new results page starts folded again
    assert bottom(page.locator("#results .result h3 a").first) <= viewport["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
