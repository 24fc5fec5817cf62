"""django-csp's middleware, with the site's own policies built once per process instead of twice per response."""

from __future__ import annotations

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# What a view sets on its response to change either policy (csp.decorators: csp_update, csp_replace, ...).
CHANGED_BY_THE_VIEW = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
# Each header, its value's index in site_policies(), the attribute that exempts a response from it, and its setting.
HEADERS = (
    (HEADER, 0, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
    (HEADER_REPORT_ONLY, 1, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)
DEBUG_PAGES = (404, 500)  # django-csp leaves Django's debug pages without a policy


@functools.cache
def site_policies() -> tuple[str, str]:
    """The policy and the report-only policy as the settings alone make them (no view's change, no nonce)."""
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed)
def _site_policies_forgotten(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        site_policies.cache_clear()


class SitePolicyMiddleware(CSPMiddleware):
    """django-csp's CSPMiddleware, except that a response whose view changed neither policy, on a page that used no
    nonce (every page of this site but the API docs and the embed), gets the policies built once per process.
    django-csp builds both for every response from the settings: its middleware took 41 us a response, this one 9
    (docs/performance.md), of a repeated API answer's 0.55 ms.
    What it decides (exemptions, excluded URL prefixes, debug pages, the nonce closed after the response) is
    decided here as there; tests/test_csp.py compares the two."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in CHANGED_BY_THE_VIEW
        ):
            return super().process_response(request, response)
        if response.status_code in DEBUG_PAGES and settings.DEBUG:
            return response
        policies = site_policies()
        for header, index, exempt, setting in HEADERS:
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if (
                policies[index]
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(tuple(prefixes))
            ):
                response[header] = policies[index]
        # As django-csp does: a nonce asked for after the header is written would be in no policy.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
