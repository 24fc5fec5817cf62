"""The search QuerySet and FilterSet: distances, radius, techniques, ordering and the fallback."""

import json
import random

import django_filters
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from geopy.distance import geodesic

from directory.compiled import any_param
from directory.filters import PractitionerSearch
from directory.geo import KM_PER_MILE, Place, Point
from directory.models import Practitioner
from directory.pagination import SearchPaginator
from directory.search import Count, Search
from tests.factories import LocationFactory, PractitionerFactory, TechniqueFactory, practitioner_at
from tests.plans import plan_at_scale, practitioners_about

pytestmark = pytest.mark.django_db

BOSTON = Point(42.3576, -71.0684)


def destination(origin: Point, km: float, bearing: float = 90) -> tuple[float, float]:
    """The point `km` from origin along `bearing`, by geopy (the independent oracle)."""
    point = geodesic(kilometers=km).destination((origin.latitude, origin.longitude), bearing)
    return point.latitude, point.longitude


def oracle_km(origin: Point, practitioner: Practitioner) -> float:
    location = practitioner.listed_location
    return geodesic((origin.latitude, origin.longitude), (location.latitude, location.longitude)).km


def search(**params) -> PractitionerSearch:
    return PractitionerSearch(params)


class TestDistances:
    @pytest.mark.parametrize(
        "origin",
        [
            BOSTON,
            Point(0.5, -78.0),  # the equator, where the sphere is most wrong north-south
            Point(21.3, -157.86),  # Honolulu
            Point(70.29, -156.6),  # Utqiagvik (Barrow), northern Alaska
            Point(-33.9, 151.2),  # the southern hemisphere
        ],
    )
    def test_they_agree_with_the_wgs84_geodesic_within_half_a_percent(self, origin):
        rng = random.Random(7)
        for _ in range(40):
            practitioner_at(*destination(origin, rng.uniform(0.2, 800), rng.uniform(0, 360)))
        found = Practitioner.objects.near(origin, 805).listed()
        assert len(found) == 40
        for practitioner in found:
            expected = oracle_km(origin, practitioner)
            assert practitioner.distance_km == pytest.approx(expected, rel=0.005)
            assert practitioner.distance_km == pytest.approx(expected, abs=0.05)  # in fact, within 50 m

    def test_they_stay_right_across_the_continent(self):
        practitioner_at(34.0522, -118.2437)  # Los Angeles
        (found,) = Practitioner.objects.near(BOSTON, 5000).listed()
        assert found.distance_km == pytest.approx(oracle_km(BOSTON, found), rel=0.001)

    def test_a_practitioner_at_the_origin_is_zero_away(self):
        practitioner_at(BOSTON.latitude, BOSTON.longitude)
        (found,) = Practitioner.objects.near(BOSTON, 1).listed()
        assert found.distance_km == pytest.approx(0, abs=1e-6)


class TestRadius:
    def test_it_includes_practitioners_just_inside_and_excludes_those_just_outside(self):
        inside = practitioner_at(*destination(BOSTON, 24.9 * KM_PER_MILE, 30), name="Inside")
        practitioner_at(*destination(BOSTON, 25.1 * KM_PER_MILE, 30), name="Outside")
        assert Practitioner.objects.near(BOSTON, 25 * KM_PER_MILE).listed() == [inside]

    def test_a_circle_across_the_180th_meridian_finds_both_sides(self):
        origin = Point(52.0, 179.8)  # the western Aleutians
        east = practitioner_at(52.0, -179.6, name="East of the meridian")
        west = practitioner_at(52.0, 179.0, name="West of the origin")
        practitioner_at(52.0, 175.0, name="Too far west")
        found = Practitioner.objects.near(origin, 100).listed()
        assert found == [east, west]
        for practitioner in found:
            assert practitioner.distance_km == pytest.approx(oracle_km(origin, practitioner), rel=0.001)

    def test_a_circle_near_the_north_pole_spans_every_longitude(self):
        origin = Point(89.8, 0.0)
        across = practitioner_at(89.8, 180.0, name="Across the pole")
        (found,) = Practitioner.objects.near(origin, 100).listed()
        assert found == across
        assert found.distance_km == pytest.approx(oracle_km(origin, found), rel=0.005)

    def test_northern_alaska_searches_are_right(self):
        barrow = Point(70.2924, -156.598)
        prudhoe_bay = practitioner_at(70.2553, -148.3372)
        assert Practitioner.objects.near(barrow, 150 * KM_PER_MILE).listed() == []
        (found,) = Practitioner.objects.near(barrow, 250 * KM_PER_MILE).listed()
        assert found == prudhoe_bay
        assert found.distance_km == pytest.approx(oracle_km(barrow, found), rel=0.005)

    def test_the_query_is_prefiltered_by_the_indexed_latitude_bands_and_longitude(self):
        sql, params = Practitioner.objects.near(BOSTON, 40).query.sql_with_params()
        (bands,) = (param for param in params if str(param).startswith("[418, 419, 420"))  # 42.36 N, give or take 40 km
        assert any_param(json.loads(str(bands)), connection.vendor) == bands  # one parameter, the bands' list
        assert '"latitude_band" = ANY(%s)' in sql or '"latitude_band" IN (SELECT value FROM json_each(%s))' in sql
        assert '"longitude" >= ' in sql and '"longitude" <= ' in sql

    def test_a_moved_location_is_measured_from_where_it_is_now(self):
        practitioner = practitioner_at(*destination(BOSTON, 300))
        location = practitioner.locations.get()
        location.latitude, location.longitude = destination(BOSTON, 5)
        location.save()
        (found,) = Practitioner.objects.near(BOSTON, 10).listed()
        assert found.distance_km == pytest.approx(5, abs=0.01)


