"""axe-core (from the axe-playwright-python package, injected by the test) finds no violations."""

import pytest
from playwright.sync_api import expect

from directory.models import Technique
from tests.factories import practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listed(techniques):
    nucca = Technique.objects.get(slug="nucca")
    practitioner = practitioner_at(*destination(BOSTON, 3), techniques=[nucca], name="Dr. Ada Atlas", bio="About.")
    practitioner_at(*destination(BOSTON, 9), name="Dr. Ben Blair")
    return practitioner


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "h1"),
        ("/search/?near=02108&radius=50", ".map-number"),
        ("/search/?near=71.29,-156.79", ".map-number"),  # nothing near: the three nearest beyond
        ("/search/?near=02108&technique=hio", "#results-heading"),  # nobody offers it at all
        ("/search/", "#results-heading"),
        ("/techniques/nucca/", "h1"),
        ("PROFILE", ".mini-map.leaflet-container"),
        ("/search/?near=00000", "#near-errors"),
        ("/search/?near=02108&radius=0&unit=km", "#radius-errors"),
        ("/search/?near=02108&unit=furlongs&technique=reiki", "#technique-errors"),
        ("/techniques/nucca/?page=1", "h1"),
        ("/no-such-page/", "h1"),
        ("/embed/?technique=nucca&near=02108", "h1"),
        ("/embed/build/", "#embed-preview"),
        ("/embed/build/?variant=button&accent=%23ffff00", "#accent_text-errors li"),
    ],
)
@pytest.mark.parametrize("width", [1280, 360])
def test_every_page_and_error_state_has_no_axe_violations(open_page, axe, listed, path, ready, width):
    path = listed.get_absolute_url() if path == "PROFILE" else path
    page = open_page(path, viewport={"width": width, "height": 800})
    expect(page.locator(ready).first).to_be_attached()
    assert axe(page) == []


def test_the_check_itself_catches_a_violation(open_page, axe, listed):
    page = open_page("/")
    page.evaluate("document.querySelector('h1').insertAdjacentHTML('afterend', '<img src=\"/x.png\">')")
    assert any(violation.startswith("image-alt:") for violation in axe(page))


def test_the_503_page_shown_while_the_database_is_down_has_no_violations(open_page, axe, listed, database_down):
    page = open_page("/search/?near=02108")
    expect(page.get_by_role("heading", level=1)).to_have_text("The directory is briefly unavailable")
    assert axe(page) == []
