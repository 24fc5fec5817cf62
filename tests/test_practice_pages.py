"""The practitioner's dashboard says only what is true of each listing."""

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
