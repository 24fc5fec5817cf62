"""Benchmark the search over HTTP: gunicorn (config/gunicorn.conf.py) on PostgreSQL, driven by wrk, cold and warm.

    python bench/http_load.py [--practitioners 100000,1000000] [--seconds 20] [--connections 8]

It creates the database `directory_bench_http` on the PostgreSQL server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/), fills it, serves it with gunicorn in production mode on 127.0.0.1:8765
(as behind a TLS proxy: wrk sends X-Forwarded-Proto: https), and runs wrk (Debian's `wrk`) at the given
concurrency against two trivial views (/robots.txt, the yardstick of the "of /robots.txt" column, and the JSON
/healthz), the search API and the HTML search page: cold, each request a search not asked before (20,000 ZIP
codes x 2 radii, so the answer cache misses), and warm, the same 10 ZIP codes over and over (answered from the
cache). The site caches in Redis as in production (REDIS_URL, else database 15 of the Redis on 127.0.0.1:6379,
emptied before each server starts; per-process memory where there is none, as the table's title says). It prints
requests/s, latency percentiles and errors side by side for each size, then stops gunicorn and drops the
database. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from serving import drop, gunicorn, prepare, server_shape

DATABASE = "directory_bench_http"
WRK_SCRIPT = """
wrk.headers["X-Forwarded-Proto"] = "https"  -- as the TLS-terminating proxy would say
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f, "non2xx": %d, "socket": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
"""


def run_wrk(base_url: str, paths: list[str], seconds: int, connections: int, workdir: Path) -> dict:
    (workdir / "paths.txt").write_text("\n".join(paths) + "\n")
    (workdir / "bench.lua").write_text(WRK_SCRIPT)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(workdir / "bench.lua"), base_url]
    output = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BENCH_PATHS": str(workdir / "paths.txt")},
    ).stdout
    (line,) = [line for line in output.splitlines() if line.startswith("RESULT ")]
    result = json.loads(line.removeprefix("RESULT "))
    result["rate"] = result["requests"] / result["seconds"]
    return result


TRIVIAL = "trivial view (/robots.txt)"  # the views' yardstick: through every middleware, no database


def endpoints(zip_codes: list[str]) -> dict[str, list[str]]:
    """Each endpoint's paths; the cold ones are 2 x len(zip_codes) searches, none asked twice in a run."""
    cold = [f"near={code}&radius={miles}" for miles in (25, 30) for code in zip_codes]
    warm = [f"near={code}&radius=25" for code in zip_codes[:10]]
    return {
        TRIVIAL: ["/robots.txt"],
        "trivial JSON view (/healthz)": ["/healthz"],
        "search API, cold (25 mi)": [f"/api/v1/practitioners/?{query}" for query in cold],
        "search page, cold (25 mi)": [f"/search/?{query}" for query in reversed(cold)],
        "search API, warm (10 searches)": [f"/api/v1/practitioners/?{query}" for query in warm],
        "search page, warm (10 searches)": [f"/search/?{query}" for query in warm],
    }


OWN_REDIS = "redis://127.0.0.1:6379/15"


def redis_url() -> str:
    """The Redis the served site caches in, as in production (answers, the version's copy, throttle counts):
    REDIS_URL, else database 15 of the Redis on 127.0.0.1:6379, else "" (per-process memory)."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    import redis

    try:
        redis.Redis.from_url(OWN_REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return ""
    return OWN_REDIS


def cache_named() -> str:
    return f"Redis ({redis_url()})" if redis_url() else "per-process memory (no Redis)"


def load(database: str, paths: dict[str, list[str]], options: argparse.Namespace, **environment: str) -> dict:
    """wrk's result for each endpoint of `paths`, served by gunicorn in production mode from `database`."""
    # One client address sends everything here, so the anonymous API allowance is lifted for the run.
    environment = {"API_ANON_RATE": "100000000/min", "REDIS_URL": redis_url(), **environment}
    if environment["REDIS_URL"] == OWN_REDIS:  # each server starts with an empty cache, as after a deploy
        import redis

        redis.Redis.from_url(OWN_REDIS).flushdb()
    with gunicorn(database, production=True, **environment) as base_url, tempfile.TemporaryDirectory() as workdir:
        run_wrk(base_url, ["/healthz"], 2, options.connections, Path(workdir))  # warm every worker
        return {name: run_wrk(base_url, paths, options.seconds, options.connections, Path(workdir))
                for name, paths in paths.items()}  # fmt: skip


def measure(practitioners: int, options: argparse.Namespace, database: str = DATABASE) -> dict:
    """wrk's result for each endpoint, on a database of `practitioners` filled for the run."""
    zip_codes, _ = prepare(database, practitioners, zip_count=20_000)
    try:
        return load(database, endpoints(zip_codes), options)
    finally:
        drop(database)


def table_rows(practitioners: int, results: dict) -> list[list[str]]:
    trivial = results[TRIVIAL]["rate"]
    return [
        [f"{practitioners:,}", name, f"{result['rate']:.0f}", f"{100 * result['rate'] / trivial:.1f}%",
         f"{result['p50']:.1f}", f"{result['p95']:.1f}", f"{result['p99']:.1f}",
         str(result["non2xx"] + result["socket"])]
        for name, result in results.items()
    ]  # fmt: skip


def print_results(rows: list[list[str]], options: argparse.Namespace) -> None:
    from common import print_table

    print(
        f"\ngunicorn, {server_shape()}, PostgreSQL, cache: {cache_named()}; wrk, {options.connections} connections, "
        f"{options.seconds} s per endpoint; latency in ms\n"
    )
    header = ["practitioners", "endpoint", "requests/s", "of /robots.txt", "p50", "p95", "p99", "errors"]
    print_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practitioners", default="100000,1000000", help="Comma-separated sizes.")
    parser.add_argument("--seconds", type=int, default=20, help="Length of each wrk run.")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent connections.")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    rows = []
    for size in (int(size) for size in options.practitioners.split(",")):
        rows += table_rows(size, measure(size, options))
    print_results(rows, options)


if __name__ == "__main__":
    main()