class TestOrdering:
    def test_each_practitioner_appears_once_at_its_nearest_location(self):
        practitioner = PractitionerFactory()
        LocationFactory(practitioner=practitioner, latitude=42.50, longitude=-71.0684)
        near = LocationFactory(practitioner=practitioner, latitude=42.40, longitude=-71.0684)
        LocationFactory(practitioner=practitioner, latitude=42.45, longitude=-71.0684)
        (found,) = Practitioner.objects.near(BOSTON, 50).listed()
        assert found.listed_location == near  # the nearest of three, whichever was added first
        assert found.distance_km == pytest.approx(oracle_km(BOSTON, found), rel=0.001)

    def test_results_come_nearest_first_with_ties_broken_by_name(self):
        third = practitioner_at(*destination(BOSTON, 30), name="Aaron Third")
        tied_b = practitioner_at(*destination(BOSTON, 10), name="Beth Tied")
        tied_a = practitioner_at(*destination(BOSTON, 10), name="Anna Tied")
        assert list(Practitioner.objects.near(BOSTON, 100).listed()) == [tied_a, tied_b, third]


class TestVisibility:
    @pytest.mark.parametrize("status", [Practitioner.Status.PENDING, Practitioner.Status.REJECTED])
    def test_it_hides_practitioners_who_are_not_published(self, status):
        practitioner_at(*destination(BOSTON, 5), status=status)
        assert list(Practitioner.objects.published().near(BOSTON, 50)) == []
        assert search(near="02108").search.count.value == 0


class TestTechniques:
    def test_a_practitioner_offering_any_chosen_technique_matches(self, nucca, blair):
        nucca_only = practitioner_at(*destination(BOSTON, 1), techniques=[nucca], name="A")
        blair_only = practitioner_at(*destination(BOSTON, 2), techniques=[blair], name="B")
        both = practitioner_at(*destination(BOSTON, 3), techniques=[nucca, blair], name="C")
        practitioner_at(*destination(BOSTON, 4), name="Neither")
        assert search(near="02108", technique=["nucca", "blair"]).search.page(0, 100) == [nucca_only, blair_only, both]
        assert search(near="02108", technique=["blair"]).search.page(0, 100) == [blair_only, both]

    def test_without_a_place_it_lists_every_published_practitioner_by_name(self, nucca):
        zed = practitioner_at(10, 10, techniques=[nucca], name="Zed")
        amy = practitioner_at(50, 50, techniques=[nucca], name="Amy")
        practitioner_at(20, 20, name="No technique")
        assert search(technique=["nucca"]).search.page(0, 100) == [amy, zed]


