"""Requests Django cannot read (a charset that cannot read them, too many fields, a body too large) are a 400 (413
for the size), JSON on the API, with DEBUG off as in production and on as `make run` serves: never a 500."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from moderation.models import Report
from tests.factories import practitioner_at

pytestmark = pytest.mark.django_db

BOUNDARY = "NoCharsetReadsThis"
FIELDS = {"login": "patient@example.com", "email": "patient@example.com", "username": "patient@example.com"}
TOO_MANY = 1_200  # Django reads DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) parameters


def multipart(fields: dict[str, str], *, charset: str, value_encoding: str | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body (framing and names in ASCII, values in `value_encoding`) and its Content-Type."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode(value_encoding or charset)
        + b"\r\n"
        for name, value in fields.items()
    ]
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return body, f"multipart/form-data; boundary={BOUNDARY}; charset={charset}"


UNDECODABLE = {
    "urlencoded in UTF-16": (urlencode(FIELDS).encode("utf-16"), "application/x-www-form-urlencoded; charset=utf-16"),
    "multipart in UTF-16": multipart(FIELDS, charset="utf-16"),
    "multipart in a codec that is no text encoding": multipart(FIELDS, charset="zlib", value_encoding="ascii"),
}


FORM_PATHS = {
    "login": "/accounts/login/",
    "password reset": "/accounts/password/reset/",
    "admin login": "/admin/login/",
}


def report_path() -> str:
    practitioner = practitioner_at(42.36, -71.06)
    return reverse("moderation:report", kwargs={"pk": practitioner.pk, "slug": practitioner.slug})


@pytest.fixture(params=["login", "password reset", "report", "admin login"])
def form_path(request: pytest.FixtureRequest) -> str:
    return report_path() if request.param == "report" else FORM_PATHS[request.param]


@pytest.fixture(params=[False, True], ids=["DEBUG off", "DEBUG on"])
def debug(request: pytest.FixtureRequest, settings) -> bool:
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def browser() -> Client:
    """A browser's POST: the CSRF check reads the form before the view does. A 500 is answered, not raised."""
    return Client(raise_request_exception=False, enforce_csrf_checks=True)


def assert_api_refusal(response, status: int, says: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert says in response.json()["detail"]


def assert_page_refusal(response, status: int, says: str) -> None:
    assert response.status_code == status, response.content[:300]
    page = response.content.decode()
    assert "We could not read that request" in page and says in page


@pytest.mark.parametrize(("body", "content_type"), UNDECODABLE.values(), ids=UNDECODABLE.keys())
def test_a_form_posted_in_an_undecodable_charset_is_a_400_not_a_500(browser, debug, form_path, body, content_type):
    browser.get(form_path)  # the CSRF cookie, as a browser has it
    response = browser.generic("POST", form_path, body, content_type=content_type)
    assert_page_refusal(response, 400, "charset")
    assert not Report.objects.exists()


@pytest.mark.parametrize("path", ["/search/", "/api/v1/practitioners/"])
def test_a_query_string_with_a_declared_charset_that_cannot_read_it_is_a_400_not_misread(debug, path):
    response = Client(raise_request_exception=False).get(
        path, {"near": "02108"}, headers={"Content-Type": "text/plain; charset=utf-16"}
    )
    check = assert_api_refusal if path.startswith("/api/") else assert_page_refusal
    check(response, 400, "charset")


def test_more_query_parameters_than_django_reads_is_a_json_400_on_the_api(debug):
    response = Client(raise_request_exception=False).get("/api/v1/practitioners/?" + "&x=1" * TOO_MANY)
    assert_api_refusal(response, 400, "Too many parameters: at most 1000 are read.")


def test_more_query_parameters_than_django_reads_is_the_sites_400_page_elsewhere(debug):
    response = Client(raise_request_exception=False).get("/search/?near=02108" + "&x=1" * TOO_MANY)
    assert_page_refusal(response, 400, "Too many parameters: at most 1000 are read.")


def test_more_form_fields_than_django_reads_is_a_400(browser, debug):
    browser.get("/accounts/login/")
    response = browser.post("/accounts/login/", "&".join(["x=1"] * TOO_MANY), "application/x-www-form-urlencoded")
    assert_page_refusal(response, 400, "Too many parameters")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("details=" + "x" * 2_000, "application/x-www-form-urlencoded"),
        multipart({"details": "x" * 2_000}, charset="utf-8"),
    ],
    ids=["urlencoded", "multipart"],
)
def test_a_form_larger_than_django_reads_is_a_413(browser, debug, settings, body, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    browser.get("/accounts/login/")
    response = browser.generic("POST", "/accounts/login/", body, content_type=content_type)
    assert_page_refusal(response, 413, "at most 1000 bytes are read")


def test_a_multipart_form_in_an_ascii_compatible_charset_is_still_read(client):
    url = report_path()
    body, content_type = multipart({"problem": "moved", "details": "Moved to the Café", "email": ""}, charset="latin-1")
    response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 302
    assert Report.objects.get().details == "Moved to the Café"


def test_the_refusal_carries_the_content_security_policy(debug):
    response = Client(raise_request_exception=False).get("/search/?" + "&x=1" * TOO_MANY)
    assert response.status_code == 400
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


class CutShort:
    """A body that stops arriving: the connection dropped halfway through the upload."""

    def read(self, *args: object) -> bytes:
        raise OSError("Connection reset by peer")

    readline = read


def test_a_body_that_stops_arriving_is_a_400_not_a_500(debug):
    response = Client(raise_request_exception=False).post(
        "/accounts/login/",
        "login=patient%40example.com",
        "application/x-www-form-urlencoded",
        **{"wsgi.input": CutShort()},
    )
    assert_page_refusal(response, 400, "could not be received")


@pytest.mark.parametrize("charset", ["zlib", "base64", "rot13"])
def test_a_declared_charset_that_is_no_text_encoding_is_a_400_before_django_builds_the_request(charset):
    """Django decodes the query string with the declared codec as it builds the request, before any middleware:
    the served application (config.wsgi) refuses such a request itself."""
    from io import BytesIO
    from wsgiref.util import setup_testing_defaults

    from config.wsgi import application

    body = b"login=a%40example.com&password=x"
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/accounts/login/", "QUERY_STRING": "next=/practice/",
               "CONTENT_TYPE": f"application/x-www-form-urlencoded; charset={charset}",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": BytesIO(body)}  # fmt: skip
    setup_testing_defaults(environ)
    statuses = []
    answer = b"".join(application(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["400 Bad Request"] and b"not a text encoding" in answer


def test_a_text_charset_passes_through_to_the_site():
    from config.charsets import is_text_encoding

    assert is_text_encoding("utf-8") and is_text_encoding("latin-1") and is_text_encoding("no-such-charset")
    assert not is_text_encoding("zlib")
