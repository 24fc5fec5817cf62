"""Benchmark the patient search at growing sizes against a naive full scan and PostGIS, in one run.

    python bench/search.py [--sizes 10000,100000,1000000] [--runs 25]

A throw-away test database on the configured server (DATABASE_URL: SQLite by default, PostgreSQL for the 1M
run; your own data is not touched) is filled with practitioners clustered around 3,000 real ZIP centroids
(1-3 locations, 1-3 techniques each). For each size and search (25 and 100 miles, with and without a
technique, top 20) it prints the median / p95 in milliseconds, interleaved so a noisy machine affects all alike:

- top 20: what a page of the search reads (Search.page: the smallest circle holding 20 results, sized from the
  count's density), as its compiled SQL and through Django (the circle(s), the models and the page's locations
  and techniques); count: the search's count (exact up to Search's COUNT_CAP), which the page also shows;
- whole-radius SQL: the same query over the whole radius, Practitioner.objects.published().near(...)[:20];
- full scan: what a naive implementation does, a haversine over every location, filtered and ordered in SQL;
- PostGIS KNN (`ORDER BY geog <-> point LIMIT 20`) and PostGIS ST_DWithin (same question as ours) on a
  GiST-indexed geography column of the same points, where the postgis extension can be created;
- API: GET /api/v1/practitioners/ through Django's test client (the search, its count and the page's data).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from functools import partial
from unittest.mock import patch

from common import (
    cell,
    fill,
    median_p95,
    print_table,
    throwaway_database,
    timed_ms,
    zip_centres,
)
from django.db import DatabaseError, connection
from django.db.models import F, FloatField, Min, Value
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt
from django.test import Client

from directory.filters import PractitionerSearch
from directory.geo import KM_PER_MILE, Point
from directory.models import Practitioner, PractitionerQuerySet, Technique
from directory.places import place_index
from directory.search import Search

MEAN_EARTH_RADIUS_KM = 6371.0088
SCENARIOS = [(25, None), (25, "nucca"), (100, None), (100, "nucca")]


def haversine_km(origin: Point) -> Min:
    """What a naive implementation computes for every row: the haversine distance on a sphere."""

    def value(number: float) -> Value:
        return Value(number, output_field=FloatField())

    latitude, longitude = Radians(F("locations__latitude")), Radians(F("locations__longitude"))
    lat0, lon0 = value(math.radians(origin.latitude)), value(math.radians(origin.longitude))
    half_dlat, half_dlon = (latitude - lat0) / value(2), (longitude - lon0) / value(2)
    h = Power(Sin(half_dlat), 2) + Cos(lat0) * Cos(latitude) * Power(Sin(half_dlon), 2)
    return Min(value(2 * MEAN_EARTH_RADIUS_KM) * ASin(Sqrt(h)))


def search_queryset(origin: Point, radius_km: float, techniques: list[Technique]):
    return Practitioner.objects.published().offering(techniques).near(origin, radius_km).prefetch_related(None)[:20]


def full_scan_queryset(origin: Point, radius_km: float, techniques: list[Technique]):
    scan = (
        Practitioner.objects.published()
        .offering(techniques)
        .annotate(distance_km=haversine_km(origin))
        .filter(distance_km__lte=radius_km)
        .order_by("distance_km", "name", "pk")
    )
    return scan[:20]


def evaluate(make_queryset, *args) -> list:
    return list(make_queryset(*args))


def run_sql(compiled: tuple[str, tuple]) -> list:
    with connection.cursor() as cursor:
        cursor.execute(*compiled)
        return cursor.fetchall()


TECHNIQUE_CLAUSE = (
    " AND EXISTS (SELECT 1 FROM directory_practitioner_techniques t"
    " WHERE t.practitioner_id = l.practitioner_id AND t.technique_id = %s)"
)


def postgis_knn(origin: Point, radius_km: float, technique_id: int | None) -> tuple[str, tuple]:
    point = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography"
    sql = (
        f"SELECT l.practitioner_id, l.geog <-> {point} AS metres FROM directory_location l "
        "JOIN directory_practitioner p ON p.id = l.practitioner_id WHERE p.status = 'published'"
        + (TECHNIQUE_CLAUSE if technique_id else "")
        + f" ORDER BY l.geog <-> {point} LIMIT 20"
    )
    params = (origin.longitude, origin.latitude, *([technique_id] if technique_id else []))
    return sql, (*params, origin.longitude, origin.latitude)


def postgis_dwithin(origin: Point, radius_km: float, technique_id: int | None) -> tuple[str, tuple]:
    point = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography"
    sql = (
        f"SELECT l.practitioner_id, MIN(ST_Distance(l.geog, {point})) AS metres FROM directory_location l "
        "JOIN directory_practitioner p ON p.id = l.practitioner_id "
        f"WHERE p.status = 'published' AND ST_DWithin(l.geog, {point}, %s)"
        + (TECHNIQUE_CLAUSE if technique_id else "")
        + " GROUP BY l.practitioner_id ORDER BY metres, l.practitioner_id LIMIT 20"
    )
    params = (origin.longitude, origin.latitude, origin.longitude, origin.latitude, radius_km * 1000)
    return sql, (*params, *([technique_id] if technique_id else []))


def enable_postgis() -> bool:
    if connection.vendor != "postgresql":
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            cursor.execute("ALTER TABLE directory_location ADD COLUMN IF NOT EXISTS geog geography(Point, 4326)")
            cursor.execute("CREATE INDEX IF NOT EXISTS location_geog ON directory_location USING gist (geog)")
    except DatabaseError as error:
        print(f"PostGIS unavailable ({error}); install postgresql-15-postgis-3 to compare.", file=sys.stderr)
        return False
    return True


def fill_postgis() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE directory_location SET geog = ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography "
            "WHERE geog IS NULL"
        )
        # The UPDATE left a dead version of every location and cleared the table's visibility map: vacuumed as
        # autovacuum would, or every search measured after it reads the heap twice over, and never the index alone.
        cursor.execute("VACUUM ANALYZE directory_location")


def last_circle_km(search: Search) -> float:
    """The radius of the circle a page of `search` is finally read from."""
    circles: list[float] = []
    near = PractitionerQuerySet.near

    def recording(queryset, origin, radius_km):
        circles.append(radius_km)
        return near(queryset, origin, radius_km)

    with patch.object(PractitionerQuerySet, "near", recording):
        search.page(0, 20)
    return circles[-1] if circles else search.radius_km


def measure(runs: int, scan_runs: int, rng: random.Random, zip_codes: list[str], postgis: bool) -> list[dict]:
    client = Client()
    index = place_index()
    nucca = Technique.objects.get(slug="nucca")
    names = ("page", "page_sql", "count", "full", "scan", "knn", "dwithin", "api")
    results = []
    for miles, technique in SCENARIOS:
        radius_km = miles * KM_PER_MILE
        chosen = [nucca] if technique else []
        samples: dict[str, list[float]] = {name: [] for name in names}
        for run in range(runs):
            zip_code = rng.choice(zip_codes)
            origin = index.zip_codes[zip_code].point
            parameters = {"near": zip_code, "radius": str(miles), **({"technique": [technique]} if technique else {})}
            filters = PractitionerSearch(parameters)
            assert filters.is_valid(), filters.form.errors
            samples["count"].append(timed_ms(lambda f=filters: f.search.count))  # counted once, then kept
            samples["page"].append(timed_ms(partial(filters.search.page, 0, 20)))
            circle = filters.search.matching().near(origin, last_circle_km(filters.search))[:20]
            samples["page_sql"].append(timed_ms(partial(run_sql, circle.query.sql_with_params())))
            full = search_queryset(origin, radius_km, chosen).query.sql_with_params()
            samples["full"].append(timed_ms(partial(run_sql, full)))
            if run < scan_runs:
                scan = full_scan_queryset(origin, radius_km, chosen).query.sql_with_params()
                samples["scan"].append(timed_ms(partial(run_sql, scan)))
            if postgis:
                technique_id = nucca.pk if technique else None
                samples["knn"].append(timed_ms(partial(run_sql, postgis_knn(origin, radius_km, technique_id))))
                dwithin = postgis_dwithin(origin, radius_km, technique_id)
                samples["dwithin"].append(timed_ms(partial(run_sql, dwithin)))
            url = f"/api/v1/practitioners/?near={zip_code}&radius={miles}" + (
                f"&technique={technique}" if technique else ""
            )
            samples["api"].append(timed_ms(partial(client.get, url)))
        results.append({"miles": miles, "technique": technique, **samples})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_sizes = "10000,100000,1000000" if connection.vendor == "postgresql" else "10000,100000"
    parser.add_argument("--sizes", default=default_sizes, help=f"Practitioner counts (default {default_sizes}).")
    parser.add_argument("--runs", type=int, default=25, help="Timed searches per size and search.")
    parser.add_argument("--scan-runs", type=int, default=15, help="Timed full scans (slow at 1M) per search.")
    options = parser.parse_args()
    sizes = sorted(int(size) for size in options.sizes.split(","))

    rows = []
    with throwaway_database("directory_bench_search"):
        rng = random.Random(2026)
        zip_codes, centres = zip_centres(rng)
        postgis = enable_postgis()
        filled = 0
        for size in sizes:
            elapsed = timed_ms(lambda count=size - filled, start=filled: fill(count, start, rng, centres))
            if postgis:
                fill_postgis()
            filled = size
            print(f"filled {size:,} practitioners in {elapsed / 1000:.1f} s", file=sys.stderr)
            list(search_queryset(centres[0], 40, []))  # warm the connection and the place index
            for result in measure(options.runs, options.scan_runs, rng, zip_codes, postgis):
                speed_up = median_p95(result["scan"])[0] / median_p95(result["page_sql"])[0]
                rows.append(
                    [
                        f"{size:,}",
                        f"{result['miles']} mi" + (f", {result['technique']}" if result["technique"] else ""),
                        *(cell(result[name]) for name in ("page_sql", "page", "count", "full", "scan")),
                        f"{speed_up:.0f}x",
                        *(cell(result[name]) for name in ("knn", "dwithin", "api")),
                    ]
                )
    print(
        f"\nTop 20 within the radius on {connection.vendor}, ms (median / p95 of {options.runs} runs; "
        f"full scan {options.scan_runs})\n"
    )
    header = ["practitioners", "search", "top 20 SQL", "top 20 ORM", "count", "whole-radius SQL", "full scan SQL"]
    print_table([*header, "speed-up", "PostGIS KNN", "PostGIS DWithin", "API request"], rows)


if __name__ == "__main__":
    main()
