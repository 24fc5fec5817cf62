"""Opening hours on the pages: typed on the practitioner's form, reviewed like any edit, shown on the profile
(the week; the status is the browser's), carried by the result card, JSON-LD and the API, and seeded in the demo."""

import datetime
import io
import json
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.forms import modelform_factory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from directory.admin import LocationAdminForm
from directory.answers import public_version_bump
from directory.hours import DASH, day_parsed, exceptions_parsed, opening_hours_checked, week_from_days
from directory.models import Location, Practitioner
from moderation import services as desk
from practice.listing import listing_changes, listing_values
from practice.models import Revision
from tests.factories import LocationFactory, listing_form_data, owned_listing, practitioner_at

pytestmark = pytest.mark.django_db

SEARCH = reverse("directory:search")
API = "/api/v1/practitioners/"
HOURS = week_from_days(
    {"monday": day_parsed("9:00-12:30, 14:00-18:00"), "tuesday": day_parsed("9-17"), "friday": day_parsed("9-12")}
)
NEW_YEAR = exceptions_parsed("2026-12-24 to 2027-01-02: closed")


def json_ld(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def hours_data(html: str) -> list[dict]:
    """What each data-opening-hours attribute hands the browser."""
    return [json.loads(value.replace("&quot;", '"')) for value in re.findall(r'data-opening-hours="([^"]*)"', html)]


def with_hours(practitioner: Practitioner, **fields: object) -> Practitioner:
    practitioner.locations.update(**{"opening_hours": HOURS, "hours_exceptions": NEW_YEAR, **fields})
    return practitioner


class TestThePractitionersForm:
    def test_a_new_listing_keeps_each_days_hours_and_the_exceptions(self, owner_client, owner):
        data = listing_form_data(
            **{
                "locations-0-hours_monday": "2:00 pm-6:00 pm, 9:00-12:30",
                "locations-0-hours_tuesday": "9-17",
                "locations-0-hours_wednesday": "closed",
                "locations-0-hours_exceptions": "2026-12-31: 9:00-12:00\n2026-12-24 to 2026-12-26: closed",
            }
        )
        assert owner_client.post(reverse("practice:new"), data).status_code == 302
        location = Location.objects.get(practitioner__owner=owner)
        assert location.opening_hours["monday"] == [
            {"opens": "09:00", "closes": "12:30"},
            {"opens": "14:00", "closes": "18:00"},
        ]
        assert location.opening_hours["tuesday"] == [{"opens": "09:00", "closes": "17:00"}]
        assert location.opening_hours["wednesday"] == location.opening_hours["sunday"] == []
        assert location.hours_exceptions == [
            {"start": "2026-12-24", "end": "2026-12-26", "hours": []},
            {"start": "2026-12-31", "end": "2026-12-31", "hours": [{"opens": "09:00", "closes": "12:00"}]},
        ]

    def test_leaving_every_day_empty_says_nothing_about_hours(self, owner_client, owner):
        assert owner_client.post(reverse("practice:new"), listing_form_data()).status_code == 302
        location = Location.objects.get(practitioner__owner=owner)
        assert location.opening_hours == {} and location.hours_exceptions == []

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("hours_monday", "22:00-2:00", "cannot run overnight: end the day at 24:00"),
            ("hours_monday", "9-12, 11-13", "overlap: give each time once."),
            ("hours_friday", "nine to five", '"nine" is not a time'),
            ("hours_exceptions", "2026-12-24 to 2027-01-02 closed", "Line 1: could not read"),
            ("hours_exceptions", "2026-12-24: closed\n2026-13-01: closed", "Line 2: "),
        ],
    )
    def test_hours_that_cannot_be_read_are_a_field_error_on_the_page(self, owner_client, owner, field, value, message):
        response = owner_client.post(reverse("practice:new"), listing_form_data(**{f"locations-0-{field}": value}))
        assert response.status_code == 400
        (error,) = response.context["locations"].forms[0].errors[field]
        assert message in error
        page = response.content.decode()
        assert f'id="id_locations-0-{field}_errors"' in page
        assert "Please correct what is marked below; nothing was saved." in page
        assert not Practitioner.objects.filter(owner=owner).exists()

    def test_the_edit_form_shows_the_hours_as_saved_under_their_own_heading(self, owner_client, owner):
        listing = with_hours(owned_listing(owner))
        page = owner_client.get(reverse("practice:edit", args=[listing.pk])).content.decode()
        assert "<legend>Opening hours</legend>" in page
        assert 'name="locations-0-hours_monday" value="9:00-12:30, 14:00-18:00"' in page
        assert 'name="locations-0-hours_friday" value="9:00-12:00"' in page
        assert "2026-12-24 to 2027-01-02: closed</textarea>" in page

    def test_saving_the_form_unchanged_proposes_no_change_to_the_hours(self, owner_client, owner):
        listing = with_hours(owned_listing(owner))
        data = listing_form_data(listing, bio="Now with hours.")
        assert owner_client.post(reverse("practice:edit", args=[listing.pk]), data).status_code == 302
        proposed = Revision.objects.pending().get().proposed
        assert proposed["locations"][0]["opening_hours"] == HOURS
        assert proposed["locations"][0]["hours_exceptions"] == NEW_YEAR


