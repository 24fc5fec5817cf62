"""Placing a clinic: a geocoder speaking Nominatim's API on loopback (no mock object), then postal codes."""

import time

import pytest
import zipcodes
from geopy.distance import geodesic

from directory.models import Location
from practice.geocoding import Address, AddressNotPlaced, place_address

pytestmark = pytest.mark.django_db

BEACON_STREET = Address("1 Beacon Street", "Boston", "MA", "02108", "US")
STATE_HOUSE = (42.35799, -71.06371)  # the point the test server answers for 1 Beacon Street


def published_centre(zip_code: str) -> tuple[float, float]:
    """The ZIP code's coordinates as the zipcodes package publishes them (the independent reference)."""
    [row] = zipcodes.matching(zip_code)
    return float(row["lat"]), float(row["long"])


def km(first: tuple[float, float], second: tuple[float, float]) -> float:
    return geodesic(first, second).km


def test_an_address_the_geocoder_knows_is_placed_at_its_answer(nominatim):
    nominatim.places = {"1 beacon street": STATE_HOUSE}
    placed = place_address(BEACON_STREET)
    assert placed.placement == Location.Placement.ADDRESS
    assert (placed.point.latitude, placed.point.longitude) == STATE_HOUSE
    [request] = nominatim.requests
    assert request["path"] == "/search"
    assert request["query"]["street"] == "1 Beacon Street"
    assert request["query"]["postalcode"] == "02108"
    assert request["query"]["countrycodes"] == "us"
    assert request["query"]["format"] == "json"
    assert request["user_agent"].startswith("upper-cervical-directory/")


def test_answers_are_cached_so_the_same_address_asks_once(nominatim):
    nominatim.places = {"1 beacon street": STATE_HOUSE}
    place_address(BEACON_STREET)
    again = place_address(Address("1 BEACON STREET ", "boston", "MA", "02108", "US"))
    assert (again.point.latitude, again.point.longitude) == STATE_HOUSE
    assert len(nominatim.requests) == 1


def test_an_empty_answer_falls_back_to_the_postal_code_and_says_it_is_approximate(nominatim):
    placed = place_address(BEACON_STREET)
    assert placed.is_approximate
    assert km((placed.point.latitude, placed.point.longitude), published_centre("02108")) < 0.1
    assert len(nominatim.requests) == 1


def test_a_geocoder_that_times_out_falls_back_within_its_timeout(nominatim):
    nominatim.places = {"1 beacon street": STATE_HOUSE}
    nominatim.delay = 1.5  # GEOCODER_TIMEOUT is 1 s here
    started = time.monotonic()
    placed = place_address(BEACON_STREET)
    assert placed.placement == Location.Placement.POSTAL_CODE
    assert time.monotonic() - started < 2.5


def test_a_geocoder_error_falls_back_to_the_postal_code(nominatim):
    nominatim.status = 503
    assert place_address(BEACON_STREET).placement == Location.Placement.POSTAL_CODE


def test_an_answer_far_from_the_postal_code_is_not_trusted(nominatim):
    nominatim.places = {"1 beacon street": (39.80, -89.64)}  # a Beacon Street in Springfield, Illinois
    assert place_address(BEACON_STREET).placement == Location.Placement.POSTAL_CODE


def test_without_a_geocoder_the_postal_code_places_the_clinic(settings):
    settings.GEOCODER_URL = ""
    placed = place_address(Address("1 Main St", "Calgary", "AB", "T2P 1J9", "CA"))
    assert placed.placement == Location.Placement.POSTAL_CODE
    assert 50.9 < placed.point.latitude < 51.2 and -114.2 < placed.point.longitude < -113.9  # downtown Calgary


def test_an_address_nobody_can_place_is_an_error_naming_the_postal_code(nominatim):
    with pytest.raises(AddressNotPlaced, match="postal code 00000"):
        place_address(Address("1 Nowhere Road", "Nowhere", "MA", "00000", "US"))


def test_requests_are_spaced_by_the_minimum_interval(nominatim, settings):
    settings.GEOCODER_MIN_INTERVAL_SECONDS = 1.0
    settings.GEOCODER_TIMEOUT = 5
    started = time.monotonic()
    place_address(BEACON_STREET)
    place_address(Address("2 Beacon Street", "Boston", "MA", "02108", "US"))
    first, second = nominatim.requests
    # The first took its turn at `started` (or just after); the second could not ask until a second later.
    assert first["at"] >= started
    assert second["at"] - started >= 0.95
