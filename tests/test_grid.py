"""The search grid (directory/grid.py): its cells checked against geopy's geodesic, its counts against a count of
the locations themselves, and its upkeep against a recount after random sequences of writes."""

import io
import math
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from geopy.distance import geodesic
from hypothesis import example, given, settings
from hypothesis import strategies as st

from directory.geo import GRID_CELLS_PER_DEGREE, GRID_COLUMNS, Place, Point, Unit
from directory.grid import COLUMNS, grid_as_stored, grid_cover, grid_rebuild, grid_recounted, grid_refresh
from directory.importing import csv_rows, practitioners_import
from directory.models import GridCount, GridMember, Location, Practitioner, Technique
from directory.search import Search
from moderation.services import listing_publish, listing_unpublish
from tests.factories import LocationFactory, PractitionerFactory, TechniqueFactory, UserFactory
from tests.plans import plan_at_scale, practitioners_about

BOSTON = Point(42.3601, -71.0589)
ADAK = Point(51.88, -176.65)  # the Aleutians: circles here cross the antimeridian


def cell_of(point: Point) -> int:
    """A point's cell, as Location.grid_cell's expression computes it."""
    row = math.floor((point.latitude + 90) * GRID_CELLS_PER_DEGREE)
    return row * GRID_COLUMNS + math.floor((point.longitude + 180) * GRID_CELLS_PER_DEGREE)


def inside(cover, cell: int) -> bool:
    return any(low <= cell <= high for low, high in cover.inside)


def destination(origin: Point, bearing: float, km: float) -> Point:
    reached = geodesic(kilometers=km).destination((origin.latitude, origin.longitude), bearing)
    return Point(reached.latitude, reached.longitude)


def km_between(a: Point, b: Point) -> float:
    return geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).km


origins = st.one_of(
    st.builds(Point, st.floats(-60, 70), st.floats(-180, 180)),
    st.builds(Point, st.floats(50, 54), st.floats(175, 180) | st.floats(-180, -175)),
)


@settings(max_examples=60, deadline=None)
@given(origin=origins, radius_km=st.floats(0.5, 805), bearing=st.floats(0, 360), share=st.floats(0, 1.5))
def test_a_cell_counted_as_inside_holds_only_points_within_the_radius(origin, radius_km, bearing, share):
    cover = grid_cover(origin, radius_km)
    point = destination(origin, bearing, radius_km * share)
    distance = km_between(origin, point)
    cell = cell_of(point)
    if inside(cover, cell):
        assert distance <= radius_km
    elif distance < radius_km - 0.05:
        assert cell in cover.edge, "a point within the radius is in neither an inside nor an edge cell"


@settings(max_examples=40, deadline=None)
@given(origin=origins, radius_km=st.floats(0.5, 805))
@example(origin=Point(52.147, -178.083), radius_km=621.56)  # its edge is wholly past the antimeridian in some rows
def test_no_cell_is_both_inside_and_on_the_edge(origin, radius_km):
    cover = grid_cover(origin, radius_km)
    assert not any(inside(cover, cell) for cell in cover.edge)


def test_a_circle_across_the_antimeridian_holds_cells_on_both_sides():
    cover = grid_cover(ADAK, 500)
    columns = {cell % GRID_COLUMNS for low, high in cover.inside for cell in (low, high)}
    assert min(columns) < 100 and max(columns) > COLUMNS - 100


def test_the_grid_stands_aside_near_a_pole():
    assert grid_cover(Point(88.5, 10), 100) is None


def _scatter(rng: random.Random, techniques: list[Technique]) -> None:
    """Practitioners with 1-3 locations within 300 km of Boston or Adak, some unpublished."""
    for _ in range(70):
        centre = rng.choice([BOSTON, BOSTON, ADAK])
        status = rng.choice([Practitioner.Status.PUBLISHED] * 4 + [Practitioner.Status.PENDING])
        practitioner = PractitionerFactory(status=status, techniques=rng.sample(techniques, rng.choice([0, 1, 2])))
        for _ in range(rng.choice([1, 1, 2, 3])):
            point = destination(centre, rng.uniform(0, 360), rng.uniform(0, 300))
            LocationFactory(practitioner=practitioner, latitude=point.latitude, longitude=point.longitude)


