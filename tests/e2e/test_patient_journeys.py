"""A patient's journeys through the directory in a real browser."""

import re

import pytest
from geopy.distance import geodesic
from playwright.sync_api import expect

from directory.geo import Point
from directory.models import Technique
from tests.factories import LocationFactory, PractitionerFactory, practitioner_at
from tests.test_search import BOSTON, destination

UTQIAGVIK = Point(71.2906, -156.7886)  # northern Alaska, far from any practitioner here


def oracle_km(origin: Point, practitioner) -> float:
    nearest = min(
        practitioner.locations.all(),
        key=lambda location: geodesic((origin.latitude, origin.longitude), (location.latitude, location.longitude)).km,
    )
    return geodesic((origin.latitude, origin.longitude), (nearest.latitude, nearest.longitude)).km


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def boston(techniques) -> dict:
    nucca, blair, grostic = (Technique.objects.get(slug=slug) for slug in ("nucca", "blair", "grostic"))
    ada = practitioner_at(*destination(BOSTON, 3), techniques=[nucca], name="Dr. Ada Atlas")
    ben = practitioner_at(*destination(BOSTON, 10, 200), techniques=[blair], name="Dr. Ben Blair")
    cleo = practitioner_at(*destination(BOSTON, 60, 300), techniques=[grostic], name="Dr. Cleo Grostic")
    LocationFactory(
        practitioner=ada,
        clinic_name="Ada's Second Office",
        city="Newton",
        postal_code="02458",
        latitude=42.337,
        longitude=-71.209,
    )
    return {"ada": ada, "ben": ben, "cleo": cleo}


def result_names(page) -> list[str]:
    return page.locator("#results .result h3").all_inner_texts()


def test_search_by_zip_refine_in_place_open_a_profile_and_come_back(open_page, boston):
    page = open_page("/")
    page.get_by_label("ZIP code, postal code or city").fill("02108")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_contain_text("2 practitioners within 25 mi of 02108")
    page.wait_for_load_state()  # the heading is parsed before the deferred script that refines in place runs
    assert result_names(page) == ["Dr. Ada Atlas, DC", "Dr. Ben Blair, DC"]
    expect(page.locator("#results .distance").first).to_have_text("1.9 mi away")

    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Distance").select_option("100")
    expect(page.locator("#results-heading")).to_contain_text("3 practitioners within 100 mi")
    expect(page).to_have_url(re.compile(r"radius=100"))
    page.get_by_role("checkbox", name="NUCCA").check()
    expect(page.locator("#results-heading")).to_contain_text(
        "1 practitioner within 100 mi of 02108 (Boston, MA) offering NUCCA"
    )
    expect(page).to_have_url(re.compile(r"technique=nucca"))
    assert page.evaluate("window.stillTheSamePage") is True  # updated in place, no reload

    page.get_by_role("link", name="Dr. Ada Atlas, DC").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr. Ada Atlas, DC")
    expect(page.get_by_role("heading", name="Ada's Second Office")).to_be_visible()
    page.go_back()
    expect(page.locator("#results-heading")).to_contain_text("offering NUCCA")
    expect(page.get_by_role("checkbox", name="NUCCA")).to_be_checked()
    page.go_back()
    expect(page.locator("#results-heading")).to_contain_text("3 practitioners within 100 mi")
    expect(page.get_by_role("checkbox", name="NUCCA")).not_to_be_checked()
    assert page.errors == []


def test_the_map_numbers_its_markers_like_the_list_and_shows_the_origin(open_page, boston):
    page = open_page("/search/?near=02108&radius=100")
    expect(page.locator("#map-panel")).to_be_visible()
    expect(page.locator(".map-number")).to_have_count(3)
    assert page.locator(".map-number").all_inner_texts() == ["1", "2", "3"]
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(1)  # the search origin
    page.locator(".map-number").first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("1. Dr. Ada Atlas, DC")


def test_the_results_work_when_the_map_cannot_load(open_page, boston, live_server):
    page = open_page("/")
    page.context.route("**/leaflet.js", lambda route: route.abort())
    page.goto(live_server.url + "/search/?near=02108")
    expect(page.locator("#results-heading")).to_contain_text("2 practitioners")
    expect(page.locator("#map-panel")).to_be_hidden()
    page.get_by_label("Distance").select_option("100")
    expect(page.locator("#results-heading")).to_contain_text("3 practitioners")


def test_use_my_location_searches_where_the_patient_is(open_page, boston):
    page = open_page("/", geolocation={"latitude": 42.3601, "longitude": -71.0589}, permissions=["geolocation"])
    page.get_by_role("button", name="Use my location").click()
    expect(page).to_have_url(re.compile(r"near=42\.3601%2C-71\.0589"))
    expect(page.locator("#results-heading")).to_contain_text("2 practitioners within 25 mi of 42.3601, -71.0589")


def test_a_refused_location_says_so_and_the_form_still_works(open_page, boston):
    page = open_page("/", permissions=[])
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("#location-status")).to_contain_text("did not allow us to use your location")
    expect(page.get_by_label("ZIP code, postal code or city")).to_be_focused()
    page.keyboard.type("02108")
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("2 practitioners")


def test_nothing_near_offers_the_three_nearest_beyond(open_page, boston):
    page = open_page("/search/?near=71.2906,-156.7886")
    expect(page.locator("#results-heading")).to_contain_text(
        "No practitioners found within 25 mi of 71.2906, -156.7886"
    )
    expect(page.get_by_text("These are the nearest practitioners")).to_be_visible()
    by_distance = sorted(boston.values(), key=lambda practitioner: oracle_km(UTQIAGVIK, practitioner))
    assert result_names(page) == [practitioner.display_name for practitioner in by_distance]
    expect(page.locator("#results .distance").first).to_contain_text("mi away")
    expect(page.locator(".map-number")).to_have_count(3)


