"""A moderator decides on the page that shows the item: reads the edit's diff, rejects it with a reason typed in
place by keyboard, and lands on the next edit waiting; axe finds nothing at 1280 and 360 px."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from practice import services
from practice.listing import listing_values
from practice.models import Revision
from tests.factories import UserFactory, owned_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def edit_of(name: str, bio: str) -> Revision:
    owner = UserFactory()
    listing = owned_listing(owner, name=name, bio="Old bio.")
    proposed = listing_values(listing)
    proposed["practitioner"]["bio"] = bio
    return services.listing_edit(practitioner=listing, editor=owner, proposed=proposed, accepting_new_patients=True)


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (360, 740)])
def test_a_moderator_rejects_an_edit_from_its_page_by_keyboard_and_moves_to_the_next(
    open_page, axe, screenshots, techniques, width, height
):
    first = edit_of("Dr. First", "Best chiropractor in the world!")
    second = edit_of("Dr. Second", "Blair technique, evenings.")
    moderator = UserFactory(email="moderator@example.com", is_staff=True, is_superuser=True)
    page = open_page(f"/admin/practice/revision/{first.pk}/change/", user=moderator,
                     viewport={"width": width, "height": height})  # fmt: skip
    decide = page.get_by_role("region", name="Decide")
    expect(decide.get_by_role("button", name="Approve")).to_be_visible()
    expect(page.locator(".diff")).to_contain_text("Best chiropractor in the world!")
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=screenshots / f"desk-edit-decision-{width}.png")

    decide.get_by_label("Reason for rejecting").focus()
    page.keyboard.type("Please keep it factual.")
    page.keyboard.press("Tab")
    expect(decide.get_by_role("button", name="Reject")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{page.url.split('/admin/')[0]}/admin/practice/revision/{second.pk}/change/")
    expect(page.locator(".messagelist")).to_contain_text("Reject: done for")
    first.refresh_from_db()
    assert (first.status, first.reason) == (Revision.Status.REJECTED, "Please keep it factual.")
    assert any("Please keep it factual." in message.body for message in mail.outbox)
    assert axe(page) == []


def test_the_listings_list_fits_1280_pixels_beside_the_filters(open_page, axe, screenshots, techniques):
    for n in range(5):
        owned_listing(UserFactory(email=f"owner-with-a-long-address-{n}@example.com"),
                      name=f"Dr. Very Long Practitioner Name Number {n}", credentials="DC, DCM, FICS")  # fmt: skip
    moderator = UserFactory(email="moderator@example.com", is_staff=True, is_superuser=True)
    page = open_page("/admin/directory/practitioner/", user=moderator, viewport={"width": 1280, "height": 800})
    page.wait_for_load_state("load")
    results = page.locator("#changelist .results")
    assert results.evaluate("element => element.scrollWidth <= element.clientWidth"), "the table is cut off"
    expect(page.locator("#changelist-filter")).to_contain_text("No technique named")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert axe(page) == []
    page.screenshot(path=screenshots / "desk-listings-1280.png")


def test_a_listings_page_carries_the_directorys_colours_and_its_decisions_come_early_by_keyboard(
    open_page, axe, techniques
):
    listing = owned_listing(UserFactory(), name="Dr. Pending", status="pending")
    moderator = UserFactory(email="moderator@example.com", is_staff=True, is_superuser=True)
    page = open_page(f"/admin/directory/practitioner/{listing.pk}/change/", user=moderator,
                     viewport={"width": 1280, "height": 800})  # fmt: skip
    page.wait_for_load_state("load")
    assert page.locator("#header").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(8, 63, 83)"
    stops = 0
    while stops < 40:
        page.keyboard.press("Tab")
        stops += 1
        if page.evaluate("document.activeElement.textContent.trim()") == "Publish":
            break
    assert stops < 15, f"Publish is Tab stop {stops}"  # it sat behind a sidebar of every model
    assert axe(page) == []
