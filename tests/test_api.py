"""GET /api/v1/practitioners/: the same search as the page, as JSON."""

import pytest
from django.urls import reverse
from geopy.distance import geodesic

from directory.geo import KM_PER_MILE
from tests.factories import LocationFactory, practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = pytest.mark.django_db

API = reverse("api:practitioner-list")


def test_a_result_has_the_documented_shape(client, nucca):
    practitioner = practitioner_at(*destination(BOSTON, 8), techniques=[nucca], name="Dr. Shape")
    location = practitioner.locations.get()
    body = client.get(API, {"near": "02108"}).json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    (result,) = body["results"]
    assert result == {
        "id": practitioner.pk,
        "name": "Dr. Shape",
        "credentials": "DC",
        "techniques": [{"slug": "nucca", "name": "NUCCA", "verified_on": None, "verified_until": None}],
        "distance": pytest.approx(8 / KM_PER_MILE, abs=0.01),
        "location": {
            "id": location.pk,
            "clinic_name": location.clinic_name,
            "address_line1": location.address_line1,
            "city": "Boston",
            "state": "MA",
            "postal_code": "02108",
            "country": "US",
            "latitude": location.latitude,
            "longitude": location.longitude,
            "phone": "(617) 555-0100",  # the practitioner's, as the page shows it when the location has none
            "opening_hours": None,  # the listing says nothing about its hours
            "time_zone": "America/New_York",
        },
        "url": "http://testserver" + practitioner.get_absolute_url(),
        "languages": [],
        "not_recently_confirmed": False,
        "photo": None,
    }


def test_distances_are_json_numbers_in_the_requested_unit_matching_the_geodesic(client):
    practitioner_at(*destination(BOSTON, 12.5))
    (result,) = client.get(API, {"near": "02108", "unit": "km"}).json()["results"]
    location = result["location"]
    expected = geodesic((BOSTON.latitude, BOSTON.longitude), (location["latitude"], location["longitude"])).km
    assert isinstance(result["distance"], float)
    assert result["distance"] == pytest.approx(expected, rel=0.005)


def test_it_shows_each_practitioner_once_with_its_nearest_location(client):
    practitioner = practitioner_at(42.45, -71.0684)
    nearest = LocationFactory(practitioner=practitioner, latitude=42.36, longitude=-71.07)
    results = client.get(API, {"near": "02108"}).json()["results"]
    assert [result["location"]["id"] for result in results] == [nearest.pk]


def test_without_near_it_lists_every_published_practitioner_by_name_without_distance(client):
    practitioner_at(10, 10, name="Zed")
    practitioner_at(20, 20, name="Amy")
    practitioner_at(30, 30, name="Hidden", status="pending")
    results = client.get(API).json()["results"]
    assert [result["name"] for result in results] == ["Amy", "Zed"]
    assert [result["distance"] for result in results] == [None, None]


def test_techniques_are_repeatable_and_match_any(client, nucca, blair):
    practitioner_at(*destination(BOSTON, 1), techniques=[nucca], name="N")
    practitioner_at(*destination(BOSTON, 2), techniques=[blair], name="B")
    practitioner_at(*destination(BOSTON, 3), name="None")
    body = client.get(API, {"near": "02108", "technique": ["nucca", "blair"]}).json()
    assert [result["name"] for result in body["results"]] == ["N", "B"]


def test_it_pages_with_page_and_page_size(client):
    for index in range(5):
        practitioner_at(*destination(BOSTON, 1 + index), name=f"P{index}")
    first = client.get(API, {"near": "02108", "page_size": "2"}).json()
    assert first["count"] == 5
    assert [result["name"] for result in first["results"]] == ["P0", "P1"]
    assert "page=2" in first["next"] and "near=02108" in first["next"]
    last = client.get(API, {"near": "02108", "page_size": "2", "page": "3"}).json()
    assert [result["name"] for result in last["results"]] == ["P4"]
    assert last["next"] is None


def test_a_page_past_the_end_is_not_found(client):
    practitioner_at(*destination(BOSTON, 1))
    assert client.get(API, {"near": "02108", "page": "2"}).status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"near": "00000"}, {"near": ["No such ZIP code: 00000"]}),
        ({"near": "abc"}, {"near": None}),
        ({"near": "91,200"}, {"near": ["Latitude must be between -90 and 90."]}),
        ({"near": "02108", "radius": "0"}, {"radius": ["Enter a radius greater than 0."]}),
        ({"near": "02108", "radius": "-1"}, {"radius": ["Enter a radius greater than 0."]}),
        ({"near": "02108", "radius": "NaN"}, {"radius": ["Enter a number."]}),
        ({"near": "02108", "radius": "501"}, {"radius": ["Enter a radius of at most 500 mi."]}),
        ({"near": "02108", "technique": "reiki"}, {"technique": ["Unknown technique: reiki"]}),
        ({"near": "02108", "unit": "parsecs"}, {"unit": ["Choose mi (miles) or km (kilometres)."]}),
        ({"near": "0210\x008"}, {"near": ["Null characters are not allowed."]}),
        ({"near": "x" * 5000}, {"near": None}),
        ({"page_size": "0"}, {"page_size": ["Enter a whole number from 1 to 100."]}),
        ({"page_size": "101"}, {"page_size": ["Enter a whole number from 1 to 100."]}),
        ({"page_size": "ten"}, {"page_size": ["Enter a whole number from 1 to 100."]}),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, params, expected):
    response = client.get(API, params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == set(expected)
    for name, messages in expected.items():
        if messages is not None:
            assert body[name] == messages


def test_the_api_needs_a_constant_number_of_queries(client, django_assert_max_num_queries, nucca, unprepared):
    for index in range(40):
        practitioner = practitioner_at(*destination(BOSTON, 1 + index), techniques=[nucca])
        LocationFactory(practitioner=practitioner, latitude=42.5, longitude=-71.2)
    client.get(API, {"near": "10001"})  # the techniques are read once per public version, then cached
    search = {"near": "02108", "radius": "100", "page_size": "30", "technique": "nucca"}
    with django_assert_max_num_queries(5):  # the public version, count, page, its locations, its techniques
        response = client.get(API, search)
    assert len(response.json()["results"]) == 30
    with django_assert_max_num_queries(1):  # the same search again: the public version, then the cached answer
        again = client.get(API, search)
    assert again.content == response.content


def test_input_quoted_back_in_an_error_cannot_be_read_as_markup(client):
    response = client.get(API, {"technique": "<b>x</b>&"})
    assert response.status_code == 400
    assert b"<b>" not in response.content
    assert response.json() == {"technique": ["Unknown technique: <b>x</b>&"]}


def test_a_count_past_the_cap_is_said_to_be_a_lower_bound(client, monkeypatch):
    monkeypatch.setattr("directory.search.COUNT_CAP", 3)
    for index in range(5):
        practitioner_at(*destination(BOSTON, 1 + index), name=f"Dr. {index}")
    body = client.get(API, {"near": "02108", "page_size": "2"}).json()
    assert (body["count"], body["count_is_exact"]) == (3, False)
    assert [result["name"] for result in body["results"]] == ["Dr. 0", "Dr. 1"]
    page = client.get("/search/", {"near": "02108"}).content.decode()
    assert "3+ practitioners within 25 mi" in " ".join(page.split())
    exact = client.get(API, {"near": "02108", "radius": "1"}).json()  # 1.6 km: only the one 1 km away
    assert (exact["count"], exact["count_is_exact"]) == (1, True)
