"""Benchmark `import_nppes` on a generated 1,000,000-row file in the NPI registry's shape.

    python bench/nppes_import.py [--rows 1000000]

Writes a file with the registry's 330 columns, every value quoted as the registry quotes them, in a temporary
folder: about 10% chiropractors (individuals with a 111N taxonomy code among their first three, a few abroad or at
a ZIP code the postal data lack), 20% organisations (some with a chiropractic taxonomy), 3% deactivated NPIs (the
NPI and the date, nothing else), the rest other individuals. Then imports it into a throw-away PostgreSQL database
(`nppes_bench` on the server of DATABASE_URL, dropped afterwards), imports it again (which changes nothing), and
imports the test suite's sample file. Each step runs in a process of its own, so that its peak memory (ru_maxrss)
is its own.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "tests" / "data" / "npidata_pfile_sample.csv"
DATABASE = "nppes_bench"


def registry_header() -> list[str]:
    with SAMPLE.open(newline="", encoding="utf-8") as file:
        return next(csv.reader(file))


def write_registry_file(path: Path, rows: int, rng: random.Random) -> None:
    """`rows` rows in the registry's shape (see the module's docstring)."""
    import zipcodes

    from directory.npi import NPI_PREFIX, luhn_check_digit

    header = registry_header()
    at = {name: position for position, name in enumerate(header)}
    places = [(row["zip_code"], row["city"].upper(), row["state"]) for row in zipcodes.list_all() if row["lat"]]
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(header)
        for number in range(rows):
            body = f"1{number:08d}"
            npi = body + str(luhn_check_digit(NPI_PREFIX + body))
            writer.writerow(_row(npi, len(header), at, places, rng))


def _row(npi: str, width: int, at: dict[str, int], places: list[tuple[str, str, str]], rng: random.Random) -> list:
    cells = [""] * width
    cells[at["NPI"]] = npi
    kind = rng.random()
    if kind < 0.03:
        cells[at["NPI Deactivation Date"]] = (
            f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/20{rng.randint(8, 24):02d}"
        )
        return cells
    zip_code, city, state = rng.choice(places)
    chiropractor = kind < 0.13
    organisation = 0.13 <= kind < 0.33
    practice = "Provider Business Practice Location Address "
    mailing = "Provider Business Mailing Address "
    values = {
        "Entity Type Code": "2" if organisation else "1",
        "Provider First Line Business Practice Location Address": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
        "Provider Second Line Business Practice Location Address": rng.choice(["", "", "", "STE 100", "UNIT 4, FL 2"]),
        practice + "City Name": city,
        practice + "State Name": state,
        practice + "Postal Code": zip_code + (f"{rng.randint(0, 9999):04d}" if rng.random() < 0.6 else ""),
        practice + "Telephone Number": f"{rng.choice(AREA_CODES)}{rng.randint(2, 9)}{rng.randint(0, 999999):06d}",
        "Provider First Line Business Mailing Address": f"PO BOX {rng.randint(1, 9999)}",
        mailing + "City Name": city,
        mailing + "State Name": state,
        mailing + "Postal Code": zip_code,
        "Provider Enumeration Date": "05/23/2007",
        "Last Update Date": "07/08/2024",
        "Certification Date": "07/08/2024",
    }
    if organisation:
        values["Provider Organization Name (Legal Business Name)"] = f"{rng.choice(LAST_NAMES)} HEALTH, LLC"
        values["Authorized Official Last Name"] = rng.choice(LAST_NAMES)
        values["Authorized Official First Name"] = rng.choice(FIRST_NAMES)
        values["Authorized Official Telephone Number"] = values[practice + "Telephone Number"]
    else:
        values["Provider Last Name (Legal Name)"] = rng.choice(LAST_NAMES)
        values["Provider First Name"] = rng.choice(FIRST_NAMES)
        values["Provider Middle Name"] = rng.choice(["", "", "A", "MARIE", "J"])
        values["Provider Credential Text"] = "D.C." if chiropractor else rng.choice(["M.D.", "NP", "PT", "RN", ""])
        values["Provider Sex Code"] = rng.choice("FM")
        values["Is Sole Proprietor"] = rng.choice("YNX")
    if chiropractor and rng.random() < 0.02:  # abroad: the registry gives a country and a foreign postal code
        values[practice + "Country Code (If outside U.S.)"] = rng.choice(["CA", "DE", "JP"])
        values[practice + "Postal Code"] = "M5H3T4"
    taxonomies = rng.sample(OTHER_TAXONOMIES, rng.choice([1, 1, 2, 3]))
    if chiropractor or (organisation and rng.random() < 0.05):
        taxonomies.insert(rng.randrange(len(taxonomies) + 1), rng.choice(CHIROPRACTIC_TAXONOMIES))
    for position, code in enumerate(taxonomies, 1):
        values[f"Healthcare Provider Taxonomy Code_{position}"] = code
        values[f"Provider License Number_{position}"] = f"{rng.randint(1000, 99999999)}"
        values[f"Provider License Number State Code_{position}"] = state
        values[f"Healthcare Provider Primary Taxonomy Switch_{position}"] = "Y" if position == 1 else "N"
    if rng.random() < 0.3:
        values.update({"Other Provider Identifier_1": f"{rng.randint(10**6, 10**9)}",
                       "Other Provider Identifier Type Code_1": "05", "Other Provider Identifier State_1": state,
                       "Other Provider Identifier Issuer_1": "MEDICAID"})  # fmt: skip
    for name, value in values.items():
        cells[at[name]] = value
    return cells


STREETS = ["MAIN ST", "OAK AVE", "1ST ST NE", "MCARTHUR BLVD", "O'CONNOR RD", "US HIGHWAY 1", "PARK PL, BLDG C"]
AREA_CODES = ["617", "212", "312", "415", "206", "303", "512", "801", "305", "404", "602", "702", "216", "503"]
FIRST_NAMES = ["JANE", "JOHN", "MARY", "ROBERT", "PATRICIA", "MICHAEL", "LINDA", "DAVID", "MARIA", "JAMES", "ANGUS"]
LAST_NAMES = ["SMITH", "JOHNSON", "O'BRIEN", "MCDONALD", "GARCIA", "NGUYEN", "SMITH-JONES", "DAVIS", "LEE", "KIM"]
CHIROPRACTIC_TAXONOMIES = ["111N00000X", "111NI0013X", "111NN0400X", "111NS0005X", "111NX0100X", "111NR0200X"]
OTHER_TAXONOMIES = ["207Q00000X", "363LF0000X", "225100000X", "163W00000X", "261QP2000X", "390200000X", "1223G0001X"]


# Measuring ------------------------------------------------------------------------------------------------------------


def measured(command: list[str], environment: dict[str, str]) -> tuple[float, float, str]:
    """Runs `command`: (seconds, its peak resident memory in MB, its standard output)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        output = out.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{output}")
    return seconds, usage.ru_maxrss / 1024, output  # ru_maxrss is in KiB on Linux