class TestTheReview:
    def test_new_hours_on_a_published_listing_are_invisible_until_approved(
        self, owner_client, owner, client, desk_moderator
    ):
        listing = owned_listing(owner, name="Dr. Ada Atlas")
        data = listing_form_data(
            listing,
            **{"locations-0-hours_monday": "9-12:30, 14-18", "locations-0-hours_exceptions": "2026-12-24: closed"},
        )
        assert owner_client.post(reverse("practice:edit", args=[listing.pk]), data).status_code == 302
        assertNotContains(client.get(listing.get_absolute_url()), "Opening hours")
        assert client.get(API, {"near": "02108"}).json()["results"][0]["location"]["opening_hours"] is None

        revision = Revision.objects.pending().get()
        changes = listing_changes(listing_values(listing), revision.proposed)
        monday = f"Mon 9:00 am{DASH}12:30 pm, 2:00 pm{DASH}6:00 pm; Tue closed; Wed closed"
        assert any(
            what == "Location 1: opening hours" and before == "Not given" and after.startswith(monday)
            for what, before, after in changes
        )
        assert ["Location 1: exceptions to the opening hours", "None", "Dec 24, 2026 closed"] in changes
        desk.revision_approve(revision=revision, moderator=desk_moderator)

        assertContains(client.get(listing.get_absolute_url()), "<h4 id=", html=False)
        location = client.get(API, {"near": "02108"}).json()["results"][0]["location"]
        assert location["opening_hours"]["monday"] == [
            {"opens": "09:00", "closes": "12:30"},
            {"opens": "14:00", "closes": "18:00"},
        ]

    def test_a_proposal_made_before_hours_existed_still_applies_and_keeps_them(self, owner, desk_moderator):
        listing = with_hours(owned_listing(owner, bio="Before."))
        proposed = listing_values(listing)
        proposed["practitioner"]["bio"] = "After."
        for location in proposed["locations"]:
            del location["opening_hours"], location["hours_exceptions"]
        revision = Revision.objects.create(practitioner=listing, submitted_by=owner, proposed=proposed)
        changes = listing_changes(listing_values(listing), revision.proposed)
        assert [what for what, _before, _after in changes] == ["Bio"]
        desk.revision_approve(revision=revision, moderator=desk_moderator)
        location = listing.locations.get()
        assert (location.opening_hours, location.hours_exceptions) == (HOURS, NEW_YEAR)
        assert Practitioner.objects.get(pk=listing.pk).bio == "After."


