"""The desk's account pages: a user's change page passes axe (labelled dates, checkboxes for groups), and the
reject-with-a-reason page fits a phone."""

import pytest
from playwright.sync_api import expect

from directory.models import Practitioner
from tests.factories import UserFactory, owned_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_a_users_change_page_has_no_axe_violations(open_page, axe, techniques, width):
    admin = UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)
    someone = UserFactory(email="someone@example.com")
    page = open_page(f"/admin/accounts/user/{someone.pk}/change/", user=admin, viewport={"width": width, "height": 800})
    expect(page.get_by_role("checkbox", name="Moderators")).to_be_visible()
    assert axe(page) == []


def test_the_reject_with_a_reason_page_fits_360_pixels(open_page, axe, techniques):
    admin = UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)
    listing = owned_listing(UserFactory(), status=Practitioner.Status.PENDING, name="Dr. Pending")
    page = open_page("/admin/directory/practitioner/", user=admin, viewport={"width": 360, "height": 740})
    page.get_by_role("checkbox", name="Select this object for an action - Dr. Pending, DC").check()
    page.get_by_label("Action:").select_option("reject")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_label("Reason")).to_be_visible()
    page.wait_for_load_state("load")  # measured once the stylesheets apply, not while they load
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe(page) == []
    assert listing.pk
