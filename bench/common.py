"""What the benchmarks share: Django set-up, a throw-away database, realistic data, and medians."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
# Connections kept between requests, as the served site keeps them (bench/serving.py): a request in process does
# not pay for a new connection, nor PREPARE its statements again (directory/compiled.py).
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from directory.geo import Point  # noqa: E402
from directory.models import Location, Practitioner, Technique  # noqa: E402
from directory.places import place_index  # noqa: E402


@contextmanager
def throwaway_database(name: str) -> Iterator[None]:
    """A fresh, migrated database `name` on the configured server (DATABASE_URL), dropped afterwards
    (on SQLite an in-memory one)."""
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = name
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def zip_centres(rng: random.Random, count: int = 3000) -> tuple[list[str], list[Point]]:
    """Real ZIP codes of the 50 states and their centroids: `count` of them become the clusters' centres."""
    zip_codes = sorted(code for code, place in place_index().zip_codes.items() if place.point.latitude > 18)
    return zip_codes, [place_index().zip_codes[code].point for code in rng.sample(zip_codes, count)]


def practitioner_rows(count: int, start: int, rng: random.Random, centres: list[Point], techniques: list[int]):
    """Practitioners with 1-3 locations around ZIP centroids (gaussian, about 30 km) and 1-3 techniques."""
    for number in range(start + 1, start + count + 1):
        centre = rng.choice(centres)
        locations = [
            (
                max(-90.0, min(90.0, centre.latitude + rng.gauss(0, 0.25))),
                max(-180.0, min(180.0, centre.longitude + rng.gauss(0, 0.3))),
            )
            for _ in range(rng.choice([1, 1, 2, 3]))
        ]
        yield number, locations, rng.sample(techniques, rng.choice([1, 2, 3]))


def fill(count: int, start: int, rng: random.Random, centres: list[Point]) -> None:
    """Adds `count` published practitioners; PostgreSQL through COPY, SQLite through bulk inserts."""
    techniques = list(Technique.objects.values_list("pk", flat=True))
    rows = list(practitioner_rows(count, start, rng, centres, techniques))
    if connection.vendor == "postgresql":
        _copy_fill(rows)
    else:
        _bulk_fill(rows)
    _grid_rebuild()


def _grid_rebuild() -> None:
    """The search grid counts what was filled behind the models' backs (where the code measured has one)."""
    try:
        from directory.grid import grid_rebuild
    except ImportError:  # a revision from before the grid
        return
    grid_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would: the visibility map, for index-only scans
            cursor.execute("VACUUM ANALYZE directory_gridcount, directory_gridmember")


def _copy(cursor, table: str, columns: list[str], records: list[tuple]) -> None:
    """COPYs `records` into `columns`; every other column of the table's model gets its field's default, so the
    harness keeps working (before and after a change) as models gain fields whose defaults Django, not the
    database, supplies."""
    model = next(model for model in django.apps.apps.get_models(include_auto_created=True)
                 if model._meta.db_table == table)  # fmt: skip
    others = [
        field for field in model._meta.concrete_fields
        if field.column not in columns and not field.generated and not field.primary_key
        and (field.has_default() or not field.null)
    ]  # fmt: skip
    defaults = tuple(_copied(field, field.get_default()) for field in others)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(record + defaults for record in records)
    buffer.seek(0)
    names = ", ".join([*columns, *(field.column for field in others)])
    cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _copied(field, value: object) -> object:
    """A default as COPY's CSV reads it."""
    if value is None:
        return "\\N"
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return value


def _copy_fill(rows: list) -> None:
    now = "2026-01-01T00:00:00+00:00"
    practitioner_columns = [
        "id", "name", "slug", "credentials", "bio", "email", "phone", "website", "accepting_new_patients",
        "status", "rejection_reason", "created_at", "updated_at",
    ]  # fmt: skip
    location_columns = [
        "practitioner_id", "clinic_name", "address_line1", "address_line2", "city", "state", "postal_code",
        "country", "latitude", "longitude", "phone", "placement",
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), 100_000):
            chunk = rows[offset : offset + 100_000]
            _copy(
                cursor,
                "directory_practitioner",
                practitioner_columns,
                [
                    (
                        n,
                        f"Bench Practitioner {n:07d}",
                        f"bench-practitioner-{n}",
                        "DC",
                        "",
                        "",
                        "",
                        "",
                        True,
                        "published",
                        "",
                        now,
                        now,
                    )
                    for n, _, _ in chunk
                ],
            )
            _copy(
                cursor,
                "directory_location",
                location_columns,
                [
                    (n, "", "1 Bench Way", "", "Bench", "ZZ", "00000", "US", lat, lon, "", "file")
                    for n, places, _ in chunk
                    for lat, lon in places
                ],
            )
            _copy(
                cursor,
                "directory_practitioner_techniques",
                ["practitioner_id", "technique_id"],
                [(n, technique) for n, _, chosen in chunk for technique in chosen],
            )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('directory_practitioner', 'id'), "
            "(SELECT MAX(id) FROM directory_practitioner))"
        )
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: statistics, and the visibility map


def _bulk_fill(rows: list) -> None:
    through = Practitioner.techniques.through
    for offset in range(0, len(rows), 5000):
        chunk = rows[offset : offset + 5000]
        Practitioner.objects.bulk_create(
            Practitioner(
                pk=n, name=f"Bench Practitioner {n:07d}", slug=f"bench-practitioner-{n}", credentials="DC",
                status=Practitioner.Status.PUBLISHED,
            )
            for n, _, _ in chunk
        )  # fmt: skip
        Location.objects.bulk_create(
            (
                Location(practitioner_id=n, address_line1="1 Bench Way", city="Bench", state="ZZ",
                         postal_code="00000", latitude=lat, longitude=lon)
                for n, places, _ in chunk
                for lat, lon in places
            ),
            batch_size=2000,
        )  # fmt: skip
        through.objects.bulk_create(
            (through(practitioner_id=n, technique_id=t) for n, _, chosen in chunk for t in chosen), batch_size=2000
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed_ms(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def cell(samples: list[float] | None) -> str:
    if not samples:
        return "n/a"
    median, p95 = median_p95(samples)
    return f"{median:.1f} / {p95:.1f}"


def print_table(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def print_profile(profiler, title: str, lines: int = 25) -> None:
    """cProfile's top `lines` functions by their own time, under `title`."""
    import pstats

    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(lines)
    print(f"\ncProfile, {title}, by own time:\n")
    print(out.getvalue())