class TestTheProfile:
    def test_it_shows_the_week_with_today_marked_on_the_clinics_own_clock(self, client, settings):
        settings.TIME_ZONE = "America/New_York"
        practitioner = with_hours(practitioner_at(34.0522, -118.2437))  # Los Angeles
        # Wednesday 9 December 2026 at 2:00 UTC: Tuesday 18:00 in Los Angeles, Tuesday 21:00 on the server.
        with time_machine.travel(datetime.datetime(2026, 12, 9, 2, 0, tzinfo=datetime.UTC), tick=False):
            page = client.get(practitioner.get_absolute_url()).content.decode()
        assert '<tr data-day="tuesday" class="today"><th scope="row">Tuesday<span class="today-mark"> (today)' in page
        assert page.count('class="today"') == 1
        monday = (
            f'<span class="interval">9:00 am{DASH}12:30 pm,</span> <span class="interval">2:00 pm{DASH}6:00 pm</span>'
        )
        assert f"<td>{monday}</td>" in page
        assert (
            '<th scope="row">Sunday<span class="today-mark"></span></th><td><span class="interval">Closed</span></td>'
            in page
        )
        assert f"<li>Dec 24, 2026 {DASH} Jan 2, 2027: Closed</li>" in page

    @pytest.mark.needs_catalogue
    def test_a_canadian_french_profile_writes_the_hours_and_the_changes_as_french_does(self, client):
        changes = exceptions_parsed("2026-12-24 to 2027-01-02: closed\n2027-02-01: closed")
        practitioner = with_hours(practitioner_at(45.5019, -73.5674), hours_exceptions=changes)  # Montréal
        with time_machine.travel(datetime.datetime(2026, 12, 9, 17, 0, tzinfo=datetime.UTC), tick=False):
            page = client.get("/fr-ca" + practitioner.get_absolute_url()).content.decode()
        nine, half_past_twelve = "09\xa0h\xa000", "12\xa0h\xa030"
        assert f'<span class="interval">{nine}{DASH}{half_past_twelve},</span>' in page  # not "09 09 00"
        assert f"<li>24 décembre 2026 {DASH} 2 janvier 2027\xa0: Fermé</li>" in page  # a space before the colon
        assert "<li>1er février 2027\xa0: Fermé</li>" in page  # not "1 février"

    def test_an_exception_that_is_over_is_no_longer_listed(self, client):
        practitioner = with_hours(practitioner_at(42.3576, -71.0684))
        with time_machine.travel(datetime.datetime(2027, 1, 3, 17, 0, tzinfo=datetime.UTC), tick=False):
            page = client.get(practitioner.get_absolute_url()).content.decode()
        assert "Opening hours" in page and "Holidays and other changes" not in page

    def test_it_hands_the_browser_the_hours_and_zone_but_never_a_status(self, client):
        practitioner = with_hours(practitioner_at(34.0522, -118.2437))
        page = client.get(practitioner.get_absolute_url()).content.decode()
        assert hours_data(page) == [{"zone": "America/Los_Angeles", "week": HOURS, "exceptions": NEW_YEAR}]
        assert '<p class="opening-status" aria-live="polite" hidden></p>' in page
        assert "Open now" not in page and "Closed," not in page
        assert re.search(r'<script src="[^"]*directory/opening-hours\.js" defer></script>', page)

    def test_a_listing_without_hours_says_nothing_about_hours(self, client):
        practitioner = practitioner_at(42.3576, -71.0684)
        page = client.get(practitioner.get_absolute_url()).content.decode()
        assert "Opening hours" not in page and "data-opening-hours" not in page and "Closed" not in page
        assert "openingHoursSpecification" not in json.dumps(json_ld(page))

    def test_json_ld_gives_each_location_its_opening_hours_specification(self, client):
        practitioner = with_hours(practitioner_at(42.3576, -71.0684))
        LocationFactory(practitioner=practitioner, clinic_name="Second office")  # says nothing about its hours
        data = json_ld(client.get(practitioner.get_absolute_url()).content.decode())
        first, second = data["location"]
        day = "https://schema.org/{}".format
        assert first["openingHoursSpecification"] == [
            {"@type": "OpeningHoursSpecification", "dayOfWeek": [day("Friday")], "opens": "09:00", "closes": "12:00"},
            {"@type": "OpeningHoursSpecification", "dayOfWeek": [day("Monday")], "opens": "09:00", "closes": "12:30"},
            {"@type": "OpeningHoursSpecification", "dayOfWeek": [day("Tuesday")], "opens": "09:00", "closes": "17:00"},
            {"@type": "OpeningHoursSpecification", "dayOfWeek": [day("Monday")], "opens": "14:00", "closes": "18:00"},
            {"@type": "OpeningHoursSpecification", "opens": "00:00", "closes": "00:00", "validFrom": "2026-12-24",
             "validThrough": "2027-01-02"},
        ]  # fmt: skip
        assert "openingHoursSpecification" not in second


