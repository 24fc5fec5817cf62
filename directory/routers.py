"""Send patient-facing reads to a read replica when DATABASE_REPLICA_URL configures one."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_reads_from_primary: ContextVar[bool] = ContextVar("reads_from_primary", default=False)


class ReplicaRouter:
    """Reads go to the replica, except inside a transaction on the primary and in requests that write or
    administer (see PrimaryReadsMiddleware), which must see their own writes. Writes always go to the primary."""

    def __init__(self, replica: str | None = None) -> None:
        self.replica = replica or (REPLICA if REPLICA in settings.DATABASES else None)

    def db_for_read(self, model, **hints) -> str | None:
        if self.replica is None or _reads_from_primary.get() or connections["default"].in_atomic_block:
            return "default"
        return self.replica

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, first, second, **hints) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == "default"


class PrimaryReadsMiddleware:
    """Requests that write (not GET/HEAD/OPTIONS) or use the admin read from the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        primary = request.method not in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/admin/")
        token = _reads_from_primary.set(primary)
        try:
            return self.get_response(request)
        finally:
            _reads_from_primary.reset(token)