class TestSearchForm:
    def test_the_radius_defaults_to_25_miles(self):
        practitioner_at(*destination(BOSTON, 24 * KM_PER_MILE))
        practitioner_at(*destination(BOSTON, 26 * KM_PER_MILE))
        assert search(near="02108").search.count.value == 1

    def test_kilometres_apply_to_the_radius(self):
        practitioner_at(*destination(BOSTON, 30))
        assert search(near="02108", radius="25", unit="km").search.count.value == 0
        assert search(near="02108", radius="35", unit="km").search.count.value == 1

    @pytest.mark.parametrize(
        ("params", "field", "message"),
        [
            ({"near": "00000"}, "near", "No such ZIP code: 00000"),
            ({"near": "abc"}, "near", "Enter a ZIP code"),
            ({"near": "95,10"}, "near", "Latitude must be between -90 and 90."),
            ({"near": "02108\x00"}, "near", "Null characters are not allowed."),
            ({"near": "9" * 5000}, "near", "at most 200 characters"),
            ({"near": "02108", "radius": "0"}, "radius", "greater than 0"),
            ({"near": "02108", "radius": "-5"}, "radius", "greater than 0"),
            ({"near": "02108", "radius": "nan"}, "radius", "Enter a number."),
            ({"near": "02108", "radius": "inf"}, "radius", "Enter a number."),
            ({"near": "02108", "radius": "501"}, "radius", "at most 500 mi"),
            ({"near": "02108", "radius": "806", "unit": "km"}, "radius", "at most 805 km"),
            ({"near": "02108", "unit": "furlongs"}, "unit", "Choose mi (miles) or km (kilometres)."),
            ({"near": "02108", "technique": ["nucca", "reiki"]}, "technique", "Unknown technique: reiki"),
        ],
    )
    def test_bad_input_gets_a_field_error(self, params, field, message):
        form = search(**params).form
        assert not form.is_valid()
        assert message in " ".join(form.errors[field])

    def test_500_miles_and_805_km_are_allowed(self):
        assert search(near="02108", radius="500").is_valid()
        assert search(near="02108", radius="805", unit="km").is_valid()

    def test_searches_share_a_form_class_until_the_techniques_or_the_language_change(self, nucca):
        first, second = search(near="02108").form, search(near="10001", technique=["nucca"]).form
        assert type(first) is type(second)
        assert first.fields is not second.fields  # each form still has fields of its own
        with translation.override("es"):
            spanish = search(near="02108").form
        assert type(spanish) is not type(first)
        assert dict(spanish.fields["language"].choices)["en"] == "Inglés"
        TechniqueFactory(name="Atlas Orthogonal Plus", slug="ao-plus")
        renewed = search(near="02108", technique=["ao-plus"])
        assert type(renewed.form) is not type(first)
        assert renewed.is_valid() and [t.slug for t in renewed.search.techniques] == ["ao-plus"]

    def test_forms_of_a_class_share_its_fields_and_each_keeps_its_own_errors(self):
        first, second = search(near="02108", radius="0").form, search(near="02108", radius="10").form
        assert first.fields["radius"] is second.fields["radius"]  # never changed by a form, so not copied
        assert not first.is_valid() and second.is_valid()
        assert "radius" in first.errors and not second.errors

    def test_a_searchs_filters_are_its_own_and_leave_the_classs_alone(self, nucca):
        with_nucca = search(near="02108").filters["technique"].extra["choices"]
        without = PractitionerSearch({"near": "02108"}, techniques=[]).filters["technique"].extra["choices"]
        assert ("nucca", "NUCCA") in with_nucca and without == []
        assert PractitionerSearch.base_filters["technique"].extra.get("choices") in (None, [])

    def test_a_filter_method_is_its_own_searchs(self):
        class ByName(PractitionerSearch):
            named = django_filters.CharFilter(method="by_name")

            def by_name(self, queryset, name, value):
                return queryset.filter(name=value)

        first, second = ByName({"named": "a"}, techniques=[]), ByName({"named": "b"}, techniques=[])
        assert first.filters["named"].filter.method == first.by_name
        assert second.filters["named"].filter.method == second.by_name


class TestNearestBeyond:
    def test_it_offers_the_three_nearest_matching_practitioners_however_far(self, nucca):
        far = [
            practitioner_at(*destination(BOSTON, km), techniques=[nucca], name=f"{km} km") for km in (900, 200, 3000)
        ]
        practitioner_at(*destination(BOSTON, 5000), techniques=[nucca])
        practitioner_at(*destination(BOSTON, 100))  # nearer, but without the technique
        matching = search(near="02108", technique=["nucca"])
        assert matching.search.count.value == 0
        beyond = matching.search.nearest_beyond(3)
        assert beyond == [far[1], far[0], far[2]]
        assert [round(p.distance_km) for p in beyond] == [200, 900, 3000]

    def test_it_returns_what_there_is_when_fewer_exist(self):
        only = practitioner_at(-33.9, 151.2)  # Sydney: the other side of the world
        assert search(near="02108").search.nearest_beyond(3) == [only]