def database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def throwaway_database(server_url: str):
    """A fresh database DATABASE on the server of `server_url`, dropped afterwards; yields its URL."""
    import psycopg2

    admin = psycopg2.connect(database_url(server_url, "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        yield database_url(server_url, DATABASE)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)  # the child process that writes the file
    options = parser.parse_args()
    if options.generate:
        write_registry_file(options.generate, options.rows, random.Random(2026))
        return
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/directory")
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder, throwaway_database(server) as url:
        path = Path(folder) / "npidata_pfile_20050523-20260208.csv"
        # DEBUG off: with it, Django keeps every query it runs in memory.
        environment = {**os.environ, "DATABASE_URL": url, "DEBUG": "false"}
        generate = measured([python, __file__, "--rows", str(options.rows), "--generate", str(path)], environment)
        size_mb = path.stat().st_size / 1e6
        measured([python, "manage.py", "migrate", "--noinput", "-v0"], environment)
        command = [python, "manage.py", "import_nppes"]
        first = measured([*command, str(path)], environment)
        again = measured([*command, str(path)], environment)
        sample = measured([*command, str(SAMPLE)], environment)
    from common import print_table

    rows = [
        ["write the file (generator)", f"{options.rows:,}", *_figures(options.rows, generate)],
        ["import_nppes (new listings)", f"{options.rows:,}", *_figures(options.rows, first)],
        ["import_nppes (same file again)", f"{options.rows:,}", *_figures(options.rows, again)],
        ["import_nppes (tests' sample file)", "10", *_figures(10, sample)],
    ]
    print(f"\n{options.rows:,} registry rows, {size_mb:,.0f} MB, on PostgreSQL ({os.cpu_count()} CPUs)\n")
    print_table(["step", "rows", "seconds", "rows/s", "peak RSS (MB)"], rows)
    print("\nThe first import said:\n" + first[2])


def _figures(rows: int, result: tuple[float, float, str]) -> list[str]:
    seconds, peak_mb, _ = result
    return [f"{seconds:.1f}", f"{rows / seconds:,.0f}", f"{peak_mb:,.0f}"]


if __name__ == "__main__":
    main()
