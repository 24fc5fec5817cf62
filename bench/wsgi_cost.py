"""What a search request costs this process's CPU beside /robots.txt, called as gunicorn calls the site.

    python bench/wsgi_cost.py [--practitioners 10000] [--rounds 9] [--profile warm_api|cold_api|cold_page]

Production settings (DJANGO_ENV=production, the Redis cache of REDIS_URL, else database 15 of the Redis on
127.0.0.1:6379, emptied first), the database `directory_bench_wsgi` on DATABASE_URL's server, filled and dropped
afterwards. Each round times, through config.wsgi's application with no server or client in between: 1,000
requests for /robots.txt (the HTTP benchmark's yardstick) and for the same API search (answered from the cache),
then 100 API searches and 100 search pages each from a new place (cold). Prints the median CPU time (time's
process_time, which a busy machine disturbs less than the wall clock) and wall time per request, and each as a
share of /robots.txt's; with --profile, cProfile's top functions of that kind of request.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DATABASE = "directory_bench_wsgi"
API = "/api/v1/practitioners/"
KINDS = {"robots": 1000, "warm_api": 1000, "cold_api": 100, "cold_page": 100}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practitioners", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--profile", choices=[kind for kind in KINDS if kind != "robots"])
    options = parser.parse_args()
    static_root = tempfile.mkdtemp(prefix="wsgi-cost-static-")
    os.environ.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        STATIC_ROOT=static_root,
        LOG_LEVEL="warning",
        API_ANON_RATE="100000000/min",  # one client sends every request: never throttled
    )
    from config import settings_module

    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module()  # before bench/common.py sets up Django
    from serving import drop, prepare

    zip_codes, _ = prepare(DATABASE, options.practitioners, zip_count=3000)
    try:
        measure(zip_codes, options, static_root)
    finally:
        from django.db import connections

        connections.close_all()
        drop(DATABASE)
        shutil.rmtree(static_root, ignore_errors=True)


def call(application, path: str, query: str = "") -> str:
    """One GET through the WSGI application, as from behind the TLS proxy; its status line."""
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8765", "HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https",
        "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
    }  # fmt: skip
    status: list[str] = []
    body = application(environ, lambda line, headers, *rest: status.append(line))
    b"".join(body)
    body.close()
    return status[0]


def requests_of(kind: str, cold: Iterator[str], warm: str) -> tuple[str, Iterator[str]]:
    """The path and a supply of query strings for one kind of request: each cold one from a new ZIP code."""
    if kind == "robots":
        return "/robots.txt", iter(lambda: "", None)
    if kind == "warm_api":
        return API, iter(lambda: f"near={warm}&radius=25", None)
    return (API if kind == "cold_api" else "/search/"), (f"near={zip_code}&radius=25" for zip_code in cold)


def measure(zip_codes: list[str], options: argparse.Namespace, static_root: str) -> None:
    from common import print_profile
    from django.core.cache import cache
    from django.core.management import call_command

    from config.wsgi import application

    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()
    warm, cold = zip_codes[0], iter(zip_codes[1:])
    for kind in KINDS:  # the connection, the place index and the warm answer, before any timing
        path, queries = requests_of(kind, cold, warm)
        assert call(application, path, next(queries)).startswith("200"), kind
    samples: dict[str, list[tuple[float, float]]] = {kind: [] for kind in KINDS}
    for _ in range(options.rounds):
        for kind, count in KINDS.items():
            path, queries = requests_of(kind, cold, warm)
            batch = [next(queries) for _ in range(count)]
            cpu, wall = time.process_time(), time.perf_counter()
            for query in batch:
                call(application, path, query)
            samples[kind].append(((time.process_time() - cpu) / count, (time.perf_counter() - wall) / count))
    medians = {
        kind: (statistics.median(s[0] for s in values) * 1e6, statistics.median(s[1] for s in values) * 1e6)
        for kind, values in samples.items()
    }
    robots_cpu, robots_wall = medians["robots"]
    print(f"\nOne request through the WSGI application, {options.practitioners:,} practitioners, production "
          f"settings, Redis; medians of {options.rounds} rounds\n")  # fmt: skip
    print("| request | CPU us | of /robots.txt's | wall us | of /robots.txt's |")
    print("|---:|---:|---:|---:|---:|")
    for kind, (cpu, wall) in medians.items():
        print(f"| {kind} | {cpu:,.0f} | {robots_cpu / cpu:.1%} | {wall:,.0f} | {robots_wall / wall:.1%} |")
    if options.profile:
        path, queries = requests_of(options.profile, cold, warm)
        profiler = cProfile.Profile()
        for _ in range(KINDS[options.profile]):
            profiler.runcall(call, application, path, next(queries))
        print_profile(profiler, f"{KINDS[options.profile]} requests ({options.profile})", lines=30)


if __name__ == "__main__":
    main()
