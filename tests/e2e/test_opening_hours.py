"""Opening hours in a real browser: a practitioner types the week (a mistake is said beside its field), a moderator
approves it from the diff, and a patient whose browser keeps another zone than the clinic's reads "Open now" or
"Closed, opens ..." on the clinic's own clock, on the profile and on the result card; without JavaScript the week
table stands alone; at 360 px, through axe, the keyboard's focus visible."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from directory.hours import DASH, status_at
from directory.models import Location
from practice.models import Revision
from tests.factories import UserFactory, owned_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
WEEKDAY = "9:00-12:30, 2:00 pm-5:30 pm"
# Tuesday 8 December 2026, 15:00 in Boston (the clinic), already Wednesday 5:00 in Tokyo (the patient's browser).
AFTERNOON = datetime.datetime(2026, 12, 8, 20, 0, tzinfo=datetime.UTC)
# Tuesday 22:00 in Boston, Wednesday noon in Tokyo: closed at the clinic, though noon on the browser's clock.
EVENING = datetime.datetime(2026, 12, 9, 3, 0, tzinfo=datetime.UTC)
BROWSER_ZONE = "Asia/Tokyo"
FOCUS_RING = """
() => {
  const style = getComputedStyle(document.activeElement);
  return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
}
"""


def open_at(open_page, path: str, instant: datetime.datetime, **options):
    """A page opened by a browser in BROWSER_ZONE whose clock reads `instant`."""
    page = open_page("/robots.txt", timezone_id=BROWSER_ZONE, **options)
    page.clock.install(time=instant)
    page.goto(page.url.rsplit("/", 1)[0] + path)
    return page


def test_a_practitioner_enters_hours_a_moderator_approves_and_a_patient_abroad_reads_them_on_the_clinics_clock(
    open_page, axe, screenshots, techniques, desk_moderator
):
    owner = UserFactory(email="ada@example.com")
    listing = owned_listing(owner, name="Dr. Ada Atlas")

    page = open_page(reverse("practice:edit", args=[listing.pk]), user=owner)
    hours = page.get_by_role("group", name="Opening hours")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        hours.get_by_label(day, exact=True).fill(WEEKDAY)
    hours.get_by_label("Saturday", exact=True).fill("22:00-2:00")
    hours.get_by_label("Holidays and other exceptions").fill("2026-12-24 to 2027-01-02: closed")
    page.get_by_role("button", name="Save changes").click()
    saturday = page.get_by_label("Saturday", exact=True)
    expect(page.locator(".field-hours_saturday .field-errors")).to_contain_text("cannot run overnight")
    expect(saturday).to_have_attribute("aria-invalid", "true")
    assert axe(page) == []
    saturday.fill("9-12")
    # The keyboard reaches the day fields and shows where it is.
    page.get_by_label("Friday", exact=True).focus()
    page.keyboard.press("Tab")
    expect(saturday).to_be_focused()
    assert page.evaluate(FOCUS_RING)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    revision = Revision.objects.pending().get(practitioner=listing)

    desk = open_page(f"/admin/practice/revision/{revision.pk}/change/", user=desk_moderator)
    diff = desk.locator(".diff")
    expect(diff).to_contain_text(f"Mon 9:00 am{DASH}12:30 pm, 2:00 pm{DASH}5:30 pm")
    expect(diff).to_contain_text(f"Sat 9:00 am{DASH}12:00 pm; Sun closed")
    expect(diff).to_contain_text(f"Dec 24, 2026 {DASH} Jan 2, 2027 closed")
    desk.get_by_role("region", name="Decide").get_by_role("button", name="Approve").click()
    expect(desk.locator(".messagelist")).to_contain_text("Approve: done for")

    location = Location.objects.get(practitioner=listing)
    assert location.time_zone == "America/New_York"
    expected = status_at(location.opening_hours, location.hours_exceptions, location.time_zone, AFTERNOON)
    assert expected == "Open now, closes 5:30 pm"
    patient = open_at(open_page, listing.get_absolute_url(), AFTERNOON, viewport=PHONE, is_mobile=True)
    assert patient.evaluate("new Date().getTimezoneOffset()") == -540  # the browser keeps Tokyo's time
    expect(patient.locator(".opening-hours .opening-status")).to_have_text(expected)
    expect(patient.locator("tr.today")).to_have_attribute("data-day", "tuesday")  # Tuesday at the clinic
    expect(patient.locator(".hours-exceptions")).to_contain_text(f"Dec 24, 2026 {DASH} Jan 2, 2027: Closed")
    assert axe(patient) == []
    assert patient.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    patient.screenshot(path=screenshots / "opening-hours-profile-360.png", full_page=True)

    evening = status_at(location.opening_hours, location.hours_exceptions, location.time_zone, EVENING)
    assert evening == "Closed, opens Wed 9:00 am"
    later = open_at(open_page, "/search/?near=02108", EVENING, viewport=PHONE, is_mobile=True)
    card = later.locator("#results .result").first
    expect(card.locator(".opening-status")).to_have_text(evening)
    assert axe(later) == []
    assert later.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card.get_by_role("link", name=listing.display_name).click()
    expect(later.locator(".opening-hours .opening-status")).to_have_text(evening)
    assert page.errors == desk.errors == patient.errors == later.errors == []


def test_a_holiday_reads_closed_today_and_a_listing_without_hours_says_nothing(open_page, techniques):
    owner = UserFactory(email="ada@example.com")
    listing = owned_listing(owner, name="Dr. Ada Atlas")
    week = {day: [{"opens": "09:00", "closes": "17:00"}] for day in ("monday", "tuesday", "wednesday", "thursday")}
    week |= {day: [] for day in ("friday", "saturday", "sunday")}
    listing.locations.update(
        opening_hours=week, hours_exceptions=[{"start": "2026-12-24", "end": "2027-01-02", "hours": []}]
    )
    silent = owned_listing(UserFactory(email="ben@example.com"), name="Dr. Ben Blair")
    christmas_eve = datetime.datetime(2026, 12, 24, 17, 0, tzinfo=datetime.UTC)  # Thursday noon in Boston

    page = open_at(open_page, listing.get_absolute_url(), christmas_eve)
    expect(page.locator(".opening-status")).to_have_text("Closed today (holiday)")
    quiet = open_at(open_page, silent.get_absolute_url(), christmas_eve)
    expect(quiet.get_by_role("heading", name="Location")).to_be_visible()
    expect(quiet.locator(".opening-hours, .opening-status")).to_have_count(0)
    assert "Closed" not in quiet.locator("main").inner_text()


def test_without_javascript_the_week_table_shows_and_no_status_is_claimed(open_page, techniques):
    owner = UserFactory(email="ada@example.com")
    listing = owned_listing(owner, name="Dr. Ada Atlas")
    week = {day: [{"opens": "09:00", "closes": "12:30"}, {"opens": "14:00", "closes": "17:30"}] for day in
            ("monday", "tuesday", "wednesday", "thursday", "friday")}  # fmt: skip
    listing.locations.update(opening_hours=week | {"saturday": [], "sunday": []})

    page = open_page(listing.get_absolute_url(), java_script_enabled=False, viewport=PHONE)
    table = page.get_by_role("table", name="Opening hours")
    expect(table.get_by_role("row")).to_have_count(7)
    monday = re.compile(rf"Monday( \(today\))?9:00 am{DASH}12:30 pm, 2:00 pm{DASH}5:30 pm")  # today, on a Monday
    expect(table.get_by_role("row").first).to_contain_text(monday)
    sunday = table.get_by_role("row").last  # "Sunday (today)" when the test runs on a Sunday at the practice
    expect(sunday.get_by_role("rowheader")).to_contain_text("Sunday")
    expect(sunday.get_by_role("cell")).to_have_text("Closed")
    expect(page.locator(".opening-status")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre")  # fmt: skip


def in_french(day: datetime.date) -> str:
    return f"{day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}"


@pytest.mark.parametrize("java_script", [False, True])
def test_in_canadian_french_the_week_and_the_changes_read_as_french_writes_them(
    open_page, axe, techniques, java_script
):
    listing = owned_listing(UserFactory(email="ada@example.com"), name="Dr. Ada Atlas")
    week = {day: [{"opens": "09:00", "closes": "12:30"}] for day in ("monday", "tuesday", "wednesday", "thursday")}
    start = datetime.date.today() + datetime.timedelta(days=20)  # upcoming on the server's clock, whenever it runs
    end = start + datetime.timedelta(days=9)
    listing.locations.update(
        opening_hours=week | {"friday": [], "saturday": [], "sunday": []},
        hours_exceptions=[{"start": start.isoformat(), "end": end.isoformat(), "hours": []}],
    )
    path = "/fr-ca" + listing.get_absolute_url()

    if java_script:  # the browser's clock on a Tuesday at 15:00 in Boston: closed, opening again tomorrow
        page = open_at(open_page, path, datetime.datetime(2026, 12, 8, 20, 0, tzinfo=datetime.UTC), viewport=PHONE)
    else:  # no script, so no browser clock to set
        page = open_page(path, java_script_enabled=False, viewport=PHONE)
    table = page.get_by_role("table", name="Heures d'ouverture")
    monday = table.get_by_role("row").first  # "lundi (aujourd'hui)" on a Monday at the server
    expect(monday.get_by_role("rowheader")).to_contain_text("lundi")
    expect(monday.get_by_role("cell")).to_have_text(f"09\xa0h\xa000{DASH}12\xa0h\xa030")  # not "09 09 00"
    expect(page.locator(".hours-exceptions li")).to_have_text(f"{in_french(start)} {DASH} {in_french(end)}\xa0: Fermé")
    if java_script:  # the browser's words (Intl, fr-CA) for the same clock
        expect(page.locator(".opening-status")).to_contain_text("9\xa0h\xa000")
        assert axe(page) == []  # axe-core is a script: it runs only where scripts do
    else:
        expect(page.locator(".opening-status")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize(
    "instant",
    [
        datetime.datetime(2026, 3, 8, 6, 30, tzinfo=datetime.UTC),  # Sunday 1:30 EST, before spring-forward
        datetime.datetime(2026, 3, 8, 7, 30, tzinfo=datetime.UTC),  # 3:30 EDT, the hour after the skipped one
        datetime.datetime(2026, 3, 8, 12, 30, tzinfo=datetime.UTC),  # 8:30 EDT (7:30 by the winter offset)
        datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC),  # the first 1:30 of fall-back day (EDT)
        datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.UTC),  # the second 1:30 (EST)
        datetime.datetime(2026, 11, 1, 13, 30, tzinfo=datetime.UTC),  # 8:30 EST (9:30 by the summer offset)
        datetime.datetime(2026, 12, 12, 4, 59, tzinfo=datetime.UTC),  # Friday 23:59: open into Saturday
        datetime.datetime(2026, 12, 12, 7, 30, tzinfo=datetime.UTC),  # Saturday 2:30: closed after midnight
        datetime.datetime(2026, 12, 31, 17, 0, tzinfo=datetime.UTC),  # New Year's Eve, inside the closure
        datetime.datetime(2027, 1, 2, 17, 0, tzinfo=datetime.UTC),  # its last day, a Saturday
        datetime.datetime(2026, 12, 23, 23, 0, tzinfo=datetime.UTC),  # before it: reopens after New Year
    ],
)
def test_the_browser_says_what_directory_hours_says_across_dst_midnight_and_new_year(open_page, techniques, instant):
    listing = owned_listing(UserFactory(email="ada@example.com"), name="Dr. Ada Atlas")
    week = {day: [{"opens": "09:00", "closes": "17:30"}] for day in ("monday", "tuesday", "wednesday", "thursday")}
    week |= {
        "friday": [{"opens": "09:00", "closes": "12:00"}, {"opens": "18:00", "closes": "24:00"}],
        "saturday": [{"opens": "00:00", "closes": "02:00"}, {"opens": "09:00", "closes": "12:00"}],
        "sunday": [{"opens": "01:00", "closes": "04:00"}, {"opens": "09:00", "closes": "17:00"}],
    }
    closure = [{"start": "2026-12-24", "end": "2027-01-02", "hours": []}]
    listing.locations.update(opening_hours=week, hours_exceptions=closure)
    location = listing.locations.get()
    expected = status_at(week, closure, location.time_zone, instant)

    page = open_at(open_page, listing.get_absolute_url(), instant)
    expect(page.locator(".opening-status")).to_have_text(expected)
    assert page.errors == []
