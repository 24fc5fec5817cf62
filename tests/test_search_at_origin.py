"""A practitioner standing at the searched place is found first, at 0.0: at the centre of every bundled ZIP code
and Canadian postal-code area, and within metres of any point on Earth (checked against geopy's geodesic)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from geopy.distance import geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.geo import KM_PER_MILE, Point, distance_km
from directory.models import Location, Practitioner
from directory.places import place_index
from tests.factories import PractitionerFactory, practitioner_at

pytestmark = pytest.mark.django_db

ONE_MILE_KM = KM_PER_MILE
# A metre: under any precision a patient or the API reads (0.0 mi on the page, 0.00 in the API), and what the
# distance's rounding near its origin can reach (measured up to 0.13 m over every postal-code centre on SQLite).
AT_THE_ORIGIN_KM = 0.001
# Searched from their own ZIP code, these returned HTTP 500 on PostgreSQL (and nothing on SQLite) while the
# distance could take the square root of a rounding error below zero.
ZIP_CODES_THAT_FAILED = ["60606", "94103"]
# Centres measured in one SQL statement (one CASE branch each).
CENTRES_PER_STATEMENT = 100
# One centre in NEAR_EVERY is also searched through near() itself, the practitioners' query, end to end.
NEAR_EVERY = 20


def _postal_code_centres() -> dict[Point, list[str]]:
    """Every bundled ZIP code and FSA by its centre (several codes share one centre)."""
    index = place_index()
    centres: dict[Point, list[str]] = defaultdict(list)
    for code, place in [*index.zip_codes.items(), *index.fsas.items()]:
        centres[place.point].append(code)
    return centres


def _listings_at(points: list[Point]) -> dict[Point, int]:
    """One published listing at each point, made in bulk; their ids by point."""
    practitioners = Practitioner.objects.bulk_create(
        Practitioner(name=f"Dr. Centre {n}", slug=f"dr-centre-{n}", status=Practitioner.Status.PUBLISHED)
        for n in range(len(points))
    )
    if practitioners[0].pk is None:  # SQLite before RETURNING: read the ids back in creation order
        practitioners = list(Practitioner.objects.order_by("pk"))
    Location.objects.bulk_create(
        (
            Location(
                practitioner=practitioner, address_line1="1 Main St", city="Centre", state="ZZ", postal_code="00000",
                latitude=point.latitude, longitude=point.longitude,
            )
            for practitioner, point in zip(practitioners, points, strict=True)
        ),
        batch_size=2000,
    )  # fmt: skip
    return {point: practitioner.pk for practitioner, point in zip(practitioners, points, strict=True)}


def _distances_at_the_centres(location_at: dict[Point, int]) -> dict[Point, float | str | None]:
    """For each centre, the distance near() measures from it to the location standing there, in SQL on the
    database: the same GeodesicDistance, its origin's vector passed as parameters as near() passes them,
    read from the vector the database stored for the location. A hundred centres go in one statement. A
    database error is kept as its message (PostgreSQL refuses the square root of a negative number), found by
    measuring that statement's centres one at a time."""
    query = Location.objects.all().query
    compiler = query.get_compiler(connection=connection)
    table = connection.ops.quote_name(Location._meta.db_table)
    column = connection.ops.quote_name(Location._meta.pk.column)

    def run(points: list[Point]) -> dict[Point, float | None]:
        distances = [compiler.compile(distance_km(point).resolve_expression(query)) for point in points]
        each = " ".join(f"WHEN %s THEN {distance}" for distance, _ in distances)
        rows = ", ".join("%s" for _ in points)
        by_location = {location_at[point]: point for point in points}
        params = [
            param for point, (_, own) in zip(points, distances, strict=True) for param in [location_at[point], *own]
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column}, CASE {column} {each} END FROM {table} WHERE {column} IN ({rows})",
                [*params, *by_location],
            )
            return {by_location[pk]: distance for pk, distance in cursor.fetchall()}

    found: dict[Point, float | str | None] = {}
    points = list(location_at)
    for start in range(0, len(points), CENTRES_PER_STATEMENT):
        batch = points[start : start + CENTRES_PER_STATEMENT]
        try:
            found.update(run(batch))
        except DatabaseError:
            for point in batch:
                try:
                    found.update(run([point]))
                except DatabaseError as error:
                    found[point] = str(error).splitlines()[0]
    return found


