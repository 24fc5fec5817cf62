"""Every performance target of issue 21, measured in one run, each beside its figures and whether it is met.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/targets.py [--quick]

Runs the existing harnesses one after the other, each on its own throw-away database of DATABASE_URL's server,
and prints each one's own table as it finishes, then one table of the targets:

- request_cost.py at the issue's two sizes (100k and 1M practitioners): cold API requests in process beside the
  PostGIS KNN query for the same top 20 (n/a without PostGIS), with the time of the request's own SQL, and the 1M
  cost beside the 100k one;
- http_load.py at 100k: gunicorn in production mode, wrk with 8 connections, against /robots.txt (the trivial
  view the rates are compared with), the cold and warm search API and the cold search page;
- csv_import.py: importing 100,000 rows and the same file again, beside COPY and beside the database's own share
  of each (the file staged by SQL alone, without validation, then the import's own writes and comparison);
- one read replica: a throw-away primary and its streaming standby (tests/replica.py: initdb, pg_basebackup -R,
  on free ports), the primary filled with 100k, the cold search API over HTTP with its reads on the standby
  (DATABASE_REPLICA_URLS) and without, alternated.

--quick runs the same at small sizes (2,000 and 20,000 practitioners, 5,000 rows, 5 s per wrk run) to try the
script in a few minutes; its figures say nothing about the targets at the issue's sizes.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import csv_import
import http_load
import request_cost
from common import print_table
from serving import drop, prepare

CONNECTIONS = 8
# Databases of their own, so a bench-* target someone runs at the same time keeps its own.
DATABASES = {"import": "directory_targets_import", "cost": "directory_targets_cost", "http": "directory_targets_http"}
REPLICA_DATABASE = "directory_targets_replica"  # on the throw-away cluster
REPLICA_ROUNDS = 2  # each configuration this many times, alternated, so a drifting machine affects both alike
NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class Sizes:
    practitioners: int  # the 100k
    large: int  # the 1M
    import_rows: int
    runs: int  # requests timed per search in process
    seconds: int  # per wrk run

    def name(self, practitioners: int) -> str:
        return f"{practitioners // 1000:,}k" if practitioners < 1_000_000 else f"{practitioners // 1_000_000}M"


FULL = Sizes(practitioners=100_000, large=1_000_000, import_rows=100_000, runs=40, seconds=20)
QUICK = Sizes(practitioners=2_000, large=20_000, import_rows=5_000, runs=15, seconds=5)


@dataclass
class Target:
    text: str
    measured: str = "n/a"
    met: str = NOT_MEASURED


def verdict(*conditions: bool) -> str:
    return "yes" if all(conditions) else "no"


def timed_phase(name: str, timings: dict[str, float], function: Callable[[], object]) -> object:
    started = time.monotonic()
    try:
        return function()
    finally:
        timings[name] = time.monotonic() - started
        print(f"[targets] {name}: {timings[name]:.0f} s", file=sys.stderr, flush=True)


def request_costs(practitioners: int, runs: int, timings: dict[str, float]) -> dict[str, dict[str, float]]:
    """request_cost.py's medians at `practitioners`, on a database filled for the purpose."""
    fill = f"fill {practitioners:,}"
    zip_codes, _ = timed_phase(fill, timings, lambda: prepare(DATABASES["cost"], practitioners))
    try:
        results = request_cost.costs(zip_codes, runs)
    finally:
        drop(DATABASES["cost"])
    request_cost.report(results, practitioners, runs)
    return results


def knn_targets(sizes: Sizes, costs: dict[str, dict[str, float]]) -> list[Target]:
    targets = []
    for search, limit in (("25 mi", 3), ("100 mi, nucca", 4)):
        target = Target(f"{sizes.name(sizes.practitioners)}, cold API request ({search}) at most {limit}x the "
                        "PostGIS KNN query")  # fmt: skip
        api, knn = costs[search]["api"], costs[search]["knn"]
        if math.isnan(knn):
            target.measured, target.met = f"{api:.1f} ms vs KNN n/a (no PostGIS)", NOT_MEASURED
        else:
            sql = costs[search]["api_sql"]
            target.measured = (f"{api:.1f} ms vs KNN {knn:.1f} ms = {api / knn:.1f}x (its SQL alone "
                               f"{sql:.1f} ms = {sql / knn:.1f}x)")  # fmt: skip
            target.met = verdict(api / knn <= limit)
        targets.append(target)
    return targets


