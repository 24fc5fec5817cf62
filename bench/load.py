"""Load and fault test: mixed searches and profile views at concurrency 16 against gunicorn + PostgreSQL with
100k practitioners, then the same with PostgreSQL stopped for 10 s in the middle.

    python bench/load.py [--practitioners 100000] [--seconds 60] [--concurrency 16] [--outage 10]

Phase 1 must answer with no 5xx. In phase 2, while PostgreSQL is down, pages must answer 503 with the
friendly page (no traceback) and the site must recover by itself once it is back. PostgreSQL is stopped and
started with pg_ctlcluster (root, this machine's cluster): run it on a machine whose database you may stop.
The client is this script (16 threads, keep-alive connections) on loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from serving import ADDRESS, drop, gunicorn, prepare

DATABASE = "directory_bench_load"
HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}


@dataclass
class Result:
    started: float
    kind: str
    status: int
    milliseconds: float
    friendly: bool


def cluster() -> tuple[str, str]:
    version = sorted(Path("/etc/postgresql").iterdir(), key=lambda path: float(path.name))[-1].name
    return version, "main"


def postgres(action: str) -> None:
    version, name = cluster()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, *(
        ["-m", "fast"] if action == "stop" else [])], check=True)  # fmt: skip


def client(stop_at: float, paths: list[tuple[str, str]], results: list[Result], seed: int) -> None:
    rng = random.Random(seed)
    host, port = ADDRESS.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    while time.monotonic() < stop_at:
        kind, path = rng.choice(paths)
        started = time.monotonic()
        try:
            connection.request("GET", path, headers=HEADERS)
            response = connection.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            status, body = 0, b""
        friendly = status == 503 and (b"briefly unavailable" in body) and b"Traceback" not in body
        results.append(Result(started, kind, status, (time.monotonic() - started) * 1000, friendly))


def run(seconds: int, concurrency: int, paths: list[tuple[str, str]], outage: tuple[float, float] | None):
    results: list[Result] = []
    began = time.monotonic()
    threads = [
        threading.Thread(target=client, args=(began + seconds, paths, results, seed)) for seed in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    if outage:
        time.sleep(outage[0])
        postgres("stop")
        time.sleep(outage[1])
        postgres("start")
    for thread in threads:
        thread.join()
    for result in results:
        result.started -= began
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarize(title: str, results: list[Result], seconds: int) -> None:
    print(f"\n{title}\n")
    print(
        "| requests | requests/s | p50 ms | p95 ms | p99 ms | 2xx | 5xx | of which friendly 503 | failed connections |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    statuses = Counter(result.status for result in results)
    latencies = [result.milliseconds for result in results if result.status]
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    print(
        f"| {len(results):,} | {len(results) / seconds:.0f} | {statistics.median(latencies):.1f} | "
        f"{percentile(latencies, 0.95):.1f} | {percentile(latencies, 0.99):.1f} | "
        f"{sum(c for s, c in statuses.items() if 200 <= s < 300):,} | {server_errors:,} | "
        f"{sum(1 for r in results if r.friendly):,} | {statuses[0]:,} |"
    )


def timeline(results: list[Result], seconds: int, step: int = 5) -> None:
    print("\n| seconds | 2xx | 503 (friendly) | other 5xx | failed connections |")
    print("|---|---:|---:|---:|---:|")
    for start in range(0, seconds, step):
        window = [r for r in results if start <= r.started < start + step]
        ok = sum(1 for r in window if 200 <= r.status < 300)
        friendly = sum(1 for r in window if r.friendly)
        unavailable = sum(1 for r in window if r.status == 503)
        other = sum(1 for r in window if r.status >= 500 and r.status != 503)
        failed = sum(1 for r in window if r.status == 0)
        print(f"| {start}-{start + step} | {ok:,} | {unavailable:,} ({friendly:,}) | {other:,} | {failed:,} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practitioners", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--outage", type=int, default=10, help="Seconds PostgreSQL is stopped in phase 2.")
    options = parser.parse_args()

    zip_codes, ids = prepare(DATABASE, options.practitioners)
    paths = (
        [("search page", f"/search/?near={code}&radius={(10, 25, 50)[n % 3]}") for n, code in enumerate(zip_codes)]
        + [("search API", f"/api/v1/practitioners/?near={code}&technique=nucca") for code in zip_codes[:250]]
        + [("profile", f"/practitioners/{pk}-bench-practitioner-{pk}/") for pk in ids[:400]]
    )
    try:
        with gunicorn(DATABASE, production=True, API_ANON_RATE="100000000/min"):
            run(5, options.concurrency, paths, None)  # warm up
            steady = run(options.seconds, options.concurrency, paths, None)
            start = (options.seconds - options.outage) / 2
            faulted = run(options.seconds, options.concurrency, paths, (start, options.outage))
    finally:
        drop(DATABASE)

    print(f"gunicorn (2 workers x 4 threads, production settings), PostgreSQL, {options.practitioners:,} "
          f"practitioners; {options.concurrency} clients; mix: search pages, API searches, profiles")  # fmt: skip
    summarize(f"Phase 1: {options.seconds} s of steady load", steady, options.seconds)
    for kind in ("search page", "search API", "profile"):
        latencies = [r.milliseconds for r in steady if r.kind == kind and r.status]
        print(f"- {kind}: {len(latencies):,} requests, p50 {statistics.median(latencies):.1f} ms, "
              f"p99 {percentile(latencies, 0.99):.1f} ms")  # fmt: skip
    summarize(f"Phase 2: {options.seconds} s with PostgreSQL stopped from {start:.0f} s to "
              f"{start + options.outage:.0f} s", faulted, options.seconds)  # fmt: skip
    timeline(faulted, options.seconds)
    back = start + options.outage
    recovered = [r.started for r in faulted if r.started >= back and 200 <= r.status < 300 and r.kind != "profile"]
    if recovered:
        print(f"\nFirst successful search {min(recovered) - back:.1f} s after PostgreSQL was started again.")
    else:
        print("\nNo successful search after PostgreSQL was started again: the site did not recover.")


if __name__ == "__main__":
    main()
