"""Benchmark the search over HTTP: gunicorn (2 workers) on PostgreSQL with 100k practitioners, driven by wrk.

    python bench/http_load.py [--practitioners 100000] [--seconds 20] [--connections 8]

It creates the database `directory_bench_http` on the PostgreSQL server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/), fills it, serves it with gunicorn on 127.0.0.1:8765, and runs wrk
(Debian's `wrk`) at the given concurrency against a trivial Django JSON view (/healthz), the search API and
the HTML search page, each request with another real ZIP code. It prints requests/s, latency percentiles and
errors side by side, then stops gunicorn and drops the database. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "directory_bench_http"
ADDRESS = "127.0.0.1:8765"
WRK_SCRIPT = """
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


def database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def admin(sql: str) -> None:
    connection = psycopg2.connect(database_url("postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def prepare(practitioners: int) -> list[str]:
    """Creates and fills the benchmark database; returns the ZIP codes the requests will use."""
    admin(f"DROP DATABASE IF EXISTS {DATABASE}")
    admin(f"CREATE DATABASE {DATABASE}")
    os.environ["DATABASE_URL"] = database_url(DATABASE)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import fill, zip_centres
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    zip_codes, centres = zip_centres(rng)
    fill(practitioners, 0, rng, centres)
    return rng.sample(zip_codes, 500)


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def run_wrk(paths: list[str], seconds: int, connections: int, workdir: Path) -> dict:
    (workdir / "paths.txt").write_text("\n".join(paths) + "\n")
    (workdir / "bench.lua").write_text(WRK_SCRIPT)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(workdir / "bench.lua"), f"http://{ADDRESS}"]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practitioners", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20, help="Length of each wrk run.")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent connections.")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    zip_codes = prepare(options.practitioners)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "DATABASE_CONN_MAX_AGE": "600",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            ADDRESS,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
    )
    rows = []
    try:
        wait_until_up(f"http://{ADDRESS}/healthz")
        endpoints = {
            "trivial JSON view (/healthz)": ["/healthz"],
            "search API (25 mi)": [f"/api/v1/practitioners/?near={code}&radius=25" for code in zip_codes],
            "search page, HTML (25 mi)": [f"/search/?near={code}&radius=25" for code in zip_codes],
        }
        with tempfile.TemporaryDirectory() as workdir:
            for paths in endpoints.values():  # warm every worker's connection and place index
                run_wrk(paths[:50], 2, options.connections, Path(workdir))
            results = {name: run_wrk(paths, options.seconds, options.connections, Path(workdir))
                       for name, paths in endpoints.items()}  # fmt: skip
        trivial = results["trivial JSON view (/healthz)"]["rate"]
        for name, result in results.items():
            rows.append(
                [name, f"{result['rate']:.0f}", f"{100 * result['rate'] / trivial:.0f}%", f"{result['p50']:.1f}",
                 f"{result['p95']:.1f}", f"{result['p99']:.1f}", str(result["non2xx"] + result["socket"])]
            )  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {DATABASE}")

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import print_table

    print(
        f"\ngunicorn, 2 workers, PostgreSQL, {options.practitioners:,} practitioners; wrk, {options.connections} "
        f"connections, {options.seconds} s per endpoint; latency in ms\n"
    )
    print_table(["endpoint", "requests/s", "of trivial", "p50", "p95", "p99", "errors"], rows)


if __name__ == "__main__":
    main()
