"""Benchmark `import_practitioners` on a 100k-row CSV file beside PostgreSQL's COPY of the same rows.

    python bench/csv_import.py [--rows 100000]

On a throw-away test database of the configured server (DATABASE_URL), it writes a CSV file in the import
format (1-3 rows, that is locations, per practitioner, around real ZIP centroids), times the import, times
re-importing the same file (which changes nothing), and times COPY of the same file into a plain table of
text columns (on PostgreSQL): the floor for moving those bytes into the database.
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


def measure(rows: int, database: str = "directory_bench_import") -> dict[str, float]:
    """Seconds of the import, of the same file again and of COPY (None off PostgreSQL), and the practitioners."""
    with tempfile.TemporaryDirectory() as folder, throwaway_database(database):
        path = Path(folder) / "practitioners.csv"
        practitioners = write_csv(path, rows, random.Random(2026))
        quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        first = timed_s(lambda: call_command("import_practitioners", str(path), **quiet))
        again = timed_s(lambda: call_command("import_practitioners", str(path), **quiet))
        copy = timed_s(lambda: copy_file(path)) if connection.vendor == "postgresql" else None
    return {"practitioners": practitioners, "first": first, "again": again, "copy": copy}


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
    print(f"\n{rows:,} CSV rows ({result['practitioners']:,} practitioners) on {connection.vendor}\n")
    print_table(["what", "seconds", "rows/s", "of COPY"], table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    options = parser.parse_args()
    report(options.rows, measure(options.rows))


if __name__ == "__main__":
    main()
