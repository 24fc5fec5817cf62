"""A patient opens a profile from the results: the way back, the distance, and Call and Directions within the
first screen of a phone."""

import pytest
from playwright.sync_api import expect

from tests.factories import practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (360, 740)])
def test_a_profile_opened_from_the_results_leads_back_with_call_and_directions_in_the_first_screen(
    open_page, axe, techniques, width, height
):
    practitioner_at(*destination(BOSTON, 5), name="Dr. Ada Atlas", bio="Long story. " * 120)
    page = open_page("/search/?near=02108&radius=10", viewport={"width": width, "height": height})
    page.get_by_role("link", name="Dr. Ada Atlas, DC").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr. Ada Atlas, DC")
    expect(page.locator(".profile .distance").first).to_contain_text("mi from 02108 (Boston, MA)")
    for action in (page.locator(".quick-actions a").first, page.locator(".quick-actions a").last):
        box = action.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, f"{action.inner_text()} is below the fold"
    expect(page.locator(".quick-actions a").first).to_contain_text("Call")
    expect(page.locator(".quick-actions a").last).to_contain_text("Directions")
    assert axe(page) == []
    page.get_by_role("link", name="Back to the results").click()
    expect(page.locator("#results-heading")).to_contain_text("within 10 mi of 02108 (Boston, MA)")
