"""Generated input: schemathesis against the OpenAPI schema, and Hypothesis properties of the search."""

import math

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from directory.filters import PractitionerSearch
from directory.geo import KM_PER_MILE, Place, PlaceError, Point
from directory.models import Practitioner, Technique
from directory.places import resolve_place
from tests.factories import practitioner_at

API_REQUESTS = 1000


@pytest.fixture
def api_schema(db):
    # As Django's test client does: the test's transaction must outlive each request, so requests may not
    # close the database connection at their end.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def directory(db) -> list[Practitioner]:
    nucca, blair = Technique.objects.get(slug="nucca"), Technique.objects.get(slug="blair")
    return [
        practitioner_at(42.36 + index / 50, -71.06 - index / 40, techniques=[(nucca, blair)[index % 2]])
        for index in range(12)
    ]


def test_at_least_1000_generated_api_requests_get_no_5xx_and_match_the_schema(api_schema, directory):
    operation = api_schema["/api/v1/practitioners/"]["GET"]
    sent: list[int] = []

    @settings(
        max_examples=API_REQUESTS,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case) -> None:
        # A schema cannot say which ZIP codes exist, so a schema-valid "near" may rightly be refused (400).
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        sent.append(response.status_code)

    check()
    assert len(sent) >= API_REQUESTS
    assert all(status < 500 for status in sent)
    assert {200, 400} <= set(sent)  # both valid and invalid searches were generated


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_place_or_a_place_error(text):
    try:
        place = resolve_place(text)
    except PlaceError as error:
        assert str(error)
    else:
        assert isinstance(place, Place)
        assert -90 <= place.point.latitude <= 90 and -180 <= place.point.longitude <= 180


SEARCH_PARAMETERS = st.fixed_dictionaries(
    {},
    optional={
        "near": st.one_of(st.text(max_size=40), st.sampled_from(["02108", "T2P 1J9", "Boston, MA", "0,0"])),
        "radius": st.one_of(st.text(max_size=10), st.floats(allow_nan=True).map(str)),
        "unit": st.one_of(st.text(max_size=5), st.sampled_from(["mi", "km"])),
        "technique": st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["nucca", "blair"])), max_size=3),
        "page": st.text(max_size=5),
        "accepting_new_patients": st.one_of(st.text(max_size=5), st.sampled_from(["true", "false", "on", ""])),
    },
)


@pytest.mark.django_db
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(SEARCH_PARAMETERS)
def test_any_search_is_valid_or_says_which_field_is_wrong(parameters):
    search = PractitionerSearch(parameters)
    if search.is_valid():
        search.search.page(0, 20)
    else:
        assert set(search.form.errors) <= {"near", "radius", "unit", "technique", "page", "accepting_new_patients"}
        assert all(messages for messages in search.form.errors.values())


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    latitude=st.floats(min_value=-89, max_value=89),
    longitude=st.floats(min_value=-180, max_value=180),
    miles=st.floats(min_value=0.1, max_value=500),
)
def test_any_place_and_radius_gives_results_nearest_first_and_within_the_radius(latitude, longitude, miles):
    if not Practitioner.objects.exists():
        for index in range(40):
            practitioner_at(-80 + index * 4, -179 + index * 9)
    search = PractitionerSearch({"near": f"{latitude:.4f},{longitude:.4f}", "radius": str(miles)})
    assert search.is_valid(), search.form.errors
    found = search.search.page(0, 100)
    distances = [practitioner.distance_km for practitioner in found]
    assert distances == sorted(distances)
    assert all(distance <= miles * KM_PER_MILE + 1e-6 for distance in distances)
    assert all(not math.isnan(distance) for distance in distances)
    origin = Point(float(f"{latitude:.4f}"), float(f"{longitude:.4f}"))
    assert search.search.place.point == origin


PLACE_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(categories=["Nd", "Zs", "Po", "Pd"]), max_size=20),
    st.sampled_from(["Springfield", "Montréal, QC", "09001", "77352", "42°21'N 71°3'W", "boston ma", "H3B"]),
)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=PLACE_TEXT)
def test_any_text_for_near_is_a_search_or_a_field_error_on_the_page_and_in_the_api(client, text):
    page = client.get("/search/", {"near": text})
    api = client.get("/api/v1/practitioners/", {"near": text})
    assert page.status_code in (200, 400) and api.status_code in (200, 400)
    assert (page.status_code == 400) == (api.status_code == 400), text
    if api.status_code == 400:
        assert list(api.json()) == ["near"] and api.json()["near"][0]
        assert 'id="near-errors"' in page.content.decode()
    else:
        origin = api.json()["origin"]
        assert origin is None if not text.strip() else -90 <= origin["latitude"] <= 90
