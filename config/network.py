"""Who is asking: the client's address, the one every rate limit counts by (allauth's, the API throttle's, the
desk's and the site's own forms')."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address. Behind settings.TRUSTED_PROXY_COUNT proxies of our own it is the address the
    outermost of them saw, the Nth from the right of X-Forwarded-For (each proxy appends the address it was
    reached from, so entries left of that are the client's to forge); with none it is REMOTE_ADDR, whatever
    X-Forwarded-For says. An entry that is not an IP address is not trusted: REMOTE_ADDR stands."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if proxies <= 0 or not forwarded:
        return remote
    candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate.removeprefix("[").partition("]")[0]))
    except ValueError:
        return remote