@pytest.mark.slow  # about 40,000 distances and 2,000 searches: under a minute on each database
def test_a_listing_at_the_centre_of_every_postal_code_is_found_first_at_zero_distance():
    """A listing at the centre of each postal code, all made at once. From every centre, the distance near()
    measures (its SQL, on the database) must read the listing there within a metre, never NULL and never an
    error; from one centre in NEAR_EVERY and from those that failed before, near() itself must list it first,
    at zero.

    Written for h = (1 - v.v0) / 2 rounding a hair below zero at the origin: SQRT of it is NULL on SQLite (the
    listing went missing) and an error on PostgreSQL (HTTP 500)."""
    centres = _postal_code_centres()
    listing_at = _listings_at(list(centres))
    assert sum(len(codes) for codes in centres.values()) > 43_000  # 41,914 ZIP codes and 1,645 FSAs

    location_at = dict(
        Location.objects.filter(practitioner__in=listing_at.values()).values_list("practitioner_id", "pk")
    )
    found = _distances_at_the_centres({point: location_at[pk] for point, pk in listing_at.items()})
    missed = [
        (codes[0], found.get(point, "no row"))
        for point, codes in centres.items()
        if not isinstance(found.get(point), float) or found[point] > AT_THE_ORIGIN_KM
    ]
    assert missed == [], f"{len(missed)} of {len(centres)} centres missed, first {missed[:5]}"

    failed_before = {place_index().zip_codes[code].point for code in ZIP_CODES_THAT_FAILED}
    searched = [point for n, point in enumerate(centres) if n % NEAR_EVERY == 0 or point in failed_before]
    for point in searched:
        codes = centres[point]
        nearest = Practitioner.objects.published().near(point, ONE_MILE_KM).values_list("pk", "distance_km")
        found_near = list(nearest[: len(codes) + 2])
        at_origin = {pk for pk, distance in found_near if distance <= AT_THE_ORIGIN_KM}
        if not found_near or found_near[0][1] > AT_THE_ORIGIN_KM or listing_at[point] not in at_origin:
            missed.append((codes[0], found_near[:2]))
    assert missed == [], f"near() missed {len(missed)} of {len(searched)} centres, first {missed[:5]}"


@pytest.mark.parametrize("code", [*ZIP_CODES_THAT_FAILED, "10001", "H3B", "M5V 2T6", "V6B"])
def test_the_page_and_the_api_list_a_listing_at_the_searched_postal_code_first_at_zero(client, code):
    place = place_index().zip_codes.get(code) or place_index().fsas[code[:3]]
    practitioner = practitioner_at(place.point.latitude, place.point.longitude, name="Dr. At The Centre")
    practitioner_at(place.point.latitude + 0.005, place.point.longitude, name="Dr. Across The Street")

    page = client.get(reverse("directory:search"), {"near": code, "radius": "1"})
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("Dr. At The Centre") < text.index("Dr. Across The Street")
    unit = "mi" if code in place_index().zip_codes else "km"  # a Canadian place is searched in km
    assert f"0.0 {unit} away" in text

    body = client.get(reverse("api:practitioner-list"), {"near": code, "radius": "1"}).json()
    assert [result["id"] for result in body["results"]][:1] == [practitioner.pk]
    assert body["results"][0]["distance"] == 0.0


