"""Where reads go when DATABASE_REPLICA_URLS configures read replicas: an anonymous visitor's public reads (the
search, profiles, technique pages, the sitemap, the API) to a replica that is current, everything else to the
primary."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

from directory.models import PublicVersion

PRIMARY = "default"
REPLICA = "replica"  # the first replica's alias; the next are replica2, replica3, ... (config/settings/base.py)
DOWN_SECONDS = 30  # a replica that did not answer is not asked again for this long (in this process)
# What patients read: the views whose reads a replica may answer for a visitor who is not signed in.
PUBLIC_VIEWS = frozenset(
    {
        "directory:home",
        "directory:search",
        "directory:practitioner-detail",
        "directory:technique-detail",
        "directory:embed",
        "directory:embed-builder",
        "sitemap",
        "api:practitioner-list",
        "api:place-suggestions",
    }
)

logger = logging.getLogger(__name__)


@dataclass
class Reads:
    """Where this request reads what patients see: decided on its first read, then kept for the whole request."""

    public: bool = False  # an anonymous visitor's read of a public view: a replica may answer
    alias: str | None = None  # the database chosen
    version: int | None = None  # that database's public version, read when choosing it


_reads: ContextVar[Reads | None] = ContextVar("reads", default=None)


def is_replica(alias: str) -> bool:
    return alias == REPLICA or (alias.startswith(REPLICA) and alias[len(REPLICA) :].isdigit())


def public_version_on(alias: str) -> int:
    """The public version stored in database `alias` (one indexed read, as SQL: every search request makes it)."""
    connection = connections[alias]
    table = connection.ops.quote_name(PublicVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return 0 if row is None else row[0]


def version_read_on(alias: str) -> int | None:
    """The public version of `alias` if the router read it when choosing where this request reads, else None."""
    reads = _reads.get()
    return reads.version if reads is not None and reads.alias == alias else None


class ReplicaRouter:
    """Reads go to the primary, except an anonymous visitor's public reads (PublicReadsMiddleware), which go to a
    replica whose public version has caught up with the primary's; writes always go to the primary."""

    def __init__(self, *replicas: str) -> None:
        self.replicas = list(replicas) or [alias for alias in settings.DATABASES if is_replica(alias)]
        self.down_until: dict[str, float] = {}

    def db_for_read(self, model, **hints) -> str:
        reads = _reads.get()
        if reads is None or not reads.public or not self.replicas or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if reads.alias is None:
            reads.alias, reads.version = self.choose()
        return reads.alias

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, first, second, **hints) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == PRIMARY

    def choose(self) -> tuple[str, int]:
        """One live replica, at random, with its public version if it has caught up with the primary's; else the
        primary with its own. The primary is asked first: every write that changes what patients see bumps the
        version in its transaction, so a replica at that version (or later) holds every such write the primary
        held when asked, and anything read from it afterwards is at least as new."""
        primary = public_version_on(PRIMARY)
        now = time.monotonic()
        live = [alias for alias in self.replicas if self.down_until.get(alias, 0.0) <= now]
        random.shuffle(live)
        for alias in live:
            try:
                version = public_version_on(alias)
            except (OperationalError, InterfaceError) as error:
                self.set_down(alias, error)
                continue
            return (alias, version) if version >= primary else (PRIMARY, primary)
        return PRIMARY, primary

    def set_down(self, alias: str, error: Exception) -> None:
        """Remembers that `alias` did not answer, so the next requests do not wait for it too."""
        self.down_until[alias] = time.monotonic() + DOWN_SECONDS
        with suppress(DatabaseError):
            connections[alias].close()
        logger.warning("Replica %r did not answer (%s); the primary answers for %s s.", alias, error, DOWN_SECONDS)


class PublicReadsMiddleware:
    """Marks the requests a replica may answer: a GET of a public view (PUBLIC_VIEWS) by a visitor without a
    session. Anyone signed in has one, and reads the primary: a practitioner sees their own writes at once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _reads.set(Reads())
        try:
            return self.get_response(request)
        finally:
            _reads.reset(token)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        reads, match = _reads.get(), request.resolver_match
        if reads is not None and match is not None:
            reads.public = (
                request.method in ("GET", "HEAD")
                and match.view_name in PUBLIC_VIEWS
                and settings.SESSION_COOKIE_NAME not in request.COOKIES
            )