def _found_by_geopy(origin: Point, radius_km: float, technique: Technique | None) -> tuple[int, bool]:
    """How many published practitioners (offering `technique`) have a location within the radius by geopy's
    geodesic, and whether any location lies within 50 m of the circle (where two measures may differ)."""
    found, close_call = set(), False
    locations = Location.objects.filter(practitioner__status=Practitioner.Status.PUBLISHED)
    if technique is not None:
        locations = locations.filter(practitioner__techniques=technique)
    for practitioner_id, latitude, longitude in locations.values_list("practitioner_id", "latitude", "longitude"):
        distance = km_between(origin, Point(latitude, longitude))
        close_call |= abs(distance - radius_km) < 0.05
        if distance <= radius_km:
            found.add(practitioner_id)
    return len(found), close_call


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_count_from_the_grid_is_the_number_geopy_finds_within_the_radius(seed):
    rng = random.Random(seed)
    techniques = [TechniqueFactory(), TechniqueFactory()]
    _scatter(rng, techniques)
    compared = 0
    for _ in range(25):
        origin = destination(rng.choice([BOSTON, ADAK]), rng.uniform(0, 360), rng.uniform(0, 250))
        radius_km = rng.choice([1.0, 10.0, 40.2, 160.9, 400.0, 805.0]) * rng.uniform(0.5, 1.0)
        technique = rng.choice([None, *techniques])
        search = Search(
            place=Place(origin, "here"),
            radius=radius_km,
            unit=Unit.KILOMETRES,
            techniques=[technique] if technique else [],
        )
        expected, close_call = _found_by_geopy(origin, radius_km, technique)
        if close_call:
            continue
        assert search.grid_cover() is not None
        assert search.count.value == min(expected, 1000), (origin, radius_km, technique)
        compared += 1
    assert compared >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [5, 6, 7])  # seeds whose circles show all three outcomes
def test_past_a_small_cap_the_count_says_so_and_below_it_stays_exact(seed, monkeypatch):
    # A cap of 5 makes the cells wholly inside pass it in most circles: the count then stops before the edge.
    monkeypatch.setattr("directory.search.COUNT_CAP", 5)
    rng = random.Random(seed)
    technique = TechniqueFactory()
    _scatter(rng, [technique, TechniqueFactory()])
    outcomes = set()
    for _ in range(25):
        origin = destination(rng.choice([BOSTON, ADAK]), rng.uniform(0, 360), rng.uniform(0, 250))
        radius_km = rng.choice([10.0, 40.2, 160.9, 400.0]) * rng.uniform(0.5, 1.0)
        chosen = rng.choice([None, technique])
        search = Search(place=Place(origin, "here"), radius=radius_km, unit=Unit.KILOMETRES,
                        techniques=[chosen] if chosen else [])  # fmt: skip
        expected, close_call = _found_by_geopy(origin, radius_km, chosen)
        if close_call:
            continue
        assert (search.count.value, search.count.capped) == (min(expected, 5), expected > 5)
        assert 5 < search.count.known <= expected or search.count.known == expected
        outcomes.add("capped" if search.count.capped else "exact")
        if search.count.known < expected:
            outcomes.add("stopped before the edge")  # what the inner cells held passed the cap already
    assert outcomes == {"capped", "exact", "stopped before the edge"}


@pytest.mark.django_db
def test_the_count_from_the_grid_is_one_query(django_assert_num_queries):
    practitioner = PractitionerFactory()
    LocationFactory(practitioner=practitioner)
    search = Search(place=Place(BOSTON, "Boston"), radius=25)
    with django_assert_num_queries(1):
        assert search.count.value == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="covering indexes are PostgreSQL's")
def test_on_postgresql_the_cells_counts_are_summed_from_the_index_alone(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False  # the query's own text, planned for these values
    practitioners_about(BOSTON, random.Random(5))
    with CaptureQueriesContext(connection) as queries:
        assert Search(place=Place(BOSTON, "Boston"), radius=25).count.value > 0
    (count,) = [query["sql"] for query in queries.captured_queries]
    assert "Index Only Scan using grid_count_summed" in plan_at_scale(count)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="covering indexes are PostgreSQL's")
