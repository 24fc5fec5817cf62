"""`make backup` and `make restore`: a backup restored into an empty database holds every row of every kind the
directory keeps, and patients' searches answer the same from it; a backup is refused where it would not fit."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import psycopg2
import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.utils import load_backend
from django.test import Client, override_settings
from psycopg2 import sql

from directory.answers import public_version_bump
from directory.models import FormerSlug, Location, Practitioner, Technique, UnmetDemand
from directory.routers import ReplicaRouter
from moderation import services as desk
from moderation.models import AuditEntry, Report
from practice import services
from practice.models import Claim, Revision
from tests.factories import UserFactory
from tests.test_demo import seed
from tests.test_export import directory_as_patients_see_it

pytestmark = pytest.mark.django_db(transaction=True)

KEPT = [
    Practitioner,
    Practitioner.techniques.through,
    Location,
    Technique,
    FormerSlug,
    get_user_model(),
    EmailAddress,
    Claim,
    Revision,
    Report,
    AuditEntry,
    UnmetDemand,
]


def rows(model, alias: str) -> list[dict]:
    return list(model.objects.using(alias).order_by("pk").values())


def backup(folder: Path) -> Path:
    out = io.StringIO()
    call_command("backup", folder=folder, stdout=out)
    return Path(out.getvalue().strip())


def _maintenance(settings_dict: dict):
    connection = psycopg2.connect(dbname="postgres", host=settings_dict["HOST"] or None,
                                  port=settings_dict["PORT"] or None, user=settings_dict["USER"] or None)  # fmt: skip
    connection.autocommit = True
    return connection


@pytest.fixture
def empty_database(tmp_path):
    """A second database alias, "restored", naming a database that does not exist yet (PostgreSQL: beside the
    test database, on the same server; SQLite: a new file)."""
    settings_dict = dict(connections.settings["default"])
    postgres = connections["default"].vendor == "postgresql"
    settings_dict["NAME"] = f"{settings_dict['NAME']}_restored" if postgres else str(tmp_path / "restored.sqlite3")

    def drop() -> None:
        if postgres:
            maintenance = _maintenance(settings_dict)
            with maintenance.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(settings_dict["NAME"])))
            maintenance.close()

    drop()
    # Made here rather than in settings, so the test framework treats it as a connection the test opened itself.
    connections["restored"] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="restored")
    yield "restored"
    connections["restored"].close()
    del connections["restored"]
    drop()


@pytest.fixture
def everything(client, migrations_data):
    """The demo directory, plus a claim of each outcome, a rejected edit, a resolved report, a renamed technique
    and an empty search (unmet demand): one row at least of every kind kept."""
    seed()
    moderator = UserFactory(email="second-moderator@example.com", is_staff=True)
    unowned = Practitioner.objects.published().filter(owner=None).order_by("pk")
    for listing, decide in zip(unowned, ("approve", "reject", "wait"), strict=False):
        claim = services.claim_submit(
            practitioner=listing, claimant=UserFactory(), note="Mine.", npi="", email_verified=False
        )
        if decide == "approve":
            desk.claim_approve(claim=claim, moderator=moderator)
        elif decide == "reject":
            desk.claim_reject(claim=claim, moderator=moderator, reason="No proof.")
    desk.report_resolve(report=Report.objects.open().first(), moderator=moderator, note="Phoned the clinic.")
    technique = Technique.objects.get(slug="blair")
    before = {"slug": technique.slug}
    technique.slug = "blair-upper-cervical"
    desk.technique_save(technique=technique, moderator=moderator, before=before)
    client.get("/api/v1/practitioners/", {"near": "Nome, AK", "radius": "10"})
    for model in KEPT:
        assert model.objects.exists(), f"the demo has no {model._meta.verbose_name}"


def test_a_backup_restored_into_an_empty_database_holds_everything_and_answers_the_same(
    client, everything, empty_database, tmp_path
):
    answers = directory_as_patients_see_it(client)
    assert any(count for count, _ in answers)
    path = backup(tmp_path)
    assert path.parent == tmp_path and path.stat().st_mode & 0o777 == 0o600

    call_command("restore", str(path), database=empty_database, stdout=io.StringIO())

    for model in KEPT:
        assert rows(model, empty_database) == rows(model, "default"), model._meta.label
    Practitioner.objects.update(status=Practitioner.Status.REJECTED)  # the original now shows nobody
    cache.clear()
    # Patients' reads go to the restored copy as to a replica (at the same public version, so current).
    reads = [*settings.MIDDLEWARE, "directory.routers.PublicReadsMiddleware"]
    with override_settings(DATABASE_ROUTERS=[ReplicaRouter(empty_database)], MIDDLEWARE=reads):
        assert directory_as_patients_see_it(Client()) == answers


def test_a_backup_is_verified_by_restoring_a_scratch_copy(everything, tmp_path):
    path = backup(tmp_path)
    out = io.StringIO()
    call_command("verify_backup", str(path), stdout=out)
    report = out.getvalue()
    count = Practitioner.objects.count()
    practitioners = next(line for line in report.splitlines() if line.startswith("directory_practitioner "))
    assert practitioners.split() == ["directory_practitioner", f"{count:,}"]
    assert report.strip().endswith("tables.") and "migrations applied" in report


def test_restoring_over_a_database_with_tables_is_refused_unless_replacing(client, everything, tmp_path):
    path, count = backup(tmp_path), Practitioner.objects.count()
    with pytest.raises(CommandError, match=r"already holds \d+ tables: restore into an empty database, or pass"):
        call_command("restore", str(path))
    Practitioner.objects.all().delete()
    call_command("restore", str(path), replace=True, stdout=io.StringIO())
    assert Practitioner.objects.count() == count


def test_no_answer_cached_before_a_restore_is_served_after_it(client, everything, tmp_path):
    def names() -> list[str]:
        return [result["name"] for result in client.get("/api/v1/practitioners/").json()["results"]]

    path, shown = backup(tmp_path), names()
    listing = Practitioner.objects.published().order_by("name").first()
    moderator = UserFactory(email="third-moderator@example.com", is_staff=True)
    services.listing_unpublish(practitioner=listing, moderator=moderator, reason="Closed.")
    assert listing.name not in names()  # cached at the version after the backup's
    call_command("restore", str(path), replace=True, stdout=io.StringIO())
    public_version_bump()  # the next write after the restore: without a new version, back to that same number
    assert names() == shown


def test_a_file_that_is_not_a_backup_is_refused_plainly(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("not a backup")
    with pytest.raises(CommandError, match="is not a backup made by `make backup`"):
        call_command("restore", str(other), replace=True)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore", str(tmp_path / "missing.dump"), replace=True)


def test_a_damaged_sqlite_backup_is_refused_plainly(tmp_path):
    damaged = tmp_path / "directory-damaged.sqlite3"
    with sqlite3.connect(damaged) as database:
        database.execute("CREATE TABLE filler (text TEXT)")
        database.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 200)
    database.close()
    with damaged.open("r+b") as file:  # a disk that lost some sectors
        file.seek(4096)
        file.write(b"\xff" * 8192)
    commands = [("verify_backup", {})]
    if connections["default"].vendor == "sqlite":  # PostgreSQL refuses a SQLite file before reading it
        commands.append(("restore", {"replace": True}))
    for command, options in commands:
        with pytest.raises(CommandError, match="fails SQLite's integrity check: it is damaged"):
            call_command(command, str(damaged), **options)