def scale_targets(sizes: Sizes, small: dict, large: dict) -> list[Target]:
    search = "100 mi, nucca"
    at_small, at_large = small[search]["api"], large[search]["api"]
    large_name, small_name = sizes.name(sizes.large), sizes.name(sizes.practitioners)
    return [
        Target(f"{large_name}, cold API request ({search}) in process under 30 ms", f"{at_large:.1f} ms",
               verdict(at_large < 30)),
        Target(f"{large_name}, the same within 2x of {small_name}",
               f"{at_large:.1f} ms vs {at_small:.1f} ms = {at_large / at_small:.1f}x",
               verdict(at_large / at_small <= 2)),
    ]  # fmt: skip


def http_targets(sizes: Sizes, results: dict | None, reason: str = "") -> list[Target]:
    name = sizes.name(sizes.practitioners)
    wanted = [
        ("search API, cold (25 mi)", 10, 100, f"{name}, HTTP: cold API at least 10% of /robots.txt, p99 < 100 ms"),
        ("search page, cold (25 mi)", 8, 100, f"{name}, HTTP: cold page at least 8% of /robots.txt, p99 < 100 ms"),
        ("search API, warm (10 searches)", 60, None, f"{name}, HTTP: warm API at least 60% of /robots.txt"),
    ]
    if results is None:
        return [Target(text, f"n/a ({reason})") for *_, text in wanted]
    trivial = results[http_load.TRIVIAL]
    targets = []
    for endpoint, share, p99, text in wanted:
        result = results[endpoint]
        errors = result["non2xx"] + result["socket"]
        percent = 100 * result["rate"] / trivial["rate"]
        measured = f"{result['rate']:.0f} vs {trivial['rate']:.0f} req/s = {percent:.1f}%, p99 {result['p99']:.0f} ms"
        measured += f", {errors} errors" if errors else ""
        met = verdict(percent >= share, p99 is None or result["p99"] < p99, not errors)
        targets.append(Target(text, measured, met))
    return targets


def import_targets(rows: int, result: dict) -> list[Target]:
    targets = []
    wanted = (("first", "grid", "import", 4), ("again", "compared", "re-import of the same file", 2))
    for key, floor, what, limit in wanted:
        target = Target(f"{rows:,} rows: {what} at most {limit}x COPY")
        if result["copy"] is None:
            target.measured = f"{result[key]:.1f} s vs COPY n/a (not PostgreSQL)"
        else:
            ratio = result[key] / result["copy"]
            share = result["floor"][floor]  # csv_import.database_floor: no validation, the database's work alone
            target.measured = (f"{result[key]:.1f} s vs COPY {result['copy']:.3f} s = {ratio:.1f}x (the database's "
                               f"share alone {share:.2f} s = {share / result['copy']:.1f}x)")  # fmt: skip
            target.met = verdict(ratio <= limit)
        targets.append(target)
    return targets


@contextmanager
def server(url: str) -> Iterator[None]:
    """DATABASE_URL names another PostgreSQL server inside the block (serving.py reads it for each database)."""
    saved = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = url
    try:
        yield
    finally:
        os.environ["DATABASE_URL"] = saved


def replica_rates(sizes: Sizes) -> dict[str, dict]:
    """The cold search API over HTTP from a throw-away primary, with its reads on the primary's streaming standby
    and without; wrk's requests, seconds and p99 per configuration, summed over REPLICA_ROUNDS alternated runs,
    and how many transactions the standby served during the runs with it."""
    from django.db import connections

    from tests.replica import Cluster, postgres_programs

    programs = postgres_programs()
    if programs is None:
        raise LookupError("initdb, pg_ctl and pg_basebackup not found")
    cluster = Cluster(programs)
    try:
        cluster.start()
        with server(f"postgres://postgres@127.0.0.1:{cluster.primary_port}/postgres"):
            zip_codes, _ = prepare(REPLICA_DATABASE, sizes.practitioners, zip_count=20_000)
            connections.close_all()
            catch_up(cluster)
            return alternate_runs(cluster, zip_codes, sizes)
    finally:
        connections.close_all()
        cluster.stop()


def catch_up(cluster, attempts: int = 10) -> None:
    """Waits (up to attempts x 30 s) until the standby has replayed the fill."""
    for attempt in range(attempts):
        try:
            cluster.wait_for_replay()
            return
        except TimeoutError:
            if attempt == attempts - 1:
                raise