def test_on_postgresql_the_edge_cells_locations_are_measured_from_the_index_alone(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False  # the query's own text, planned for these values
    practitioners_about(BOSTON, random.Random(6))
    search = Search(place=Place(BOSTON, "Boston"), radius=25)
    with CaptureQueriesContext(connection) as queries:
        counted = search.count.value
    within = {
        practitioner_id
        for practitioner_id, latitude, longitude in Location.objects.values_list(
            "practitioner_id", "latitude", "longitude"
        )
        if geodesic((latitude, longitude), (BOSTON.latitude, BOSTON.longitude)).km <= search.radius_km
    }
    assert counted == len(within) > 0
    (count,) = [query["sql"] for query in queries.captured_queries]
    plan = plan_at_scale(count)
    assert "Index Only Scan using location_grid_cell_covering on directory_location" in plan, plan


def _operations(rng: random.Random, techniques: list[Technique], moderator) -> None:
    """One random write, made the way the site makes it."""
    practitioners = list(Practitioner.objects.order_by("pk"))
    practitioner = rng.choice(practitioners)
    location = practitioner.locations.order_by("?").first()
    kind = rng.choice(
        ["publish", "unpublish", "move", "add location", "drop location", "techniques", "delete", "import", "clear"]
    )
    if kind == "publish" and practitioner.status != Practitioner.Status.PUBLISHED:
        listing_publish(practitioner=practitioner, moderator=moderator)
    elif kind == "unpublish" and practitioner.status == Practitioner.Status.PUBLISHED:
        listing_unpublish(practitioner=practitioner, moderator=moderator, reason="Closed")
    elif kind == "move" and location is not None:
        point = destination(BOSTON, rng.uniform(0, 360), rng.uniform(0, 60))
        location.latitude, location.longitude = point.latitude, point.longitude
        location.save()
    elif kind == "add location":
        point = destination(BOSTON, rng.uniform(0, 360), rng.uniform(0, 60))
        LocationFactory(practitioner=practitioner, latitude=point.latitude, longitude=point.longitude)
    elif kind == "drop location" and location is not None:
        location.delete()
    elif kind == "techniques":
        practitioner.techniques.set(rng.sample(techniques, rng.choice([0, 1, 2])))
    elif kind == "delete":
        practitioner.delete()
    elif kind == "import":
        number = rng.randrange(5)
        point = destination(BOSTON, rng.uniform(0, 360), rng.uniform(0, 60))
        lines = [
            "external_id,name,address_line1,city,state,postal_code,latitude,longitude,techniques",
            f"grid-{number},Dr. Grid {number},1 Main St,Boston,MA,02108,{point.latitude:.6f},{point.longitude:.6f},"
            f"{rng.choice(techniques).name}",
        ]
        report = practitioners_import(rows=csv_rows(io.StringIO("\n".join(lines) + "\n")))
        assert not report.problems, report.problems
    elif kind == "clear":
        rng.choice(techniques).practitioners.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(4))
def test_the_grid_matches_a_recount_after_any_sequence_of_writes(seed):
    rng = random.Random(seed)
    techniques = [TechniqueFactory(), TechniqueFactory(), TechniqueFactory()]
    moderator = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(8):
        practitioner = PractitionerFactory(
            status=rng.choice(list(Practitioner.Status)), techniques=rng.sample(techniques, 1)
        )
        for _ in range(rng.choice([1, 2])):
            point = destination(BOSTON, rng.uniform(0, 360), rng.uniform(0, 60))
            LocationFactory(practitioner=practitioner, latitude=point.latitude, longitude=point.longitude)
    for step in range(30):
        _operations(rng, techniques, moderator)
        assert grid_as_stored() == grid_recounted(), f"after step {step}"
    technique = techniques[0]
    technique.delete()
    assert grid_as_stored() == grid_recounted()


@pytest.mark.django_db
def test_a_practitioner_with_locations_in_two_cells_is_counted_once():
    practitioner = PractitionerFactory()
    LocationFactory(practitioner=practitioner, latitude=42.36, longitude=-71.06)
    LocationFactory(practitioner=practitioner, latitude=42.40, longitude=-71.10)
    assert set(GridMember.objects.values_list("spread", flat=True)) == {True}
    assert Search(place=Place(BOSTON, "Boston"), radius=50).count.value == 1


@pytest.mark.django_db
def test_rebuilding_mends_a_grid_that_drifted():
    practitioner = PractitionerFactory()
    LocationFactory(practitioner=practitioner)
    GridCount.objects.update(practitioners=5)
    with pytest.raises(CommandError, match="differs from a recount"):
        call_command("grid_rebuild", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("grid_rebuild", stdout=out)
    assert "Rebuilt the search grid" in out.getvalue()
    assert grid_as_stored() == grid_recounted()
    assert Search(place=Place(BOSTON, "Boston"), radius=25).count.value == 1


@pytest.mark.django_db
def test_a_bulk_write_joins_the_grid_when_refreshed():
    practitioner = PractitionerFactory()
    Location.objects.bulk_create([LocationFactory.build(practitioner=practitioner)])
    assert grid_as_stored() != grid_recounted()
    grid_refresh(practitioner_ids=[practitioner.pk])
    assert grid_as_stored() == grid_recounted()
    grid_rebuild()
    assert grid_as_stored() == grid_recounted()
