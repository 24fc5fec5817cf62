"""What lets the app run on several servers: shared cache in Redis, and search reads on a replica."""

import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import resolve

from directory.answers import public_version
from directory.models import Practitioner
from directory.routers import PublicReadsMiddleware, ReplicaRouter

REDIS = ("127.0.0.1", 6379)


def settings_under(environment: dict[str, str]) -> dict:
    """The settings a fresh process builds from these environment variables."""
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'caches': settings.CACHES, 'databases': sorted(settings.DATABASES), "
        "'routers': settings.DATABASE_ROUTERS, 'session': settings.SESSION_ENGINE, "
        "'middleware': settings.MIDDLEWARE, 'replica': settings.DATABASES.get('replica', {}).get('NAME'), "
        "'replica_options': settings.DATABASES.get('replica', {}).get('OPTIONS')}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", **environment}
    output = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def redis_is_running() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        return False
    return True


def test_redis_url_puts_the_cache_and_sessions_in_redis():
    configured = settings_under({"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert configured["caches"]["default"]["BACKEND"] == "config.cache.RedisCache"
    assert configured["caches"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert configured["session"] == "django.contrib.sessions.backends.cached_db"


def test_without_redis_url_the_cache_is_per_process():
    configured = settings_under({"REDIS_URL": ""})
    assert configured["caches"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.skipif(not redis_is_running() and not os.environ.get("CI"), reason="no Redis on 127.0.0.1:6379")
def test_the_redis_cache_backend_talks_to_a_real_redis():
    location = "redis://127.0.0.1:6379/3"
    with override_settings(CACHES={"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": location}}):
        cache = caches["default"]
        cache.set("directory-test-key", {"near": "02108"}, timeout=30)
        assert cache.get("directory-test-key") == {"near": "02108"}
        cache.delete("directory-test-key")


def test_database_replica_url_adds_the_replica_and_its_router():
    configured = settings_under({"DATABASE_REPLICA_URL": "postgres://reader@replica.internal:5432/directory"})
    assert configured["databases"] == ["default", "replica"]
    assert configured["replica"] == "directory"
    assert configured["routers"] == ["directory.routers.ReplicaRouter"]
    assert "directory.routers.PublicReadsMiddleware" in configured["middleware"]


def test_database_replica_urls_adds_each_replica_with_a_short_connect_timeout():
    urls = "postgres://reader@replica-a.internal/directory, postgres://reader@replica-b.internal/directory"
    configured = settings_under({"DATABASE_REPLICA_URLS": urls, "DATABASE_REPLICA_URL": ""})
    assert configured["databases"] == ["default", "replica", "replica2"]
    assert configured["replica_options"] == {
        "connect_timeout": 2,
        "options": "-c jit=off -c max_parallel_workers_per_gather=0",
    }
    assert configured["middleware"].count("directory.routers.PublicReadsMiddleware") == 1


class CurrentReplica(ReplicaRouter):
    """The router with one replica that is always current at version 7 (choosing it reads no database)."""

    def choose(self) -> tuple[str, int]:
        return "replica", 7


class TestReplicaRouter:
    router = CurrentReplica("replica")

    def reads_in(self, request, *, read=lambda router: router.db_for_read(Practitioner)) -> list:
        """What `read` returns inside `request`, once its view is known, as the handler runs the middleware."""
        seen = []

        def view(request):
            request.resolver_match = resolve(request.path)
            middleware.process_view(request, request.resolver_match.func, (), {})
            seen.append(read(self.router))
            return HttpResponse()

        middleware = PublicReadsMiddleware(view)
        middleware(request)
        return seen

    def test_reads_outside_a_request_and_writes_go_to_the_primary(self):
        assert self.router.db_for_read(Practitioner) == "default"
        assert self.router.db_for_write(Practitioner) == "default"

    def test_without_a_replica_everything_reads_the_primary(self):
        request = RequestFactory().get("/search/")
        assert self.reads_in(request, read=lambda router: ReplicaRouter().db_for_read(Practitioner)) == ["default"]

    @pytest.mark.django_db
    def test_reads_inside_a_transaction_see_its_writes_on_the_primary(self):
        def read(router):
            with transaction.atomic():
                return router.db_for_read(Practitioner)

        assert self.reads_in(RequestFactory().get("/search/"), read=read) == ["default"]

    @pytest.mark.parametrize(
        ("method", "path", "expected"),
        [
            ("GET", "/", "replica"),
            ("GET", "/search/", "replica"),
            ("HEAD", "/search/", "replica"),
            ("GET", "/practitioners/1-ada-atlas/", "replica"),
            ("GET", "/techniques/nucca/", "replica"),
            ("GET", "/sitemap.xml", "replica"),
            ("GET", "/api/v1/practitioners/", "replica"),
            ("POST", "/search/", "default"),
            ("GET", "/admin/directory/practitioner/", "default"),
            ("GET", "/practice/", "default"),
            ("GET", "/accounts/login/", "default"),
        ],
    )
    def test_anonymous_public_reads_go_to_a_replica_and_the_rest_to_the_primary(self, method, path, expected):
        assert self.reads_in(RequestFactory().generic(method, path)) == [expected]
        assert self.router.db_for_read(Practitioner) == "default"  # and nothing leaks to the next request

    def test_a_visitor_with_a_session_reads_the_primary(self):
        request = RequestFactory().get("/search/")
        request.COOKIES[settings.SESSION_COOKIE_NAME] = "anything"
        assert self.reads_in(request) == ["default"]

    def test_the_public_version_is_the_one_read_where_the_request_reads(self):
        # Without the database (a query here would fail the test): the version the router read when choosing.
        with override_settings(DATABASE_ROUTERS=[self.router]):
            assert self.reads_in(RequestFactory().get("/search/"), read=lambda router: public_version()) == [7]

    def test_migrations_run_on_the_primary_only(self):
        assert self.router.allow_migrate("default", "directory")
        assert not self.router.allow_migrate("replica", "directory")


@pytest.mark.django_db
def test_the_liveness_check_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.json() == {"status": "ok"}
