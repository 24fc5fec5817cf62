"""A PostgreSQL database and a gunicorn server for the HTTP benchmarks: loopback only, removed afterwards."""

from __future__ import annotations

import os
import random
import runpy
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = "127.0.0.1:8765"


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


def prepare(database: str, practitioners: int, zip_count: int = 500) -> tuple[list[str], list[int]]:
    """Creates and fills `database`; returns `zip_count` ZIP codes to search from and practitioner ids to view."""
    admin(f"DROP DATABASE IF EXISTS {database}")
    admin(f"CREATE DATABASE {database}")
    os.environ["DATABASE_URL"] = database_url(database)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import fill, zip_centres
    from django.core.management import call_command
    from django.db import connections

    from directory.models import Practitioner

    point_at(database)
    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    zip_codes, centres = zip_centres(rng)
    fill(practitioners, 0, rng, centres)
    ids = list(Practitioner.objects.order_by("?").values_list("pk", flat=True)[:1000])
    connections.close_all()
    # The fill's pages written to disk now, not by the checkpointer in the background of the first measurement
    # (which was then /robots.txt, the yardstick: 905 and 1,215 requests/s against 1,811 and 1,785 for /healthz
    # right after it, in two runs at 100,000 practitioners).
    admin("CHECKPOINT")
    return rng.sample(zip_codes, min(zip_count, len(zip_codes))), ids


def point_at(database: str) -> None:
    """Points Django's default connection at `database` on DATABASE_URL's server: settings are read once per
    process, so a second benchmark in the same process (bench/targets.py) switches here."""
    from django.db import connections

    connections.close_all()
    parts = urlsplit(database_url(database))
    connections["default"].settings_dict.update(
        NAME=database, HOST=parts.hostname or "", PORT=str(parts.port or ""), USER=parts.username or "",
        PASSWORD=parts.password or "",
    )  # fmt: skip


def drop(database: str) -> None:
    from django.db import connections

    connections.close_all()
    admin(f"DROP DATABASE IF EXISTS {database}")


def wait_until_up(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def server_shape(**environment: str) -> str:
    """The workers and threads config/gunicorn.conf.py gives gunicorn here (with `environment` over os.environ)."""
    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        config = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    threads = config["threads"]
    return f"{config['workers']} workers x {threads} thread{'' if threads == 1 else 's'}"


@contextmanager
def gunicorn(database: str, production: bool, **environment: str) -> Iterator[str]:
    """Serves the project from `database` with gunicorn (as config/gunicorn.conf.py and `environment` say) on
    ADDRESS; yields the base URL."""
    env = {**os.environ, "DATABASE_URL": database_url(database), "DATABASE_CONN_MAX_AGE": "600",
           "BIND": ADDRESS, "LOG_LEVEL": "warning", **environment}  # fmt: skip
    with tempfile.TemporaryDirectory() as static_root:
        if production:
            env.update(DJANGO_ENV="production", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
                       STATIC_ROOT=static_root)  # fmt: skip
            env.pop("DJANGO_SETTINGS_MODULE", None)
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                           check=True)  # fmt: skip
        else:
            env.update(DJANGO_SETTINGS_MODULE="config.settings.base", DEBUG="false")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "config/gunicorn.conf.py"], cwd=ROOT, env=env
        )
        try:
            wait_until_up(f"http://{ADDRESS}/healthz")
            yield f"http://{ADDRESS}"
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
