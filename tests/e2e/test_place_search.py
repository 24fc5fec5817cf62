"""The place field in a real browser: suggestions as a WAI-ARIA combobox (keyboard and mouse, axe), a plain text
field without JavaScript, and on a phone the form folded so that the first result is in the first screen."""

import pytest
from playwright.sync_api import expect

from directory.models import Technique
from tests.factories import practitioner_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIELD = "ZIP code, postal code or city"


@pytest.fixture
def practitioners(techniques) -> None:
    nucca = Technique.objects.get(slug="nucca")
    practitioner_at(45.5019, -73.5674, techniques=[nucca], name="Dr. Marie Tremblay", phone="(514) 555-0142")
    practitioner_at(42.3601, -71.0589, techniques=[nucca], name="Dr. Ada Atlas", phone="(617) 555-0100 ext. 12")


def test_suggestions_by_keyboard_fill_the_field_and_enter_then_searches(open_page, axe, practitioners):
    page = open_page("/")
    field = page.get_by_role("combobox", name=FIELD)
    field.click()
    page.keyboard.type("mont")
    listbox = page.get_by_role("listbox", name="Suggested places")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(10)
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_text("10 suggestions: use the up and down arrows to choose one.")).to_be_attached()
    page.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option", name="Montréal, QC")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    assert axe(page) == []
    page.keyboard.press("Enter")
    expect(field).to_have_value("Montréal, QC")
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("of Montréal, QC")
    expect(page.get_by_role("link", name="Dr. Marie Tremblay")).to_be_visible()


def test_arrow_keys_wrap_and_escape_closes_the_list(open_page, practitioners):
    page = open_page("/")
    page.get_by_role("combobox", name=FIELD).fill("springfield")
    listbox = page.get_by_role("listbox", name="Suggested places")
    expect(listbox.get_by_role("option").first).to_be_visible()
    page.keyboard.press("ArrowUp")
    expect(listbox.get_by_role("option").last).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(page.get_by_role("combobox", name=FIELD)).to_have_value("springfield")


def test_a_misspelled_city_is_suggested_as_it_is_spelled_and_searched_from_there(open_page, practitioners):
    page = open_page("/")
    page.get_by_role("combobox", name=FIELD).fill("bostn")
    page.get_by_role("option", name="Boston, MA").click()
    expect(page.get_by_role("combobox", name=FIELD)).to_have_value("Boston, MA")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Dr. Ada Atlas")).to_be_visible()


def test_a_suggestion_clicked_with_the_mouse_fills_the_field_with_the_code(open_page, practitioners):
    page = open_page("/")
    page.get_by_role("combobox", name=FIELD).fill("0210")
    page.get_by_role("option", name="02108 (Boston, MA)").click()
    field = page.get_by_role("combobox", name=FIELD)
    expect(field).to_have_value("02108")
    expect(field).to_be_focused()
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Dr. Ada Atlas")).to_be_visible()
    expect(page.get_by_role("link", name="(617) 555-0100 ext. 12")).to_have_attribute(
        "href", "tel:+1-617-555-0100;ext=12"
    )


def test_without_javascript_the_field_is_a_plain_text_field(open_page, practitioners):
    page = open_page("/", java_script_enabled=False)
    field = page.get_by_label(FIELD)
    expect(field).not_to_have_attribute("role", "combobox")
    field.fill("montreal quebec")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_contain_text("of Montréal, QC")


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_a_city_several_places_share_is_offered_as_links_that_search_there_with_the_same_choices(
    open_page, axe, techniques, javascript
):
    nucca = Technique.objects.get(slug="nucca")
    practitioner_at(39.7817, -89.6501, techniques=[nucca], name="Dr. Lincoln Atlas")  # Springfield, Illinois
    page = open_page("/", viewport={"width": 360, "height": 740}, is_mobile=True, java_script_enabled=javascript)
    page.get_by_label(FIELD).fill("springfield")
    if javascript:
        page.keyboard.press("Escape")  # the field's own suggestions closed: the patient searches as typed
    techniques = page.locator("details.techniques-group")
    if not techniques.evaluate("details => details.open"):  # folded on a phone where JavaScript runs
        techniques.locator("> summary").click()
    page.get_by_label("NUCCA").check()
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_have_text("Please correct the search")
    places = page.get_by_role("list", name="Or search near one of these places:")
    expect(places.get_by_role("link")).to_have_count(5)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if javascript:
        assert axe(page) == []
    places.get_by_role("link", name="Springfield, IL").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("Springfield, IL")
    expect(page.get_by_role("link", name="Dr. Lincoln Atlas")).to_be_visible()
    assert "technique=nucca" in page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_on_a_phone_the_first_result_is_in_the_first_screen_and_edit_opens_the_form(
    open_page, axe, practitioners, screenshots, javascript
):
    page = open_page(
        "/search/?near=02108&technique=nucca",
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        java_script_enabled=javascript,
    )
    first = page.locator(".result").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box["y"] + 40 <= 740, box  # its name at least
    expect(page.get_by_text("Your search: 02108 - 25 mi - NUCCA")).to_be_visible()
    expect(page.get_by_label(FIELD)).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if javascript:
        assert axe(page) == []
        page.screenshot(path=screenshots / "results-phone-folded.png")
    page.get_by_role("link", name="Edit the search").click()
    expect(page.get_by_label(FIELD)).to_be_visible()
    expect(page.get_by_label(FIELD)).to_have_value("02108")
    if javascript:
        assert axe(page) == []


def test_the_folded_form_stays_open_while_it_is_used_and_a_new_search_folds_it_again(open_page, practitioners):
    page = open_page("/search/?near=02108", viewport={"width": 360, "height": 740}, is_mobile=True)
    page.get_by_role("link", name="Edit the search").click()
    field = page.get_by_label(FIELD)
    field.fill("H3B")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_contain_text("of H3B (Montréal, QC)")
    expect(page.get_by_text("Your search: H3B - 25 km - any technique")).to_be_visible()  # km in Canada
