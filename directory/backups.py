"""Backups of the whole database and their restore: pg_dump's custom format and pg_restore for PostgreSQL, the
online backup API for SQLite (a consistent copy while the site keeps serving). A backup is written under a
temporary name and renamed when complete, readable by its owner only (it holds practitioners' accounts)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections
from psycopg2 import sql

from directory.answers import public_version_renew

BACKUP_DIR = Path(settings.BASE_DIR) / "backups"
POSTGRES_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
# All or nothing: one transaction, stopping at the first error.
PG_RESTORE = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]


class BackupError(Exception):
    """A backup or restore that cannot be done, said plainly (the command prints it and exits with status 1)."""


@dataclass
class Verified:
    """What a backup holds, read from a scratch copy restored from it."""

    rows: dict[str, int]
    migrations: int


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups are made for PostgreSQL and SQLite, not {vendor}.")
    return vendor


LIBPQ = {"HOST": ("host", "PGHOST"), "PORT": ("port", "PGPORT"), "USER": ("user", "PGUSER"),
         "PASSWORD": ("password", "PGPASSWORD")}  # fmt: skip


def _server(alias: str) -> dict[str, str]:
    """The alias's server as psycopg2's keywords (host, port, user, password), those that are set."""
    database = connections[alias].settings_dict
    return {keyword: str(database[name]) for name, (keyword, _) in LIBPQ.items() if database.get(name)}


def _postgres_environment(alias: str) -> dict[str, str]:
    """The same server as libpq's variables, for pg_dump and friends; the database is named on the command line."""
    variables = {variable: keyword for keyword, variable in LIBPQ.values()}
    server = _server(alias)
    return {**os.environ, **{variable: server[keyword] for variable, keyword in variables.items() if keyword in server}}


def _sqlite_checked(path: Path) -> sqlite3.Connection:
    """The SQLite backup at `path`, read-only, once it passes SQLite's integrity check."""
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        sound = source.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:  # too damaged to be checked at all
        sound = False
    if not sound:
        source.close()
        raise BackupError(f"{path} fails SQLite's integrity check: it is damaged.")
    return source


def _run(command: list[str], environment: dict[str, str]) -> None:
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    if finished.returncode:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip() or finished.returncode}")


def _kind(path: Path) -> str:
    try:
        with path.open("rb") as file:
            start = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from error
    if start.startswith(POSTGRES_MAGIC):
        return "postgresql"
    if start == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(f"{path} is not a backup made by `make backup` (neither a pg_dump archive nor SQLite).")


def backup_create(*, database: str = "default", folder: Path = BACKUP_DIR) -> Path:
    """Writes a backup of `database` into `folder` and returns its path."""
    vendor = _vendor(database)
    if not connections[database].introspection.table_names():
        raise BackupError("The database holds no tables: nothing to back up (run `manage.py migrate` first).")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"directory-{stamp}.{'dump' if vendor == 'postgresql' else 'sqlite3'}"
    partial = path.with_name(f".{path.name}.partial")
    try:
        if vendor == "postgresql":
            name = connections[database].settings_dict["NAME"]
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", name]
            _run(command, _postgres_environment(database))
        else:
            connection = connections[database]
            connection.ensure_connection()
            with sqlite3.connect(partial) as target:
                connection.connection.backup(target)
            target.close()
        partial.chmod(0o600)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _postgres_tables(alias: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0]


def _postgres_create_if_missing(alias: str) -> None:
    database = connections[alias].settings_dict
    maintenance = psycopg2.connect(dbname="postgres", **_server(alias))
    maintenance.autocommit = True
    try:
        with maintenance.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"])))
    finally:
        maintenance.close()


def backup_restore(*, path: Path, database: str = "default", replace: bool = False) -> None:
    """Restores the backup at `path` into `database` (created if it does not exist on PostgreSQL). A database
    that already holds tables is refused unless `replace`: then its tables are replaced by the backup's."""
    vendor, kind = _vendor(database), _kind(path)
    if kind != vendor:
        raise BackupError(f"{path} is a {kind} backup; the database to restore into is {vendor}.")
    if vendor == "postgresql":
        _postgres_create_if_missing(database)
        tables = _postgres_tables(database)
    else:
        tables = len(connections[database].introspection.table_names())
    if tables and not replace:
        raise BackupError(
            f"The database already holds {tables} tables: restore into an empty database, or pass --replace "
            "to replace its contents with the backup's."
        )
    connections[database].close()
    if vendor == "postgresql":
        name = connections[database].settings_dict["NAME"]
        command = [*PG_RESTORE, *(["--clean", "--if-exists"] if tables else [])]
        _run([*command, f"--dbname={name}", str(path)], _postgres_environment(database))
    else:
        source = _sqlite_checked(path)
        try:
            connection = connections[database]
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    _answers_retired(database)


def _answers_retired(alias: str) -> None:
    """The restored database's public version renewed (directory.answers.public_version_renew), so that no
    answer cached before the restore is served from its rows. A backup from before the public version existed
    has no such table until migrated, and starts again from 0: clear the cache after migrating it."""
    try:
        public_version_renew(using=alias)
    except DatabaseError:  # no such table yet
        connections[alias].close()


def _counts(cursor, tables: list[str], quote) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # table names come from the models
        counts[table] = cursor.fetchone()[0]
    return counts


def _model_tables() -> list[str]:
    tables = {model._meta.db_table for model in apps.get_models() if model._meta.managed}
    tables |= {
        field.remote_field.through._meta.db_table
        for model in apps.get_models()
        for field in model._meta.local_many_to_many
    }
    return sorted(tables)


def backup_verify(*, path: Path, database: str = "default") -> Verified:
    """Counts the rows of every table the code knows and the applied migrations in a backup: a PostgreSQL one
    restored into a scratch database beside `database` (dropped afterwards), a SQLite one read as it is, after
    its integrity check. A backup that cannot be restored, or lacks a table, raises BackupError."""
    kind = _kind(path)
    tables = _model_tables()
    if kind == "sqlite":  # the backup is a database itself: read it, read-only, once it passes the check
        source = _sqlite_checked(path)
        try:
            rows = _counts(source.cursor(), tables, lambda name: f'"{name}"')
            migrations = source.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        except sqlite3.OperationalError as error:
            raise BackupError(f"{path} lacks what the code needs: {error}.") from error
        finally:
            source.close()
        return Verified(rows, migrations)
    if _vendor(database) != "postgresql":
        raise BackupError("A PostgreSQL backup is verified on a PostgreSQL server: set DATABASE_URL to one.")
    scratch = f"{connections[database].settings_dict['NAME']}_verify_{os.getpid()}"
    environment = _postgres_environment(database)
    _run(["createdb", scratch], environment)
    try:
        _run([*PG_RESTORE, f"--dbname={scratch}", str(path)], environment)
        copy = psycopg2.connect(dbname=scratch, **_server(database))
        try:
            with copy.cursor() as cursor:
                rows = _counts(cursor, tables, lambda name: sql.Identifier(name).as_string(copy))
                cursor.execute("SELECT count(*) FROM django_migrations")
                migrations = cursor.fetchone()[0]
        except psycopg2.Error as error:
            raise BackupError(f"{path} lacks what the code needs: {error.pgerror or error}".strip()) from error
        finally:
            copy.close()
    finally:
        _run(["dropdb", "--if-exists", scratch], environment)
    return Verified(rows, migrations)