@pytest.mark.parametrize("code", ZIP_CODES_THAT_FAILED)
def test_an_unpublished_listing_at_the_centre_does_not_break_the_nearest_beyond_the_radius(client, code):
    point = place_index().zip_codes[code].point
    hidden = PractitionerFactory(name="Dr. Unpublished", status=Practitioner.Status.PENDING)
    Location.objects.create(
        practitioner=hidden, address_line1="1 Main St", city="Centre", state="ZZ", postal_code=code,
        latitude=point.latitude, longitude=point.longitude,
    )  # fmt: skip
    farther = practitioner_at(point.latitude + 0.3, point.longitude, name="Dr. Farther Out")

    page = client.get(reverse("directory:search"), {"near": code, "radius": "1"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Dr. Farther Out" in text and "Dr. Unpublished" not in text

    answer = client.get(reverse("api:practitioner-list"), {"near": code, "radius": "1"})
    assert answer.status_code == 200 and answer.json()["count"] == 0
    nearest = Practitioner.objects.published().nearest(point, 3, beyond_km=ONE_MILE_KM)
    assert [practitioner.pk for practitioner in nearest] == [farther.pk]


def test_the_nearest_beyond_the_radius_lists_a_listing_at_the_origin_first_when_the_technique_rules_out_others(nucca):
    point = place_index().zip_codes["60606"].point
    at_centre = practitioner_at(point.latitude, point.longitude, techniques=[nucca], name="Dr. Centre")
    assert Practitioner.objects.published().nearest(point, 1, beyond_km=0.0)[0].pk == at_centre.pk
    assert Practitioner.objects.published().nearest(point, 1, beyond_km=0.0)[0].distance_km <= AT_THE_ORIGIN_KM


origins = st.builds(
    Point,
    latitude=st.floats(min_value=-89.9, max_value=89.9, allow_nan=False),
    longitude=st.floats(min_value=-180.0, max_value=180.0, allow_nan=False),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(origin=origins, metres=st.floats(min_value=0.0, max_value=10.0), bearing=st.floats(0.0, 360.0))
def test_a_point_within_ten_metres_of_any_origin_is_found_at_its_geodesic_distance(origin, metres, bearing):
    destination = geodesic(meters=metres).destination((origin.latitude, origin.longitude), bearing)
    longitude = (destination.longitude + 180.0) % 360.0 - 180.0
    practitioner = practitioner_at(destination.latitude, longitude, name="Dr. Nearby")
    try:
        found = list(Practitioner.objects.published().near(origin, 0.1))
        assert [p.pk for p in found] == [practitioner.pk]
        expected_km = geodesic((origin.latitude, origin.longitude), (destination.latitude, longitude)).km
        assert found[0].distance_km == pytest.approx(expected_km, abs=0.001)
    finally:
        practitioner.delete()


@pytest.mark.parametrize("tiny", [1e-300, 5e-324, -1e-200])
def test_coordinates_too_small_to_multiply_are_kept_and_searched_as_zero(client, tiny):
    """PostgreSQL refuses a product that underflows: a coordinate of 1e-300 is a typed zero, kept as zero."""
    practitioner = practitioner_at(tiny, tiny, name="Dr. Null Island")
    assert Location.objects.get(practitioner=practitioner).latitude == 0.0
    for origin in (Point(0.0, 0.0), Point(tiny, tiny), Point(tiny, 0.0)):
        (found,) = Practitioner.objects.published().near(origin, 1.0)
        assert found.pk == practitioner.pk and found.distance_km <= AT_THE_ORIGIN_KM
    typed = "0." + "0" * 150 + "1, 0." + "0" * 40 + "1"
    page = client.get(reverse("directory:search"), {"near": typed, "radius": "1"})
    assert page.status_code == 200 and "Dr. Null Island" in page.content.decode()


@pytest.mark.parametrize(
    ("origin", "other"),
    [
        (Point(42.36, -71.06), Point(-42.36, 108.94)),  # the exact antipode
        (Point(0.0, 0.0), Point(0.0, 180.0)),  # on the equator, across the 180th meridian
        (Point(0.0, 0.0), Point(0.0, 179.5)),  # nearly antipodal on the equator
        (Point(89.9, 10.0), Point(-89.9, -170.0)),  # pole to pole
    ],
)
def test_the_far_side_of_the_earth_is_found_at_its_geodesic_distance_never_an_error(origin, other):
    """Where 1 - h (or h) reaches zero, the distance's divisions are by NULL, never by zero."""
    practitioner = practitioner_at(other.latitude, other.longitude, name="Dr. Far Side")
    (found,) = Practitioner.objects.published().nearest(origin, 1)
    expected_km = geodesic((origin.latitude, origin.longitude), (other.latitude, other.longitude)).km
    assert found.pk == practitioner.pk
    assert found.distance_km == pytest.approx(expected_km, rel=0.005)  # the directory's 0.5% over long lines
