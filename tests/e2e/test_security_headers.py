"""The pages work under the Content Security Policy: nothing is blocked, nothing breaks."""

import pytest
from playwright.sync_api import expect

from directory.models import Technique
from tests.factories import practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listed(techniques):
    practitioner = practitioner_at(*destination(BOSTON, 3), techniques=[Technique.objects.get(slug="nucca")])
    practitioner_at(*destination(BOSTON, 8))
    return practitioner


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "h1"),
        ("/search/?near=02108", ".map-number"),
        ("/search/?near=00000", "#near-errors"),
        ("/techniques/nucca/", "h1"),
        ("PROFILE", ".mini-map.leaflet-container"),
        ("/api/docs/", "h1"),
        ("/api/docs/swagger/", ".swagger-ui .opblock"),
    ],
)
def test_pages_run_under_the_policy_without_a_single_violation(open_page, listed, path, ready):
    page = open_page(listed.get_absolute_url() if path == "PROFILE" else path)
    expect(page.locator(ready).first).to_be_visible()
    assert page.evaluate("window.cspViolations") == []
    assert page.errors == []


def test_the_in_place_search_and_the_map_work_under_the_policy(open_page, listed):
    page = open_page("/search/?near=02108")
    page.get_by_label("Distance").select_option("100")
    expect(page.locator("#results-heading")).to_contain_text("within 100 mi")
    expect(page.locator(".map-number")).to_have_count(2)
    assert page.evaluate("window.cspViolations") == []
