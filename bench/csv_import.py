"""Benchmark `import_practitioners` on a 100k-row CSV file beside PostgreSQL's COPY of the same rows.

    python bench/csv_import.py [--rows 100000]

On a throw-away test database of the configured server (DATABASE_URL), it writes a CSV file in the import
format (1-3 rows, that is locations, per practitioner, around real ZIP centroids), times the import, times
re-importing the same file (which changes nothing), and times COPY of the same file into a plain table of
text columns (on PostgreSQL): the floor for moving those bytes into the database. On PostgreSQL it then times,
on the emptied directory, the database's own share of the two imports (database_floor): the file copied, staged by
SQL alone (no validation), the import's own inserts and the search grid's refresh after them; then the same file
copied and staged again and compared with what was written.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
from pathlib import Path

from common import print_table, throwaway_database, zip_centres
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from directory.importing import IMPORT_COLUMNS
from directory.places import place_index

TECHNIQUES = ["NUCCA", "Blair", "Atlas Orthogonal", "Orthospinology", "QSM3", "Knee Chest", "Grostic", "hio"]


def write_csv(path: Path, rows: int, rng: random.Random) -> int:
    """Writes `rows` data rows (every column by its name, each row valid); returns how many practitioners they
    describe."""
    zip_codes, _ = zip_centres(rng)
    places = place_index().zip_codes
    written = practitioners = 0
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=IMPORT_COLUMNS)
        writer.writeheader()
        while written < rows:
            practitioners += 1
            zip_code = rng.choice(zip_codes)
            place = places[zip_code]
            city, state = place.label.split("(", 1)[1].rstrip(")").rsplit(", ", 1)
            techniques = ";".join(rng.sample(TECHNIQUES, rng.choice([1, 2, 3])))
            for branch in range(min(rng.choice([1, 1, 2, 3]), rows - written)):
                writer.writerow(
                    {
                        "external_id": f"bench-{practitioners}",
                        "name": f"Dr. Bench {practitioners}",
                        "credentials": "DC",
                        "clinic_name": f"Clinic {branch + 1}",
                        "email": f"dr{practitioners}@example.com",
                        "phone": "(617) 555-0100",
                        "website": "https://example.com",
                        "address_line1": f"{branch + 1} Bench Way",
                        "city": city,
                        "state": state,
                        "postal_code": zip_code,
                        "country": "US",
                        "latitude": f"{place.point.latitude + rng.gauss(0, 0.02):.5f}",
                        "longitude": f"{place.point.longitude + rng.gauss(0, 0.02):.5f}",
                        "techniques": techniques,
                        "accepting_new_patients": "yes",
                        "status": "published",
                    }
                )
                written += 1
    return practitioners


def timed_s(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def copy_file(path: Path) -> None:
    columns = ", ".join(f"{column} text" for column in IMPORT_COLUMNS)
    with connection.cursor() as cursor, path.open(encoding="utf-8") as file:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS bench_copy ({columns})")
        cursor.execute("TRUNCATE bench_copy")
        cursor.copy_expert("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)", file)


# The import's three staging tables filled from the copied file by SQL alone, for this benchmark's file (every
# cell valid; techniques by name or slug; coordinates given to 5 decimals, so already as rounded as stored), as
# the import stages them: one row per practitioner (its first line), its techniques and its locations in order.
FLOOR_STAGING = """
INSERT INTO import_practitioner (position, external_id, slug, name, credentials, bio, email, website,
                                 accepting_new_patients, status, phone)
SELECT DISTINCT ON (external_id) line, external_id, external_id, name, coalesce(credentials, ''),
       coalesce(bio, ''), coalesce(email, ''), coalesce(website, ''), accepting_new_patients = 'yes',
       coalesce(nullif(status, ''), 'published'), coalesce(phone, '')
FROM floor_copy ORDER BY external_id, line;
INSERT INTO import_technique (position, rank, technique_id)
SELECT first, rank, t.id FROM (
    SELECT DISTINCT ON (external_id) external_id, line AS first, techniques FROM floor_copy ORDER BY external_id, line
) f CROSS JOIN unnest(string_to_array(f.techniques, ';')) WITH ORDINALITY AS named (name, rank)
JOIN (SELECT id, lower(name) AS folded FROM directory_technique UNION SELECT id, slug FROM directory_technique) t
  ON t.folded = lower(named.name);
INSERT INTO import_location (position, rank, clinic_name, address_line1, city, state, postal_code, country, latitude,
                             longitude, phone, address_line2, placement, time_zone, latitude_given, longitude_given)
SELECT min(line) OVER same, row_number() OVER same, coalesce(clinic_name, ''), address_line1, city, state,
       postal_code, country, latitude::float8, longitude::float8,
       coalesce(phone, ''), coalesce(address_line2, ''), 'file', 'America/New_York', latitude::float8, longitude::float8
FROM floor_copy WINDOW same AS (PARTITION BY external_id ORDER BY line);
ANALYZE import_practitioner; ANALYZE import_technique; ANALYZE import_location
"""


# A re-import's matching by SQL: each staged practitioner with its listing, each staged location with the one it
# updates (importing's _location_key: clinic, address, city and postal code, folded).
FLOOR_MATCHING = """
UPDATE import_practitioner s SET id = p.id FROM directory_practitioner p WHERE p.external_id = s.external_id;
CREATE TEMP TABLE import_found ON COMMIT DROP AS SELECT position, id FROM import_practitioner WHERE id IS NOT NULL;
ALTER TABLE import_found ADD PRIMARY KEY (position); ANALYZE import_found;
UPDATE import_location l SET location_id = d.id FROM import_found f, directory_location d
WHERE f.position = l.position AND d.practitioner_id = f.id AND lower(d.clinic_name) = lower(l.clinic_name)
  AND lower(d.address_line1) = lower(l.address_line1) AND lower(d.city) = lower(l.city)
  AND lower(d.postal_code) = lower(l.postal_code);
