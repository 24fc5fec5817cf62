"""Read replicas against a real one: a throwaway PostgreSQL primary and a hot standby streaming from it
(tests/replica.py), replay paused and resumed to make the standby lag, and stopped to make it fail. The app runs
in this process with its connections pointed at that cluster (default: the primary; replica: the standby)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse

from directory.answers import public_version_bump
from directory.models import Practitioner
from directory.routers import REPLICA, ReplicaRouter
from moderation import services as desk
from tests.factories import UserFactory, listing_form_data, practitioner_at
from tests.replica import Cluster, SilentServer, connections_to, postgres_programs

pytestmark = [pytest.mark.replica, pytest.mark.xdist_group("replica")]

BOSTON = (42.3576, -71.0684)
SEARCH = "/search/?near=02108&radius=25"
API = "/api/v1/practitioners/?near=02108&radius=25"
MIDDLEWARE = [
    *settings.MIDDLEWARE[: settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")],
    "directory.routers.PublicReadsMiddleware",
    *settings.MIDDLEWARE[settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") :],
]


def unavailable(reason: str) -> None:
    """Skips, or fails in CI (CI=true), where the replica tests cannot run: CI must run them."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    if "postgresql" not in connections.settings["default"]["ENGINE"]:
        # No test in it reads the suite's database; the PostgreSQL run (DATABASE_URL=postgres://...) is theirs.
        pytest.skip("the replica tests run with the suite on PostgreSQL (DATABASE_URL=postgres://...)")
    programs = postgres_programs()
    if programs is None:
        unavailable("PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup) are not installed; set PG_BINDIR")
    cluster = Cluster(programs)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def migrated(cluster: Cluster, django_db_blocker) -> Iterator[Cluster]:
    """The cluster's database migrated, and Django's connections pointed at it for this module's tests."""
    with django_db_blocker.unblock(), connections_to(cluster.databases()), override_settings(MIDDLEWARE=MIDDLEWARE):
        call_command("migrate", verbosity=0)
        yield cluster
        cache.clear()


@pytest.fixture
def standby(migrated: Cluster, django_db_blocker) -> Iterator[Cluster]:
    """A fresh router (nothing remembered as down) and a fresh answer cache; the standby caught up to start with
    and replaying again after."""
    cache.clear()
    with django_db_blocker.unblock(), override_settings(DATABASE_ROUTERS=[ReplicaRouter(REPLICA)]):
        migrated.wait_for_replay()
        yield migrated
        migrated.resume_replay()
    connections.close_all()


def published(name: str, **fields) -> Practitioner:
    """A published listing in Boston, with the public version bumped as the services that publish bump it."""
    practitioner = practitioner_at(*BOSTON, name=name, **fields)
    public_version_bump()
    return practitioner


def patients_see(client: Client, practitioner: Practitioner) -> dict[str, bool]:
    """Whether the search page, the API and the profile show the listing to this visitor."""
    profile = client.get(practitioner.get_absolute_url())
    assert profile.status_code in (200, 404)
    return {
        "search": practitioner.name in client.get(SEARCH).content.decode(),
        "api": practitioner.name in client.get(API).content.decode(),
        "profile": profile.status_code == 200,
    }


def test_a_listing_unpublished_while_the_replica_lags_never_shows_and_is_not_cached_stale(standby):
    listing = published("Dr. Lagging Replica")
    moderator = UserFactory(is_staff=True)
    patient = Client()
    standby.wait_for_replay()
    assert patients_see(patient, listing) == {"search": True, "api": True, "profile": True}

    standby.pause_replay()
    desk.listing_unpublish(practitioner=listing, moderator=moderator, reason="Closed the practice.")
    # The standby still holds the listing as published, at the version before: the primary answers.
    assert standby.standby_answer("SELECT status FROM directory_practitioner WHERE id = %s", listing.pk) == "published"
    assert patients_see(patient, listing) == {"search": False, "api": False, "profile": False}

    standby.resume_replay()
    standby.wait_for_replay()
    # The answers cached while the standby lagged were made from the primary: still right, served from the cache.
    assert patients_see(patient, listing) == {"search": False, "api": False, "profile": False}


def test_anonymous_public_reads_go_to_the_replica_when_it_is_current(standby):
    """The proof: a change the public version does not announce (a direct update, which no service makes) is
    written on the primary while replay is paused. The old bio then exists only on the standby, so a page showing
    it was read there; a signed-in visitor, reading the primary, sees the new one."""
    listing = published("Dr. Read Where", bio="Written before the pause.")
    standby.wait_for_replay()
    standby.pause_replay()
    Practitioner.objects.filter(pk=listing.pk).update(bio="Written during the pause.")
    patient, practitioner = Client(), Client()
    practitioner.force_login(UserFactory())

    assert "Written before the pause." in patient.get(listing.get_absolute_url()).content.decode()
    assert "Written during the pause." in practitioner.get(listing.get_absolute_url()).content.decode()

    standby.resume_replay()
    standby.wait_for_replay()
    assert "Written during the pause." in patient.get(listing.get_absolute_url()).content.decode()


def test_a_practitioner_sees_the_listing_they_just_created_while_the_replica_lags(standby):
    owner = UserFactory()
    standby.pause_replay()
    client = Client()
    client.force_login(owner)  # the session itself is on the primary only

    response = client.post(reverse("practice:new"), listing_form_data(name="Dr. Just Listed"))
    assert response.status_code == 302

    dashboard = client.get(reverse("practice:dashboard"))
    assert dashboard.status_code == 200
    assert "Dr. Just Listed" in dashboard.content.decode()
    assert standby.standby_answer("SELECT count(*) FROM directory_practitioner WHERE name = 'Dr. Just Listed'") == 0


def test_with_the_replica_stopped_public_pages_answer_from_the_primary(standby):
    listing = published("Dr. Replica Down")
    standby.wait_for_replay()
    standby.stop_standby()
    try:
        patient = Client()
        for url in ["/", SEARCH, API, listing.get_absolute_url(), "/techniques/nucca/", "/sitemap.xml"]:
            response = patient.get(url)
            assert response.status_code == 200, url
        assert patients_see(patient, listing) == {"search": True, "api": True, "profile": True}
    finally:
        standby.start_standby()


def test_a_replica_that_does_not_answer_is_not_waited_for_on_every_request(standby):
    """A replica that accepts connections and never answers (a hung server) costs the first request its connect
    timeout; the next requests do not try it again, and every one is answered by the primary."""
    listing = published("Dr. Hung Replica")
    silent = SilentServer()
    connections.settings["silent"] = connections.settings[REPLICA] | {"PORT": str(silent.port)}
    try:
        with override_settings(DATABASE_ROUTERS=[ReplicaRouter("silent")]):
            patient = Client()
            assert patient.get(API).status_code == 200
            attempts = len(silent.accepted)
            assert attempts >= 1
            assert patients_see(patient, listing) == {"search": True, "api": True, "profile": True}
            assert len(silent.accepted) == attempts
    finally:
        silent.close()
        connections["silent"].close()
        del connections["silent"], connections.settings["silent"]