class TestTheResultsAndTheApi:
    def test_the_card_carries_the_listed_locations_hours_at_no_extra_query(self, client, nucca, unprepared):
        practitioners = [
            practitioner_at(42.3576 + index / 200, -71.0684, techniques=[nucca], name=f"Dr. Card {index}")
            for index in range(12)
        ]

        def search() -> tuple[int, str]:
            client.get(SEARCH, {"near": "10001"})  # the techniques are read once per public version
            with CaptureQueriesContext(connection) as queries:
                page = client.get(SEARCH, {"near": "02108"}).content.decode()
            return len(queries), page

        without, page = search()
        assert "data-opening-hours" not in page and "Closed" not in page
        for practitioner in practitioners:
            with_hours(practitioner)
        public_version_bump()
        with_hours_count, page = search()
        assert with_hours_count == without
        assert len(hours_data(page)) == 12
        assert page.count('<p class="opening-status" data-opening-hours=') == 12
        # The cached answer carries the hours, never a status that would go stale.
        assert "Open now" not in page and "Closed," not in page

    def test_the_api_gives_each_location_its_opening_hours_and_time_zone(self, client):
        with_hours(practitioner_at(34.0522, -118.2437), hours_exceptions=[])
        (result,) = client.get(API, {"near": "90012"}).json()["results"]
        assert result["location"]["time_zone"] == "America/Los_Angeles"
        assert result["location"]["opening_hours"] == HOURS
        assert list(result["location"]["opening_hours"]) == [
            "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
        ]  # fmt: skip

    def test_the_schema_documents_opening_hours_and_time_zone(self, client):
        schema = client.get(reverse("schema"), {"format": "json"}).json()
        location = schema["components"]["schemas"]["Location"]["properties"]
        assert location["opening_hours"]["nullable"] is True
        interval = location["opening_hours"]["properties"]["monday"]["items"]
        assert interval["required"] == ["opens", "closes"]
        assert "IANA" in location["time_zone"]["description"]
        docs = client.get(reverse("api-docs")).content.decode()
        assert "opening_hours" in docs and "time_zone" in docs


def test_the_demo_listings_have_hours_a_practitioner_could_have_typed():
    call_command("seed_demo", per_area=1, stdout=io.StringIO())
    locations = list(Location.objects.filter(practitioner__external_id__startswith="demo-"))
    with_hours_set = [location for location in locations if location.opening_hours]
    assert len(with_hours_set) > len(locations) / 2
    assert any(not location.opening_hours for location in locations)  # some say nothing, as in life
    for location in with_hours_set:
        assert opening_hours_checked(location.opening_hours) == location.opening_hours
        assert location.hours_exceptions[0]["end"].endswith("-12-26") and location.hours_exceptions[0]["hours"] == []


class TestTheAdmin:
    def form(self, location: Location, **data: str):
        fields = ["opening_hours", "hours_exceptions"]
        return modelform_factory(Location, form=LocationAdminForm, fields=fields)(
            {"opening_hours": "{}", "hours_exceptions": "[]", **data}, instance=location
        )

    def test_hours_typed_as_json_in_the_admin_must_have_the_listing_forms_shape(self):
        location = practitioner_at(42.3576, -71.0684).locations.get()
        wrong = self.form(location, opening_hours='{"monday": [{"opens": "17:00", "closes": "09:00"}]}')
        assert not wrong.is_valid()
        assert "closes before it opens (no overnight hours)" in wrong.errors["opening_hours"][0]
        dated = self.form(location, hours_exceptions='[{"start": "2026-12-24", "hours": []}]')
        assert not dated.is_valid() and "Exceptions are a list of" in dated.errors["hours_exceptions"][0]

    def test_a_week_saved_in_the_admin_is_stored_with_every_day(self):
        location = practitioner_at(42.3576, -71.0684).locations.get()
        form = self.form(location, opening_hours='{"tuesday": [{"opens": "09:00", "closes": "17:00"}]}')
        assert form.is_valid(), form.errors
        form.save()
        location.refresh_from_db()
        assert location.opening_hours["tuesday"] == [{"opens": "09:00", "closes": "17:00"}]
        assert location.opening_hours["monday"] == [] and len(location.opening_hours) == 7
