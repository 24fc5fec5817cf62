"""A throwaway PostgreSQL primary and its streaming standby (initdb, pg_basebackup -R, pg_ctl) on free ports in a
temporary folder, for tests/test_replicas.py; and a way to point Django's connections at them for a while."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg2
from django.db import connections

DATABASE = "directory"
WAIT_SECONDS = 30  # for a server to start or a standby to catch up; a healthy machine needs well under a second


def postgres_programs() -> Path | None:
    """The folder holding initdb, pg_ctl and pg_basebackup (PG_BINDIR, pg_config's, or Debian's newest)."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    with suppress(OSError, subprocess.CalledProcessError):
        candidates.append(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout)
    candidates += sorted((str(path) for path in Path("/usr/lib/postgresql").glob("*/bin")), reverse=True)
    for candidate in candidates:
        folder = Path(candidate.strip())
        if candidate.strip() and all((folder / name).exists() for name in ("initdb", "pg_ctl", "pg_basebackup")):
            return folder
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A primary and a hot standby streaming from it, both trusting local connections as user postgres. PostgreSQL
    refuses to run as root: then every program runs as the postgres account, which owns the folder."""

    def __init__(self, programs: Path) -> None:
        self.programs = programs
        self.folder = Path(tempfile.mkdtemp(prefix="directory-replica-"))
        self.account = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self.account is not None:
            os.chown(self.folder, self.account.pw_uid, self.account.pw_gid)
        self.primary_port, self.standby_port = free_port(), free_port()

    def run(self, program: str, *arguments: str) -> None:
        command = [str(self.programs / program), *arguments]
        if self.account is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, cwd=self.folder)

    def start(self) -> None:
        primary = self.folder / "primary"
        self.run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        settings = [
            f"port = {self.primary_port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.folder}'",
            "fsync = off",  # a throwaway cluster: nothing to keep after a crash
            "full_page_writes = off",
        ]
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")
        self.pg_ctl("primary", "start")
        with self.sql(self.primary_port, "postgres") as cursor:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        standby = self.folder / "standby"
        source = ["-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"]
        # -R: the copy starts as a standby streaming from the primary; a fast checkpoint, not a spread one.
        self.run("pg_basebackup", *source, "-D", str(standby), "-R", "--checkpoint=fast", "--no-sync")
        with (standby / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.standby_port}\nhot_standby = on\n")
        self.start_standby()

    def pg_ctl(self, server: str, action: str, *options: str) -> None:
        log = self.folder / f"{server}.log"
        wait = ["-w", "-t", str(WAIT_SECONDS)]
        self.run("pg_ctl", "-D", str(self.folder / server), "-l", str(log), *wait, action, *options)

    def start_standby(self) -> None:
        self.pg_ctl("standby", "start")

    def stop_standby(self) -> None:
        self.pg_ctl("standby", "stop", "-m", "fast")

    def stop(self) -> None:
        for server in ("standby", "primary"):
            with suppress(subprocess.CalledProcessError):
                self.pg_ctl(server, "stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    @contextmanager
    def sql(self, port: int, database: str = DATABASE) -> Iterator:
        connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=database)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                yield cursor
        finally:
            connection.close()

    def standby_answer(self, query: str, *parameters: object) -> object:
        with self.sql(self.standby_port) as cursor:
            cursor.execute(query, parameters)
            return cursor.fetchone()[0]

    def pause_replay(self) -> None:
        """The standby keeps receiving the primary's WAL but applies none of it: it lags, as far as we like."""
        with self.sql(self.standby_port) as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")
        self.wait_until(lambda: self.standby_answer("SELECT pg_get_wal_replay_pause_state()") == "paused")

    def resume_replay(self) -> None:
        with self.sql(self.standby_port) as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")

    def wait_for_replay(self) -> None:
        """Returns once the standby has applied everything the primary has written so far."""
        with self.sql(self.primary_port) as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            written = cursor.fetchone()[0]
        self.wait_until(lambda: self.standby_answer("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", written))

    @staticmethod
    def wait_until(condition) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"still waiting after {WAIT_SECONDS} s")
            time.sleep(0.02)

    def databases(self) -> dict[str, dict]:
        """Django's DATABASES for the app on this cluster: default is the primary, replica its standby."""
        primary = {"ENGINE": "django.db.backends.postgresql", "NAME": DATABASE, "USER": "postgres"}
        primary |= {"HOST": "127.0.0.1", "PORT": str(self.primary_port)}
        standby = primary | {"PORT": str(self.standby_port), "OPTIONS": {"connect_timeout": 2}}
        return {"default": primary, "replica": standby}


@contextmanager
def connections_to(databases: dict[str, dict]) -> Iterator[None]:
    """Django's connections point at `databases` inside the block, and at the test run's own databases again after
    it. Connections are made on first use from `connections.settings`, so swapping those (and the connection
    objects already made) is the whole switch."""
    saved_settings, saved = connections.settings, {alias: connections[alias] for alias in connections}
    connections.close_all()
    for alias in saved:
        del connections[alias]
    connections.settings = connections.configure_settings(databases)
    try:
        yield
    finally:
        connections.close_all()
        for alias in databases:
            with suppress(AttributeError):
                del connections[alias]
        connections.settings = saved_settings
        for alias, connection in saved.items():
            connections[alias] = connection


class SilentServer:
    """A TCP port that accepts connections and never says a word: a database server that hangs. Counts the
    connections made to it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        with suppress(OSError):
            while True:
                self.accepted.append(self.socket.accept()[0])

    def close(self) -> None:
        self.socket.close()
        for connection in self.accepted:
            connection.close()
