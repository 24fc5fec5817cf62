"""The desk in a real browser: a patient reports wrong information (keyboard, no JavaScript, a phone's width);
a moderator works the queue, reads unmet demand on its map, imports a file; axe-core finds no violations."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directory.models import Practitioner, UnmetDemand
from moderation import services as desk
from moderation.models import Report
from practice import services
from practice.listing import listing_values
from tests.factories import UserFactory, owned_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listing(techniques) -> Practitioner:
    return owned_listing(UserFactory(email="owner@example.com"), name="Dr. Ada Atlas")


@pytest.fixture
def moderator(db):
    return UserFactory(email="moderator@example.com", is_staff=True, is_superuser=True)


def report_path(listing: Practitioner) -> str:
    return f"/practitioners/{listing.pk}-{listing.slug}/report/"


def test_a_patient_reports_a_wrong_phone_by_keyboard_from_the_profile(open_page, axe, listing):
    page = open_page(listing.get_absolute_url())
    page.get_by_role("link", name="Report incorrect information").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report incorrect information")
    assert axe(page) == []
    page.get_by_role("radio", name="The phone number is wrong").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Details")).to_be_focused()  # the hidden honeypot is skipped
    page.keyboard.type("It rings a bakery.")
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-mail for a reply (optional)")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send the report")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(listing.display_name)
    expect(page.get_by_text("A moderator will check the listing")).to_be_visible()
    assert Report.objects.get().details == "It rings a bakery."


def test_the_report_form_shows_its_errors_without_javascript_at_360_pixels(open_page, axe, listing):
    page = open_page(
        report_path(listing), java_script_enabled=False, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    page.get_by_label("E-mail for a reply (optional)").fill("not-an-address")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Choose what is wrong.")).to_be_visible()
    expect(page.get_by_label("E-mail for a reply (optional)")).to_have_attribute("aria-invalid", "true")
    assert not Report.objects.exists()


def test_the_report_form_fits_a_phone_and_passes_axe_with_errors_shown(open_page, axe, listing):
    page = open_page(report_path(listing), viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Choose what is wrong.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe(page) == []


def test_a_moderator_works_the_queue_from_the_admin_index(open_page, axe, listing, moderator, screenshots):
    owner = listing.owner
    pending = owned_listing(owner, name="Dr. Bea Blair", status=Practitioner.Status.PENDING)
    proposed = listing_values(listing)
    proposed["practitioner"]["bio"] = "Evening hours on Tuesdays."
    services.listing_edit(practitioner=listing, editor=owner, proposed=proposed, accepting_new_patients=True)
    desk.report_submit(practitioner=listing, problem=Report.Problem.MOVED, details="Now on Elm St.", email="")
    page = open_page("/admin/", user=moderator, viewport={"width": 1100, "height": 900})
    queue = page.get_by_role("region", name="The queue")
    expect(queue).to_contain_text("Listings awaiting review: 1")
    expect(queue).to_contain_text("Edits awaiting review: 1")
    expect(queue).to_contain_text("Open reports: 1")
    assert axe(page) == []
    page.screenshot(path=screenshots / "queue.png", full_page=True)
    queue.get_by_role("link", name=str(pending)).click()
    expect(page.get_by_role("heading", name=str(pending))).to_be_visible()
    assert axe(page) == []
    page.go_back()
    queue.get_by_role("link", name=f"Edit of {listing}").click()
    expect(page.get_by_text("Evening hours on Tuesdays.")).to_be_visible()
    assert axe(page) == []


def test_the_unmet_demand_page_has_a_table_and_a_map_and_passes_axe(open_page, axe, moderator, screenshots):
    now = timezone.now()
    for area, latitude, longitude, searches in [
        ("59801 (Missoula, MT)", 46.86, -114.01, 14),
        ("Fargo, ND", 46.88, -96.79, 6),
        ("Near 44.1, -103.2", 44.1, -103.2, 2),
    ]:
        UnmetDemand.objects.create(
            area=area, latitude=latitude, longitude=longitude, searches=searches, first_seen=now, last_seen=now
        )
    page = open_page("/admin/directory/unmetdemand/", user=moderator, viewport={"width": 1100, "height": 900})
    expect(page.locator("#demand-map .leaflet-interactive")).to_have_count(3)
    expect(page.locator('#demand-map .leaflet-interactive[tabindex="-1"]')).to_have_count(3)  # no nameless stops
    expect(page.locator("#result_list")).to_contain_text("59801 (Missoula, MT)")
    assert axe(page) == []
    assert page.errors == []
    page.screenshot(path=screenshots / "unmet-demand.png", full_page=True)
    narrow = open_page(
        "/admin/directory/unmetdemand/", user=moderator, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    expect(narrow.locator("#result_list")).to_contain_text("Fargo, ND")
    assert axe(narrow) == []


@pytest.mark.parametrize("path", ["/admin/directory/practitioner/import/", "/admin/moderation/auditentry/"])
def test_the_desks_other_pages_pass_axe(open_page, axe, moderator, path):
    page = open_page(path, user=moderator)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe(page) == []


@pytest.mark.parametrize("path", ["/admin/", "/admin/moderation/report/", "/admin/practice/revision/"])
def test_the_desk_works_at_360_pixels_with_axe(open_page, axe, listing, moderator, path):
    desk.report_submit(practitioner=listing, problem=Report.Problem.CLOSED, details="", email="")
    page = open_page(path, user=moderator, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe(page) == []