def test_a_keyboard_alone_can_search_and_open_a_profile(open_page, boston):
    page = open_page("/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "near":
            break
    assert page.evaluate("document.activeElement.id") == "id_near"
    page.keyboard.type("Boston, MA")
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("within 25 mi of Boston, MA")
    link = page.get_by_role("link", name="Dr. Ada Atlas, DC")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Dr. Ada Atlas, DC":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(boston["ada"].get_absolute_url()))
    assert link is not None


def test_without_javascript_the_get_form_does_everything(open_page, boston):
    page = open_page("/", java_script_enabled=False)
    page.get_by_label("ZIP code, postal code or city").fill("02108")
    page.get_by_label("Distance").select_option("100")
    page.get_by_role("checkbox", name="Blair").check()
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search/\?near=02108&radius=100&unit=&technique=blair"))
    assert result_names(page) == ["Dr. Ben Blair, DC"]
    expect(page.locator("#map-panel")).to_be_hidden()
    expect(page.get_by_role("button", name="Use my location")).to_be_hidden()


def test_field_errors_appear_beside_the_field(open_page, boston):
    page = open_page("/")
    page.get_by_label("ZIP code, postal code or city").fill("00000")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#near-errors")).to_have_text("No such ZIP code: 00000")
    expect(page.get_by_label("ZIP code, postal code or city")).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_a_kept_link_to_a_page_the_search_no_longer_has_leads_to_its_first_page(open_page, axe, boston, javascript):
    page = open_page("/search/?near=02108&radius=25&page=4", java_script_enabled=javascript)
    expect(page.locator("#results-heading")).to_have_text("This search has no page 4")
    expect(page.get_by_text("It has 1 page of results now.")).to_be_visible()
    expect(page.get_by_label("ZIP code, postal code or city")).to_have_value("02108")  # the search, kept
    if javascript:
        assert axe(page) == []
    page.get_by_role("link", name="See the first page").click()
    assert result_names(page) == ["Dr. Ada Atlas, DC", "Dr. Ben Blair, DC"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search/?near=02108&radius=100",
        "/search/?near=00000",
        "/search/?near=02108&page=9",
        "/techniques/nucca/",
        "PROFILE",
    ],
)
def test_pages_fit_a_360_pixel_phone_without_sideways_scrolling(open_page, boston, path):
    path = boston["ada"].get_absolute_url() if path == "PROFILE" else path
    page = open_page(path, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    boxes = page.eval_on_selector_all(
        "label.checkbox input", "inputs => inputs.map(input => [input.offsetWidth, input.offsetHeight])"
    )
    assert all(width == height for width, height in boxes), boxes  # none squeezed by a label that wraps
    if path == "/search/?near=02108&radius=100":
        results_bottom = page.locator("#results").bounding_box()
        map_top = page.locator("#map-panel").bounding_box()
        assert map_top["y"] >= results_bottom["y"] + results_bottom["height"] - 1  # the map comes after the list


def test_a_profile_shows_a_map_per_location_and_directions(open_page, boston):
    page = open_page(boston["ada"].get_absolute_url())
    expect(page.locator(".mini-map.leaflet-container")).to_have_count(2)
    directions = page.get_by_role("link", name=re.compile("Get directions")).first
    expect(directions).to_have_attribute("href", re.compile(r"^https://www\.google\.com/maps/dir/\?api=1&destination="))


def test_a_technique_page_explains_it_and_lists_its_practitioners(open_page, boston):
    page = open_page("/techniques/blair/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Blair")
    expect(page.get_by_text("1 practitioner offering Blair")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Blair")).to_be_checked()
    page.get_by_label("ZIP code, postal code or city").fill("02108")
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("offering Blair")


def test_screenshots_of_the_landing_and_results_pages(open_page, boston, screenshots):
    page = open_page("/")
    page.screenshot(path=screenshots / "landing.png", full_page=True)
    page = open_page("/search/?near=02108&radius=100")
    expect(page.locator(".map-number")).to_have_count(3)
    page.screenshot(path=screenshots / "results.png", full_page=True)
    phone = open_page("/search/?near=02108&radius=100", viewport={"width": 360, "height": 740}, is_mobile=True)
    phone.screenshot(path=screenshots / "results-360.png", full_page=True)
    assert all((screenshots / name).stat().st_size > 10_000 for name in ("landing.png", "results.png"))


def test_the_practitioner_factory_is_not_shown_when_pending(open_page, boston):
    hidden = PractitionerFactory(name="Dr. Pending", status="pending")
    LocationFactory(practitioner=hidden, latitude=42.36, longitude=-71.06)
    page = open_page("/search/?near=02108")
    expect(page.locator("#results-heading")).to_contain_text("2 practitioners")
    expect(page.get_by_text("Dr. Pending")).to_have_count(0)


def test_on_a_phone_the_technique_list_starts_folded_and_opens_on_request(open_page, boston):
    page = open_page("/", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    expect(page.get_by_role("checkbox", name="NUCCA")).to_be_hidden()
    page.locator("details.techniques-group > summary").click()
    page.get_by_role("checkbox", name="NUCCA").check()
    page.get_by_label("ZIP code, postal code or city").fill("02108")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_contain_text("offering NUCCA")
    expect(page.get_by_text("Your search: 02108 - 25 mi - NUCCA")).to_be_visible()  # the form folds away
    page.get_by_role("link", name="Edit the search").click()
    expect(page.get_by_role("checkbox", name="NUCCA")).to_be_visible()  # a chosen technique stays in view
    expect(page.get_by_role("checkbox", name="NUCCA")).to_be_checked()