class TestPagesReadFromTheSmallestCircle:
    @pytest.fixture
    def crowd(self, nucca, blair) -> None:
        rng = random.Random(11)
        for index in range(90):
            chosen = [nucca] if index % 3 else [blair]
            practitioner = practitioner_at(*destination(BOSTON, rng.uniform(0, 150), rng.uniform(0, 360)), chosen)
            if index % 4 == 0:
                LocationFactory(practitioner=practitioner, latitude=42.0 + rng.random(), longitude=-71.5 + rng.random())

    @pytest.mark.parametrize(("miles", "techniques"), [(100, []), (100, ["nucca"]), (60, ["blair"]), (5, [])])
    def test_every_page_is_what_slicing_the_whole_search_gives(self, crowd, miles, techniques):
        found = search(near="02108", radius=str(miles), technique=techniques)
        everyone = found.search.page(0, 1000)
        paginator = SearchPaginator(found.search, 20)
        assert paginator.count == len(everyone)
        paged = [p for number in paginator.page_range for p in paginator.page(number).object_list]
        assert paged == everyone
        assert [p.distance_km for p in paged] == [p.distance_km for p in everyone]
        assert [p.listed_location for p in paged] == [p.listed_location for p in everyone]

    def test_a_dense_first_page_reads_a_small_circle(self, crowd, django_assert_max_num_queries, settings):
        # The queries run, not their preparation (which a connection does once, whichever test comes first).
        settings.DATABASE_PREPARED_STATEMENTS = False
        paginator = SearchPaginator(search(near="02108", radius="100").search, 20)
        assert paginator.count > 60
        with django_assert_max_num_queries(4):  # the page's rows (one circle), its locations and techniques
            page = paginator.page(1)
            assert [p.listed_location for p in page.object_list]

    def test_a_page_that_starts_in_a_town_is_read_from_a_circle_sized_by_the_cells_around_it(self, monkeypatch):
        # 30 practitioners within 3 km of the origin, 60 more 40 to 150 km away. The whole circle's density
        # would make the first circle 114 km wide; the 30 held in the cells within 34 km make it 42 km.
        rng = random.Random(5)
        points = [destination(BOSTON, rng.uniform(0, 3) if index < 30 else rng.uniform(40, 150), rng.uniform(0, 360))
                  for index in range(90)]  # fmt: skip
        for point in points:
            practitioner_at(*point)
        found = search(near="02108", radius="100")
        near_km, held = found.search.count.near
        assert (found.search.count.value, held, round(near_km)) == (90, 30, 34)
        everyone = found.search.page(0, 1000)
        circles = []
        read = Search._page_compiled
        monkeypatch.setattr(Search, "_page_compiled", lambda self, circle, start, stop: circles.append(circle) or
                            read(self, circle, start, stop))  # fmt: skip
        assert found.search.page(0, 20) == everyone[:20]  # the same first page, from one smaller circle
        assert [round(circle.radius_km) for circle in circles] == [42]


class TestSearchKey:
    def test_equal_searches_have_one_query_string_and_other_parameters_are_left_out(self, nucca, blair):
        first = search(near=" 02108 ", radius="25.0", technique=["nucca", "blair", "nucca"], utm_source="spam")
        second = search(technique=["blair", "nucca"], unit="mi", near="02108", radius="25")
        assert first.query_string() == second.query_string()
        assert first.query_string() == "near=02108&radius=25&unit=mi&technique=blair&technique=nucca"

    def test_a_count_says_when_it_is_a_lower_bound(self):
        assert (str(Count(1000, capped=True)), str(Count(765))) == ("1,000+", "765")

    def test_a_capped_count_still_knows_how_many_the_grid_found_but_never_shows_it(self):
        count = Count(1000, capped=True, beyond=2500)
        assert (count.known, str(count), Count(765).known) == (2500, "1,000+", 765)


class TestCount:
    def test_each_published_matching_practitioner_counts_once_however_many_locations_are_inside(self, nucca):
        several = practitioner_at(*destination(BOSTON, 2), techniques=[nucca])
        for km in (3, 4, 5):
            LocationFactory(practitioner=several, latitude=destination(BOSTON, km)[0],
                            longitude=destination(BOSTON, km)[1])  # fmt: skip
        practitioner_at(*destination(BOSTON, 6), techniques=[nucca])
        practitioner_at(*destination(BOSTON, 7))  # offers no NUCCA
        practitioner_at(*destination(BOSTON, 8), techniques=[nucca], status=Practitioner.Status.PENDING)
        practitioner_at(*destination(BOSTON, 80), techniques=[nucca])  # outside 25 mi
        assert search(near="02108").search.count.value == 3
        assert search(near="02108", technique=["nucca"]).search.count.value == 2
        assert search(near="02108", radius="800", unit="km", technique=["nucca"]).search.count.value == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="covering indexes are PostgreSQL's")
def test_on_postgresql_a_page_reads_the_locations_in_its_box_from_the_index_alone(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False  # the query's own text, planned for these values
    practitioners_about(BOSTON, random.Random(3))
    with CaptureQueriesContext(connection) as queries:
        search = Search(place=Place(BOSTON, "Boston"), radius=25)
        assert search.count.value > 20 and len(search.page(0, 20)) == 20
    (page,) = [
        sql for sql in (query["sql"] for query in queries.captured_queries) if "latitude_band" in sql and "MIN(" in sql
    ]
    assert "Index Only Scan using location_band_covering on directory_location" in plan_at_scale(page)
