"""Unmet demand: a search that finds nobody within its radius is counted by coarse area, every time it is
asked (cached or not); a search that finds someone, or is invalid, is not; nothing personal is kept."""

import pytest
from django.urls import reverse

from directory.models import UnmetDemand
from tests.factories import practitioner_at

pytestmark = pytest.mark.django_db

PAGE, API = reverse("directory:search"), reverse("api:practitioner-list")


def counts() -> dict[str, int]:
    return dict(UnmetDemand.objects.values_list("area", "searches"))


@pytest.mark.parametrize("url", [PAGE, API])
def test_an_empty_search_is_counted_by_its_zip_code_each_time_it_is_asked(client, url):
    for _ in range(3):
        assert client.get(url, {"near": "59801"}).status_code == 200
    assert counts() == {"59801 (Missoula, MT)": 3}
    area = UnmetDemand.objects.get()
    assert (round(area.latitude, 1), round(area.longitude, 1)) == (46.9, -114.0)
    assert area.first_seen <= area.last_seen


def test_the_page_and_the_api_count_into_the_same_area(client):
    client.get(PAGE, {"near": "Missoula, MT"})
    client.get(API, {"near": "missoula,  mt", "radius": "10"})
    assert counts() == {"Missoula, MT": 2}


def test_a_search_that_finds_someone_is_not_counted(client):
    practitioner_at(42.3576, -71.0684)
    client.get(PAGE, {"near": "02108"})
    client.get(API, {"near": "02108"})
    assert counts() == {}


def test_a_search_with_nobody_within_a_small_radius_is_counted_even_with_someone_further(client):
    practitioner_at(42.3576, -71.0684)
    client.get(PAGE, {"near": "01002", "radius": "5"})  # Amherst, MA: Boston is 80 mi away
    assert counts() == {"01002 (Amherst, MA)": 1}


@pytest.mark.parametrize("params", [{}, {"near": "00000"}, {"near": "02108", "radius": "-1"}, {"near": "<b>"}])
def test_invalid_searches_and_searches_without_a_place_are_not_counted(client, params):
    client.get(PAGE, params)
    client.get(API, params)
    assert counts() == {}


def test_coordinates_are_rounded_to_a_tenth_of_a_degree_before_they_are_kept(client):
    client.get(API, {"near": "46.87213,-113.99374"})
    client.get(PAGE, {"near": "46.9123,-114.0263"})
    assert counts() == {"Near 46.9, -114.0": 2}
    area = UnmetDemand.objects.get()
    assert (area.latitude, area.longitude) == (46.9, -114.0)


def test_a_signed_in_visitor_and_a_page_served_whole_from_the_cache_are_both_counted(client, owner):
    client.get(PAGE, {"near": "59801"})
    client.get(PAGE, {"near": "59801"})  # the whole page, from the cache
    client.force_login(owner)
    client.get(PAGE, {"near": "59801"})
    assert counts() == {"59801 (Missoula, MT)": 3}


def test_a_page_past_the_end_is_not_counted(client):
    assert client.get(PAGE, {"near": "59801", "page": "2"}).status_code == 404
    assert counts() == {}
