"""What one search request costs in process, beside the database work that answers it, and where the time goes.

    python bench/request_cost.py [--practitioners 100000] [--runs 40] [--profile]

Fills the PostgreSQL database `directory_bench_cost` (DATABASE_URL's server) and, for 25 mi and for 100 mi
with a technique, times through Django's test client: the API and the HTML page, each with a new ZIP code per
request (cold) and with the same 5 ZIP codes over and over (warm); beside them the PostGIS KNN query for the
same top 20 (where the postgis extension can be created), and how much of the cold API request was its SQL (the
time its statements took, sent, run and answered). Cold requests never repeat a search, so they miss the
answer cache; warm ones hit it. With --profile, cProfile's top functions of cold API requests. Prints medians in
ms; drops the database afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import random
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import drop, prepare

DATABASE = "directory_bench_cost"
SCENARIOS = [(25, None), (100, "nucca")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practitioners", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--label", default="", help="Names the code measured, in the table's title.")
    options = parser.parse_args()
    zip_codes, _ = prepare(DATABASE, options.practitioners)  # 500 ZIP codes: enough for 3 x 160 cold requests
    try:
        measure(zip_codes, options)
    finally:
        from django.db import connections

        connections.close_all()
        drop(DATABASE)


COLUMNS = {"api": "API cold", "api_sql": "its SQL", "page": "page cold", "warm_api": "API warm",
           "warm_page": "page warm", "knn": "PostGIS KNN"}  # fmt: skip


class StatementTime:
    """A database execute wrapper that adds up the time of the statements run through it: a request's SQL, each
    statement timed from Django's cursor (sent, run, answered) as the request waits for it."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def measure(zip_codes: list[str], options: argparse.Namespace) -> None:
    from django.test import Client

    results = costs(zip_codes, options.runs)
    report(results, options.practitioners, options.runs, options.label)
    if options.profile:
        profile(Client(), zip_codes, random.Random(7), options.runs)


def costs(zip_codes: list[str], runs: int) -> dict[str, dict[str, float]]:
    """Median ms of `runs` for each search (SCENARIOS) and each of COLUMNS (NaN for KNN without PostGIS); takes
    the ZIP codes it searches cold from the end of `zip_codes`."""
    from common import median_p95, timed_ms
    from django.db import connection
    from django.test import Client
    from search import enable_postgis, fill_postgis, postgis_knn, run_sql

    from directory.geo import KM_PER_MILE
    from directory.models import Technique
    from directory.places import place_index

    postgis = enable_postgis()
    if postgis:
        fill_postgis()
    client, rng = Client(), random.Random(7)
    nucca = Technique.objects.get(slug="nucca")
    client.get(f"/api/v1/practitioners/?near={zip_codes[0]}")  # warm the place index and the connection
    results = {}
    for miles, technique in SCENARIOS:
        query = f"&radius={miles}" + (f"&technique={technique}" if technique else "")
        samples: dict[str, list[float]] = {name: [] for name in COLUMNS}
        warm = rng.sample(zip_codes, 5)
        for zip_code in (zip_codes.pop() for _ in range(runs)):  # each ZIP code searched once: cold
            again = rng.choice(warm)
            statements = StatementTime()
            with connection.execute_wrapper(statements):
                samples["api"].append(timed_ms(partial(client.get, f"/api/v1/practitioners/?near={zip_code}{query}")))
            samples["api_sql"].append(statements.seconds * 1000)
            for name, path in (
                ("page", f"/search/?near={zip_code}{query}"),
                ("warm_api", f"/api/v1/practitioners/?near={again}{query}"),
                ("warm_page", f"/search/?near={again}{query}"),
            ):
                samples[name].append(timed_ms(partial(client.get, path)))
            if postgis:
                origin = place_index().zip_codes[zip_code].point
                knn = postgis_knn(origin, miles * KM_PER_MILE, nucca.pk if technique else None)
                samples["knn"].append(timed_ms(lambda sql=knn: run_sql(sql)))
        label = f"{miles} mi" + (f", {technique}" if technique else "")
        results[label] = {name: median_p95(values)[0] if values else float("nan") for name, values in samples.items()}
    return results


def report(results: dict[str, dict[str, float]], practitioners: int, runs: int, label: str = "") -> None:
    from common import print_table

    rows = [
        [search, *(f"{medians[name]:.1f}" for name in COLUMNS), f"{medians['api'] / medians['knn']:.1f}x"]
        for search, medians in results.items()
    ]
    label = f"{label}: " if label else ""
    print(f"\n{label}one request in process, PostgreSQL, {practitioners:,} practitioners; median ms of {runs}\n")
    print_table(["search", *COLUMNS.values(), "API cold / KNN"], rows)


def profile(client, zip_codes: list[str], rng: random.Random, runs: int) -> None:
    profiler = cProfile.Profile()
    for zip_code in (zip_codes.pop() for _ in range(runs)):
        profiler.runcall(client.get, f"/api/v1/practitioners/?near={zip_code}&radius=25")
    from common import print_profile

    print_profile(profiler, f"{runs} cold API requests (25 mi)")


if __name__ == "__main__":
    main()
