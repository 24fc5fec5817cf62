"""Hostile input on every public page and parameter: no 500, no reflected markup, the database unchanged."""

import pytest
from django.conf import settings
from django.db.models import Max

from directory.models import Location, Practitioner, Technique
from tests.factories import practitioner_at

pytestmark = pytest.mark.django_db

HOSTILE = [
    "' OR '1'='1",
    "02108'; DROP TABLE directory_practitioner; --",
    "1) UNION SELECT password FROM auth_user --",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "${7*7}",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "02108\x00",
    "\x00",
    "x" * 10_000,
    "\u202e10820",  # right-to-left override
    "Bo\u0301ston\u0327, MA",  # combining marks
    "%2F..%2F..%2Fetc%2Fpasswd",
    "..%252f..%252fetc%252fpasswd",
    "/%2e%2e/%2e%2e/",
    "[]",
    "{}",
    "1e309",
    "-0",
    "9" * 400,
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]
PARAMETERS = ["near", "radius", "unit", "technique", "page", "page_size"]
MARKUP = ["<script>alert(1)", "<img src=x onerror", settings.SECRET_KEY]  # echoed escaped is fine; live is not


@pytest.fixture
def snapshot():
    practitioner = practitioner_at(42.36, -71.06, name="Dr. Steady")

    def state() -> tuple:
        return (
            Practitioner.objects.count(),
            Location.objects.count(),
            Technique.objects.count(),
            Practitioner.objects.aggregate(Max("updated_at"))["updated_at__max"],
            list(Practitioner.objects.values_list("name", "status")),
        )

    before = state()
    yield practitioner
    assert state() == before, "hostile input changed the database"


def assert_safe(response) -> None:
    assert response.status_code < 500, response.content[:300]
    body = response.content.decode("utf-8", "replace")
    for marker in MARKUP:
        assert marker not in body, f"{marker!r} reflected"


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("path", ["/search/", "/api/v1/practitioners/", "/", "/techniques/nucca/"])
@pytest.mark.parametrize("parameter", PARAMETERS)
def test_every_parameter_of_every_page_survives_hostile_values(client, snapshot, path, parameter, value):
    assert_safe(client.get(path, {parameter: value, **({"near": "02108"} if parameter != "near" else {})}))


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_the_path_are_not_found_not_errors(client, snapshot, value):
    for path in (f"/techniques/{value}/", f"/practitioners/{snapshot.pk}-{value}/", f"/{value}"):
        assert_safe(client.get(path))


@pytest.mark.parametrize(
    "query",
    [
        "near=02108&near=10001&radius=5&radius=abc",
        "near[]=02108",
        "near=%FF%FE%00",
        "radius=1&radius=2&radius=3&unit=km&unit=mi",
        "technique=" + "&technique=".join(["nucca"] * 500),
        "page=99999999999999999999999",
        "page_size=99999999999999999999999",
    ],
)
def test_wrong_types_repeats_and_raw_bytes_are_answered_cleanly(client, snapshot, query):
    for path in ("/search/", "/api/v1/practitioners/"):
        assert_safe(client.get(f"{path}?{query}"))


def test_hostile_methods_and_bodies_are_refused_without_writing(client, snapshot):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(
            "/api/v1/practitioners/", data='{"name": "x"}', content_type="application/json"
        )
        assert response.status_code in (403, 405)
    assert client.post("/search/", {"near": "02108"}).status_code in (403, 405)
