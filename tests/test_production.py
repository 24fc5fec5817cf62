"""Production readiness: deploy checks, security headers, friendly error pages, throttling, the API schema."""

import os
import runpy
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from pytest_django.asserts import assertContains

from tests.factories import practitioner_at

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3y-for-the-deploy-check-only-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "directory.example.com",
    "DJANGO_SETTINGS_MODULE": "",
    "DJANGO_ALLOW_ASYNC_UNSAFE": "",  # the browser tests set it for this process; a deployment must not
}


def manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    env = {key: value for key, value in {**os.environ, **environment}.items() if value}
    return subprocess.run([sys.executable, "manage.py", *args], env=env, capture_output=True, text=True)


def test_check_deploy_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", environment=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", environment={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", environment={**PRODUCTION, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "Set the ALLOWED_HOSTS environment variable" in result.stderr


def test_every_page_carries_a_content_security_policy_without_inline_script(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "img-src 'self' data: http://127.0.0.1:9" in policy
    assert "frame-ancestors 'none'" in policy


def test_a_missing_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assertContains(response, "We could not find that page", status_code=404)


def test_an_unexpected_error_is_a_friendly_500_without_a_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("directory.views.PractitionerSearch", broken)
    response = Client(raise_request_exception=False).get("/search/?near=02108")
    assert response.status_code == 500
    assertContains(response, "Something went wrong on our side", status_code=500)
    assert b"Traceback" not in response.content and b"boom" not in response.content


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/search/?near=02108", "The directory is briefly unavailable"), ("/api/v1/practitioners/", '"detail"')],
)
def test_while_the_database_is_down_pages_answer_503_and_say_so(database_down, path, expected):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assertContains(response, expected, status_code=503)
    assert b"Connection refused" not in response.content


def test_a_signed_in_visitor_gets_the_friendly_503_too_while_the_database_is_down(monkeypatch, owner):
    """The account lives in the session, in the database: the 503 page must not need it."""
    client = Client(raise_request_exception=False)
    client.force_login(owner)

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore._get_session_from_db", unreachable)
    for path in ("/practice/", "/search/?near=02108", "/admin/"):
        response = client.get(path)
        assertContains(response, "The directory is briefly unavailable", status_code=503)


def test_a_database_error_outside_any_view_is_the_friendly_503_too(monkeypatch):
    """A middleware that reaches the database (the session saved after the view, say) fails past the view's
    exception handling; the 500 handler answers it as the 503 it is."""

    def unreachable(self, request):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("django.middleware.common.CommonMiddleware.process_request", unreachable)
    client = Client(raise_request_exception=False)
    page = client.get("/search/?near=02108")
    assertContains(page, "The directory is briefly unavailable", status_code=503)
    assert page["Retry-After"] == "30"
    assertContains(client.get("/api/v1/practitioners/"), '"detail"', status_code=503)


def test_any_other_error_outside_a_view_is_still_the_friendly_500(monkeypatch):
    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr("django.middleware.common.CommonMiddleware.process_request", broken)
    response = Client(raise_request_exception=False).get("/search/?near=02108")
    assertContains(response, "Something went wrong on our side", status_code=500)
    assert b"boom" not in response.content


class TestThrottling:
    @pytest.fixture(autouse=True)
    def three_a_minute(self, settings):
        settings.API_ANON_RATE = "3/min"
        cache.clear()
        yield
        cache.clear()

    def test_the_api_answers_429_with_retry_after_past_the_anonymous_rate(self, client):
        practitioner_at(42.36, -71.06)
        statuses = [client.get("/api/v1/practitioners/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = client.get("/api/v1/practitioners/")
        assert 0 < int(refused["Retry-After"]) <= 60
        assert "throttled" in refused.json()["detail"].lower()

    def test_each_client_address_has_its_own_allowance(self, client):
        for _ in range(3):
            client.get("/api/v1/practitioners/", REMOTE_ADDR="203.0.113.1")
        assert client.get("/api/v1/practitioners/", REMOTE_ADDR="203.0.113.1").status_code == 429
        assert client.get("/api/v1/practitioners/", REMOTE_ADDR="203.0.113.2").status_code == 200

    def test_a_forged_forwarded_for_header_does_not_reset_the_allowance(self, client):
        for number in range(3):
            client.get("/api/v1/practitioners/", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
        assert client.get("/api/v1/practitioners/", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429

    def test_pages_for_patients_are_not_throttled(self, client):
        assert [client.get("/search/?near=02108").status_code for _ in range(5)] == [200] * 5


def test_the_openapi_schema_documents_every_parameter_and_the_error_shape(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/practitioners/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert set(parameters) == {
        "near",
        "radius",
        "unit",
        "technique",
        "accepting_new_patients",
        "verified",
        "language",
        "page",
        "page_size",
    }
    assert parameters["accepting_new_patients"]["schema"]["type"] == "boolean"
    assert parameters["near"]["schema"]["maxLength"] == 200
    assert parameters["radius"]["schema"]["exclusiveMinimum"] is True
    assert parameters["page_size"]["schema"]["maximum"] == 100
    assert parameters["unit"]["schema"]["enum"] == ["mi", "km"]
    assert set(operation["responses"]) == {"200", "400", "404", "429", "503"}
    errors = operation["responses"]["400"]["content"]["application/json"]["schema"]
    assert errors["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


def test_the_api_docs_work_offline_from_bundled_swagger_ui(client):
    response = client.get("/api/docs/swagger/")
    assertContains(response, "swagger-ui")
    assert b"cdn.jsdelivr" not in response.content and b"unpkg.com" not in response.content
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def test_collectstatic_hashes_and_compresses_every_file_in_production(tmp_path):
    result = manage("collectstatic", "--noinput", environment={**PRODUCTION, "STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.glob("directory/site.*.css.gz")) and (tmp_path / "staticfiles.json").exists()


class TestTheServer:
    def test_what_the_app_built_as_it_loaded_is_frozen_out_of_the_garbage_collectors_walk(self):
        loaded = subprocess.run(
            [sys.executable, "-c", "import gc, config.wsgi; print(gc.get_freeze_count())"],
            env={key: value for key, value in {**os.environ, **PRODUCTION}.items() if value},
            capture_output=True,
            text=True,
        )
        assert loaded.returncode == 0, loaded.stderr
        assert int(loaded.stdout) > 100_000  # Django, the URL patterns and the postal-code index

    @pytest.mark.parametrize(
        ("environment", "expected"), [({}, (50_000, 5_000)), ({"GUNICORN_MAX_REQUESTS": "0"}, (0, 0))]
    )
    def test_a_worker_is_recycled_after_its_max_requests(self, monkeypatch, environment, expected):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        config = runpy.run_path("config/gunicorn.conf.py")
        assert (config["max_requests"], config["max_requests_jitter"]) == expected

    def test_it_runs_two_single_threaded_workers_a_core_and_one_more_unless_told_otherwise(self, monkeypatch):
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
        monkeypatch.delenv("GUNICORN_THREADS", raising=False)
        config = runpy.run_path("config/gunicorn.conf.py")
        assert (config["workers"], config["threads"]) == (2 * len(os.sched_getaffinity(0)) + 1, 1)
        monkeypatch.setenv("WEB_CONCURRENCY", "3")
        monkeypatch.setenv("GUNICORN_THREADS", "4")
        config = runpy.run_path("config/gunicorn.conf.py")
        assert (config["workers"], config["threads"]) == (3, 4)