ANALYZE import_location
"""


def database_floor(path: Path) -> dict[str, float]:
    """The database's own share of importing `path` (PostgreSQL), on an emptied directory, in one transaction
    rolled back; seconds from the start of each import:
    - first import: the file COPYed into a text table and staged by SQL alone (`staged`: every cell taken as
      valid, no row form, no phones or places read, no Python per row), then the import's own inserts
      (importing._create_as_set: `inserted`), then the search grid's refresh of what they created (`grid`);
    - the same file again: COPYed and staged again, each row matched by SQL with the listing and location it
      updates, and importing's own comparison of the two (_differences, _changed_practitioners: `compared`),
      which must find nothing changed.
    What no validation, wherever it runs, takes away."""
    from django.db import transaction

    from directory.grid import grid_refresh
    from directory.importing import STAGING_TABLES, _changed_practitioners, _create_as_set, _differences
    from directory.models import Location, Practitioner

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Practitioner._meta.db_table} CASCADE")  # the import above's, with what hangs on it
        cursor.execute("VACUUM ANALYZE")
    times: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        _copied_and_staged(cursor, path)
        times["staged"] = time.perf_counter() - started
        created = _create_as_set(cursor, timezone.now())
        times["inserted"] = time.perf_counter() - started
        grid_refresh(practitioner_ids=created)
        times["grid"] = time.perf_counter() - started
        cursor.execute(f"DROP TABLE floor_copy, {', '.join(STAGING_TABLES[:3])}")
        started = time.perf_counter()
        _copied_and_staged(cursor, path)
        cursor.execute(FLOOR_MATCHING)
        _differences(cursor)
        changed = _changed_practitioners(cursor, [])
        times["compared"] = time.perf_counter() - started
        locations = Location.objects.count()
        transaction.set_rollback(True)
    if changed or locations != sum(1 for _ in path.open(encoding="utf-8")) - 1:
        raise AssertionError(f"the floor's staging is not the file: {len(changed)} changed, {locations} locations")
    times["practitioners"] = len(created)
    return times


def _copied_and_staged(cursor, path: Path) -> None:
    from directory.importing import _staging_create

    columns = ", ".join(f"{column} text" for column in IMPORT_COLUMNS)
    cursor.execute(f"CREATE TEMP TABLE floor_copy (line bigint GENERATED ALWAYS AS IDENTITY, {columns})")
    with path.open(encoding="utf-8") as file:
        copy = f"COPY floor_copy ({', '.join(IMPORT_COLUMNS)}) FROM STDIN WITH (FORMAT csv, HEADER true)"
        cursor.copy_expert(copy, file)
    _staging_create(cursor)
    cursor.execute(FLOOR_STAGING)


def measure(rows: int, database: str = "directory_bench_import") -> dict[str, float]:
    """Seconds of the import, of the same file again and of COPY (None off PostgreSQL), the practitioners, and
    on PostgreSQL the database's share of the first import (database_floor; else None)."""
    with tempfile.TemporaryDirectory() as folder, throwaway_database(database):
        path = Path(folder) / "practitioners.csv"
        practitioners = write_csv(path, rows, random.Random(2026))
        quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        first = timed_s(lambda: call_command("import_practitioners", str(path), **quiet))
        again = timed_s(lambda: call_command("import_practitioners", str(path), **quiet))
        postgresql = connection.vendor == "postgresql"
        copy = timed_s(lambda: copy_file(path)) if postgresql else None
        floor = database_floor(path) if postgresql else None
        if floor and floor["practitioners"] != practitioners:
            raise AssertionError(f"the floor created {floor['practitioners']} practitioners, not {practitioners}")
    return {"practitioners": practitioners, "first": first, "again": again, "copy": copy, "floor": floor}


def report(rows: int, result: dict[str, float]) -> None:
    first, again, copy = result["first"], result["again"], result["copy"]
    table = [
        ["import_practitioners (new)", f"{first:.1f}", f"{rows / first:,.0f}",
         f"{first / copy:.1f}x" if copy else "n/a"],
        ["import_practitioners (same file again)", f"{again:.1f}", f"{rows / again:,.0f}",
         f"{again / copy:.1f}x" if copy else "n/a"],
    ]  # fmt: skip
    if copy:
        table.append(["PostgreSQL COPY into a text table", f"{copy:.2f}", f"{rows / copy:,.0f}", "1.0x"])
        floor = result["floor"]
        for key, what in (
            ("staged", "the database's share: the file staged by SQL alone (no validation)"),
            ("inserted", "... and the import's inserts"),
            ("grid", "... and the search grid's refresh"),
            ("compared", "the database's share of the same file again: staged, matched and compared"),
        ):
            table.append([what, f"{floor[key]:.2f}", f"{rows / floor[key]:,.0f}", f"{floor[key] / copy:.1f}x"])
    print(f"\n{rows:,} CSV rows ({result['practitioners']:,} practitioners) on {connection.vendor}\n")
    print_table(["what", "seconds", "rows/s", "of COPY"], table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    options = parser.parse_args()
    report(options.rows, measure(options.rows))


if __name__ == "__main__":
    main()
