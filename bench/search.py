"""Benchmark the patient search against a naive full-table haversine scan, on the configured database.

    python bench/search.py [--sizes 10000,100000] [--runs 25]

It builds a throw-away test database (DATABASE_URL picks SQLite or PostgreSQL; your own data is not touched),
fills it with practitioners clustered around real ZIP-code centroids, and prints one table: the median and p95
of the search query (top 20 with distances: one SQL query), of a full-table haversine scan answering the same
question, of the query with the page's prefetches (locations, techniques), and of the API request through
Django's test client. Figures are milliseconds; every size and method
runs in the same process, interleaved, so a noisy machine affects them alike.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import F, FloatField, Min, Value  # noqa: E402
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from directory.geo import KM_PER_MILE, Point, place_index  # noqa: E402
from directory.models import Location, Practitioner, Technique  # noqa: E402

RADIUS_MILES = 25
MEAN_EARTH_RADIUS_KM = 6371.0088


def haversine_km(origin: Point) -> Min:
    """What a naive implementation computes for every row: the haversine distance on a sphere."""

    def value(number: float) -> Value:
        return Value(number, output_field=FloatField())

    latitude, longitude = Radians(F("locations__latitude")), Radians(F("locations__longitude"))
    lat0, lon0 = value(origin.latitude * 3.141592653589793 / 180), value(origin.longitude * 3.141592653589793 / 180)
    h = Power(Sin((latitude - lat0) / value(2)), 2) + Cos(lat0) * Cos(latitude) * Power(
        Sin((longitude - lon0) / value(2)), 2
    )
    return Min(value(2 * MEAN_EARTH_RADIUS_KM) * ASin(Sqrt(h)))


def full_scan(origin: Point, radius_km: float) -> list[Practitioner]:
    scan = (
        Practitioner.objects.published()
        .annotate(distance_km=haversine_km(origin))
        .filter(distance_km__lte=radius_km)
        .order_by("distance_km", "name", "pk")
    )
    return list(scan[:20])


def project_query(origin: Point, radius_km: float) -> list[Practitioner]:
    """The search's one SQL query: the 20 nearest practitioners with their distances."""
    return list(Practitioner.objects.published().near(origin, radius_km).prefetch_related(None)[:20])


def project_search(origin: Point, radius_km: float) -> list[Practitioner]:
    """What the search page loads: that query plus each page's locations and techniques (3 queries in all)."""
    return list(Practitioner.objects.published().with_techniques().near(origin, radius_km)[:20])


def fill(count: int, start: int, rng: random.Random, centres: list[Point], techniques: list[Technique]) -> None:
    """Adds `count` published practitioners with 1-3 locations each, clustered around ZIP centroids."""
    through = Practitioner.techniques.through
    batch = 5000
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        practitioners = Practitioner.objects.bulk_create(
            Practitioner(
                name=f"Bench Practitioner {start + offset + i:07d}",
                slug=f"bench-practitioner-{start + offset + i}",
                status=Practitioner.Status.PUBLISHED,
            )
            for i in range(size)
        )
        locations, offers = [], []
        for practitioner in practitioners:
            centre = rng.choice(centres)
            for _ in range(rng.choice([1, 1, 2, 3])):
                locations.append(
                    Location(
                        practitioner_id=practitioner.pk,
                        address_line1="1 Bench Way",
                        city="Bench",
                        state="ZZ",
                        postal_code="00000",
                        latitude=max(-90.0, min(90.0, centre.latitude + rng.gauss(0, 0.25))),
                        longitude=max(-180.0, min(180.0, centre.longitude + rng.gauss(0, 0.3))),
                    )
                )
            for technique in rng.sample(techniques, rng.choice([1, 2, 3])):
                offers.append(through(practitioner_id=practitioner.pk, technique_id=technique.pk))
        Location.objects.bulk_create(locations, batch_size=2000)
        through.objects.bulk_create(offers, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return (time.perf_counter() - started) * 1000


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(size: int, runs: int, rng: random.Random, zip_codes: list[str]) -> dict[str, tuple[float, float]]:
    client = Client()
    radius_km = RADIUS_MILES * KM_PER_MILE
    index = place_index()
    samples: dict[str, list[float]] = {"query": [], "scan": [], "page": [], "api": []}
    for _ in range(runs):
        zip_code = rng.choice(zip_codes)
        origin = index.zip_codes[zip_code].point
        samples["query"].append(timed(project_query, origin, radius_km))
        samples["page"].append(timed(project_search, origin, radius_km))
        samples["scan"].append(timed(full_scan, origin, radius_km))
        url = f"/api/v1/practitioners/?near={zip_code}&radius={RADIUS_MILES}"
        samples["api"].append(timed(lambda address: client.get(address).json(), url))
    return {name: summary(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="Comma-separated practitioner counts.")
    parser.add_argument("--runs", type=int, default=25, help="Timed searches per size and method.")
    options = parser.parse_args()
    sizes = sorted(int(size) for size in options.sizes.split(","))

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        rng = random.Random(2026)
        zip_codes = sorted(code for code, place in place_index().zip_codes.items() if place.point.latitude > 18)
        centres = [place_index().zip_codes[code].point for code in rng.sample(zip_codes, 3000)]
        techniques = list(Technique.objects.all())
        rows = []
        filled = 0
        for size in sizes:
            started = time.perf_counter()
            fill(size - filled, filled, rng, centres, techniques)
            filled = size
            print(f"filled {size:,} practitioners in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            project_search(centres[0], 40)  # warm the connection and the place index
            rows.append((size, measure(size, options.runs, rng, zip_codes)))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(
        f"\nSearch within {RADIUS_MILES} mi, top 20, on {connection.vendor}; {options.runs} runs; ms (median / p95)\n"
    )
    columns = ["practitioners", "search query", "full haversine scan", "speed-up (median)", "query + page prefetches"]
    print("| " + " | ".join([*columns, "API request"]) + " |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, figures in rows:
        query, scan, page, api = (figures[name] for name in ("query", "scan", "page", "api"))
        print(
            f"| {size:,} | {query[0]:.1f} / {query[1]:.1f} | {scan[0]:.1f} / {scan[1]:.1f} | {scan[0] / query[0]:.0f}x "
            f"| {page[0]:.1f} / {page[1]:.1f} | {api[0]:.1f} / {api[1]:.1f} |"
        )


if __name__ == "__main__":
    main()
