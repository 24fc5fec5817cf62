"""The practitioner's pages as a practitioner reads them: text that speaks of a map only beside a map."""

import pytest
from playwright.sync_api import expect

from directory.models import Practitioner
from tests.factories import UserFactory, owned_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_the_new_listing_form_shows_no_map_and_speaks_of_none(open_page, axe, width):
    page = open_page("/practice/new/", user=UserFactory(), viewport={"width": width, "height": 800})
    page.wait_for_load_state("load")
    expect(page.locator(".pin-map-figure").first).to_be_hidden()
    assert "map" not in page.locator("main").inner_text().lower()
    assert axe(page) == []


@pytest.mark.parametrize("width", [1280, 360])
def test_the_edit_form_speaks_of_the_map_beside_the_map_it_shows(open_page, axe, width):
    owner = UserFactory()
    listing = owned_listing(owner)
    page = open_page(f"/practice/{listing.pk}/edit/", user=owner, viewport={"width": width, "height": 800})
    figure = page.locator(".pin-map-figure").first
    expect(figure).to_be_visible()
    expect(figure).to_contain_text("drag the pin to your door on this map")
    outside = page.locator("main").inner_text().replace(figure.inner_text(), "")
    assert "map" not in outside.lower()
    assert axe(page) == []


def test_a_listing_waiting_for_review_offers_no_still_correct_on_the_dashboard(open_page, axe):
    owner = UserFactory()
    owned_listing(owner, status=Practitioner.Status.PENDING, name="Dr. Waiting")
    page = open_page("/practice/", user=owner, viewport={"width": 360, "height": 740})
    expect(page.get_by_role("heading", name="Dr. Waiting")).to_be_visible()
    expect(page.get_by_role("button", name="Still correct")).to_have_count(0)
    assert axe(page) == []