def alternate_runs(cluster, zip_codes: list[str], sizes: Sizes) -> dict[str, dict]:
    standby = f"postgres://postgres@127.0.0.1:{cluster.standby_port}/{REPLICA_DATABASE}"
    configurations = {"without a replica": {}, "reads on the replica": {"DATABASE_REPLICA_URLS": standby}}
    options = argparse.Namespace(seconds=sizes.seconds, connections=CONNECTIONS)
    totals = {name: {"requests": 0, "seconds": 0.0, "p99": [], "standby": 0, "errors": 0} for name in configurations}
    runs = len(configurations) * REPLICA_ROUNDS
    for run in range(runs):
        name, environment = list(configurations.items())[run % len(configurations)]
        cold = http_load.endpoints(zip_codes[run::runs])["search API, cold (25 mi)"]  # no search asked twice
        before = standby_transactions(cluster)
        result = http_load.load(REPLICA_DATABASE, {name: cold}, options, **environment)[name]
        totals[name]["standby"] += standby_transactions(cluster) - before
        totals[name]["requests"] += result["requests"]
        totals[name]["seconds"] += result["seconds"]
        totals[name]["p99"].append(result["p99"])
        totals[name]["errors"] += result["non2xx"] + result["socket"]
    return totals


def standby_transactions(cluster) -> int:
    return cluster.standby_answer(
        "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", REPLICA_DATABASE
    )


def replica_target(sizes: Sizes, totals: dict | None, reason: str = "") -> Target:
    target = Target(f"{sizes.name(sizes.practitioners)}, one replica: HTTP cold API rate with reads on it at least "
                    "as high as without")  # fmt: skip
    if totals is None:
        target.measured = f"n/a ({reason})"
        return target
    rates = {name: total["requests"] / total["seconds"] for name, total in totals.items()}
    on, off = rates["reads on the replica"], rates["without a replica"]
    errors = sum(total["errors"] for total in totals.values())
    target.measured = f"{on:.0f} vs {off:.0f} req/s = {on / off:.2f}x" + (f", {errors} errors" if errors else "")
    target.met = verdict(on >= off, not errors, totals["reads on the replica"]["standby"] > 0)
    if totals["reads on the replica"]["standby"] == 0:
        target.measured += " (the standby served nothing)"
    return target


def print_replica(totals: dict, sizes: Sizes) -> None:
    print(
        f"\nOne replica: a throw-away primary and its streaming standby, {sizes.practitioners:,} practitioners; cold "
        f"search API (25 mi), gunicorn in production mode, wrk {CONNECTIONS} connections, {REPLICA_ROUNDS} x "
        f"{sizes.seconds} s each, alternated\n"
    )
    rows = [
        [name, f"{total['requests']:,}", f"{total['requests'] / total['seconds']:.0f}",
         " / ".join(f"{p99:.0f}" for p99 in total["p99"]), f"{total['standby']:,}", str(total["errors"])]
        for name, total in totals.items()
    ]  # fmt: skip
    print_table(["configuration", "requests", "requests/s", "p99 ms per run", "standby transactions", "errors"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Small sizes and short runs, to try the script.")
    options = parser.parse_args()
    sizes = QUICK if options.quick else FULL
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    timings: dict[str, float] = {}
    targets: list[Target] = []

    imported = timed_phase("import", timings, lambda: csv_import.measure(sizes.import_rows, DATABASES["import"]))
    csv_import.report(sizes.import_rows, imported)
    import_rows = import_targets(sizes.import_rows, imported)

    small = timed_phase(f"request cost at {sizes.practitioners:,}", timings,
                        lambda: request_costs(sizes.practitioners, sizes.runs, timings))  # fmt: skip
    large = timed_phase(
        f"request cost at {sizes.large:,}", timings, lambda: request_costs(sizes.large, sizes.runs, timings)
    )
    targets += knn_targets(sizes, small) + scale_targets(sizes, small, large)

    http_options = argparse.Namespace(seconds=sizes.seconds, connections=CONNECTIONS)
    if shutil.which("wrk") is None:
        targets += http_targets(sizes, None, "wrk is not installed: apt-get install wrk")
    else:
        results = timed_phase(
            "HTTP", timings, lambda: http_load.measure(sizes.practitioners, http_options, DATABASES["http"])
        )
        http_load.print_results(http_load.table_rows(sizes.practitioners, results), http_options)
        targets += http_targets(sizes, results)
    targets += import_rows

    if shutil.which("wrk") is None:
        targets.append(replica_target(sizes, None, "wrk is not installed"))
    else:
        try:
            totals = timed_phase("replica", timings, lambda: replica_rates(sizes))
        except Exception as error:  # the row says why, and the table still prints
            print(f"[targets] replica not measured: {error!r}", file=sys.stderr)
            targets.append(replica_target(sizes, None, f"{type(error).__name__}: {error}".splitlines()[0]))
        else:
            print_replica(totals, sizes)
            targets.append(replica_target(sizes, totals))

    scope = "--quick: small sizes, not the issue's" if options.quick else "the issue's sizes"
    phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
    print(f"\nIssue 21's targets ({scope}); phases: {phases}\n")
    print_table(["target", "measured", "met?"], [[target.text, target.measured, target.met] for target in targets])


if __name__ == "__main__":
    main()
