"""config/csp.py: the site's Content-Security-Policy headers, built once per process, are the headers django-csp's
own middleware writes, whatever the view, the settings or the page's nonce."""

from __future__ import annotations

import re

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, NONE, SELF
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from config.csp import SitePolicyMiddleware, site_policies


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("page")


def with_nonce(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')


def missing(request: HttpRequest) -> HttpResponse:
    return HttpResponse("not here", status=404)


VIEWS = {
    "plain": plain,
    "a page with a nonce": with_nonce,
    "csp_update": csp_update({"img-src": ["https://tiles.example.org"]})(plain),
    "csp_replace": csp_replace({"frame-ancestors": ["*"]})(plain),
    "csp_exempt": csp_exempt()(plain),
    "csp_exempt (report-only)": csp_exempt(REPORT_ONLY=True)(plain),
    "csp_update (report-only)": csp_update({"img-src": ["data:"]}, REPORT_ONLY=True)(plain),
    "a 404": missing,
}
REPORT_ONLY = {"DIRECTIVES": {"default-src": [NONE], "script-src": [SELF]}, "EXCLUDE_URL_PREFIXES": ["/admin/"]}


def headers(middleware_class: type, view, path: str = "/search/") -> tuple[dict[str, str], HttpRequest]:
    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    return {name: response[name] for name in (HEADER, HEADER_REPORT_ONLY) if name in response}, request


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize(
    "changed",
    [
        {},
        {"CONTENT_SECURITY_POLICY_REPORT_ONLY": REPORT_ONLY},
        {"CONTENT_SECURITY_POLICY": {"DIRECTIVES": {"default-src": [SELF]}, "EXCLUDE_URL_PREFIXES": ["/search/"]}},
        {"CONTENT_SECURITY_POLICY": {"DIRECTIVES": {"script-src": [SELF, NONCE]}}},
        {"DEBUG": True},
    ],
    ids=["the site's settings", "a report-only policy", "an excluded prefix", "a nonce", "DEBUG"],
)
def test_every_response_gets_the_headers_django_csp_would_give_it(view, changed):
    with override_settings(**changed):
        ours, _ = headers(SitePolicyMiddleware, view)
        theirs, _ = headers(CSPMiddleware, view)
    assert nonces_hidden(ours) == nonces_hidden(theirs)


def nonces_hidden(headers: dict[str, str]) -> dict[str, str]:
    """Each page's nonce is new (random): the headers with every nonce written the same."""
    return {name: re.sub(r"'nonce-[^']*'", "'nonce-*'", value) for name, value in headers.items()}


def test_a_plain_page_gets_the_sites_policy_and_a_view_that_widens_it_gets_its_own():
    site, _ = headers(SitePolicyMiddleware, plain)
    widened, _ = headers(SitePolicyMiddleware, VIEWS["csp_update"])
    assert site[HEADER] == site_policies()[0] and "object-src 'none'" in site[HEADER]
    assert "https://tiles.example.org" in widened[HEADER] and "https://tiles.example.org" not in site[HEADER]


def test_a_changed_setting_is_a_new_policy_not_the_one_kept():
    before, _ = headers(SitePolicyMiddleware, plain)
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": [NONE]}}):
        during, _ = headers(SitePolicyMiddleware, plain)
    after, _ = headers(SitePolicyMiddleware, plain)
    assert during[HEADER] == "default-src 'none'"
    assert before == after != during


@override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": [SELF, NONCE]}})
def test_where_the_policy_asks_for_a_nonce_each_page_has_its_own_in_its_header():
    first, _ = headers(SitePolicyMiddleware, with_nonce)
    second, _ = headers(SitePolicyMiddleware, with_nonce)
    assert "'nonce-" in first[HEADER] and first[HEADER] != second[HEADER]


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error_as_in_django_csp():
    _, request = headers(SitePolicyMiddleware, plain)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
