"""The practitioner's pages say only what is true: of each listing on the dashboard, of the map on the form."""

import re

import pytest
from django.urls import reverse

from directory.models import Practitioner
from tests.factories import owned_listing

pytestmark = pytest.mark.django_db


def test_a_listing_waiting_for_its_first_review_offers_no_still_correct_and_no_last_confirmed(owner_client, owner):
    owned_listing(owner, status=Practitioner.Status.PENDING, name="Dr. Waiting")
    page = owner_client.get(reverse("practice:dashboard")).content.decode()
    assert "Dr. Waiting" in page and "Pending review" in page
    assert "Still correct" not in page and "Last confirmed" not in page and "View the public profile" not in page


def test_a_published_listing_offers_still_correct_and_says_when_it_was_last_confirmed(owner_client, owner):
    owned_listing(owner, name="Dr. Live")
    page = owner_client.get(reverse("practice:dashboard")).content.decode()
    assert "Still correct" in page and "View the public profile" in page
    assert "Last confirmed as correct" in page or "Not yet confirmed as correct" in page


def _shown_without_javascript(html: str) -> str:
    """The page's text less what is hidden until the page's script shows it (the pin's map)."""
    return re.sub(r'<figure class="pin-map-figure" hidden>.*?</figure>', "", html, flags=re.DOTALL)


def test_a_new_listings_form_speaks_of_no_map_it_does_not_show(owner_client):
    page = _shown_without_javascript(owner_client.get(reverse("practice:new")).content.decode())
    assert "map" not in re.sub(r"<[^>]+>", " ", page.split('id="main"')[1]).lower()
    assert "Leave both empty to place the pin from the address when you save." in page


def test_an_edit_form_speaks_of_the_map_only_inside_the_map_it_shows(owner_client, owner):
    listing = owned_listing(owner)
    html = owner_client.get(reverse("practice:edit", args=[listing.pk])).content.decode()
    assert "drag the pin to your door on this map" in html  # inside the figure the script reveals
    assert "map" not in re.sub(r"<[^>]+>", " ", _shown_without_javascript(html).split('id="main"')[1]).lower()
