"""Whole search answers, cached by the normalised search and the public version.

Every write that can change what a patient sees calls public_version_bump() in its transaction (the import,
the practitioner and moderation services, the admin's saves); answers are cached under the version current
when they were made, so a bump retires every cached answer at once, in every process. The version lives in the
database; the cache (Redis with REDIS_URL, per-process memory otherwise) holds the answers and, without read
replicas, a copy of the version (VERSION_KEY), so that a repeated search costs one cache read and no query:

- the copy only ever rises (version_offer()): each bump offers its number once it has committed, and a request
  that finds no copy reads the database and offers what it read, so a late offer never lowers it;
- a bump deletes the copy at once too (the next request reads the database), and the copy lives VERSION_SECONDS,
  which bounds how long a process that died between its commit and its offer can leave an old version read.
With read replicas each request reads the version of the database it reads from (directory/routers.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import router, transaction
from django.db.models import F
from django.utils import timezone, translation

from directory.geo import Place
from directory.models import PublicVersion, Technique
from directory.routers import public_version_on, version_read_on

ANSWER_SECONDS = 24 * 3600  # an answer outlives its version only as unreachable garbage; this bounds it
VERSION_KEY = "public-version"
VERSION_SECONDS = 5
# Raises the cached version to ARGV[1] unless it is there already or higher (Redis runs it atomically).
_RAISE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
"""
_raising = threading.Lock()


@dataclass(frozen=True)
class Answer:
    body: str
    status: int
    # Where the search found nobody within its radius: counted as unmet demand each time the answer is served.
    unmet: Place | None = None
    version: int | None = None  # the public version it was made at, where its cache key does not say it

    @property
    def etag(self) -> str:
        return '"' + hashlib.blake2b(self.body.encode(), digest_size=12).hexdigest() + '"'


def _version_copied() -> bool:
    """Whether the cache keeps a copy of the version: not with read replicas, where it depends on the database."""
    return not settings.DATABASE_ROUTERS


def public_version() -> int:
    """The public version of the database this request reads what patients see from: the primary, or the replica
    directory.routers chose (which read it then). Answers are cached under the version of the data they show."""
    if _version_copied():
        number = cache.get(VERSION_KEY)
        return _version_from_database() if number is None else number
    alias = router.db_for_read(PublicVersion)
    known = version_read_on(alias)
    return public_version_on(alias) if known is None else known


def _version_from_database() -> int:
    number = public_version_on(router.db_for_read(PublicVersion))
    version_offer(number)
    return number


def version_offer(number: int) -> None:
    """Raises the cache's copy of the public version to `number`, never lowering it."""
    backend = cache._cache if hasattr(cache, "_cache") else None
    if backend is not None and hasattr(backend, "get_client"):  # Redis: atomically, for every app server
        key = cache.make_and_validate_key(VERSION_KEY)
        backend.get_client(key, write=True).eval(_RAISE, 1, key, number, VERSION_SECONDS * 1000)
        return
    with _raising:  # the per-process memory cache: one process, one lock
        current = cache.get(VERSION_KEY)
        if current is None or current < number:
            cache.set(VERSION_KEY, number, VERSION_SECONDS)


def public_version_bump() -> None:
    """Retires every cached answer; call it inside the transaction that changes what patients see."""
    if not PublicVersion.objects.filter(pk=1).update(number=F("number") + 1):
        PublicVersion.objects.get_or_create(pk=1, defaults={"number": 1})
    if _version_copied():
        cache.delete(VERSION_KEY)  # until the commit, a request reads the committed version from the database
        transaction.on_commit(lambda: version_offer(public_version_on(router.db_for_write(PublicVersion))))


def public_version_renew(*, using: str = "default") -> int:
    """Gives database `using` a public version no database has had: the microseconds since 1970 (or one more
    than its own number, if that is higher). For a database whose rows were replaced underneath the site (a
    restored backup): its own number may be one at which the answers cached now, in the cache and in each app
    server, were made from other rows. Versions only ever go up by one from there, far fewer times than
    microseconds pass, so a later renewal is higher still. Returns the new number."""
    floor = time.time_ns() // 1_000
    with transaction.atomic(using=using):
        row, _ = PublicVersion.objects.using(using).select_for_update().get_or_create(pk=1)
        row.number = max(row.number + 1, floor)
        row.save(using=using, update_fields=["number"])
    if _version_copied():
        cache.delete(VERSION_KEY)  # the next request reads the new number from the database
    return row.number


# This process's techniques by (public version, language), as techniques_at() last read them: reading them from the
# cache took a new search 0.77 ms (a round trip, and unpickling a dozen model instances with their former slugs),
# 6% of it. Keyed by the version, like the cache, so a technique added or renamed (which bumps it) is seen by the
# next search; older versions are never asked for again, so a few keys are all it keeps. Read, never changed.
_techniques_here: dict[tuple[int, str], list[Technique]] = {}
TECHNIQUE_VERSIONS_KEPT = 8


def techniques_at(version: int) -> list[Technique]:
    """Every technique, by name, with its former slugs, as of `version` (the search form's choices, without a
    query per search, and without a cache read once this process has read them at this version)."""
    language = translation.get_language()  # ordered by the language's names
    techniques = _techniques_here.get((version, language))
    if techniques is not None:
        return techniques
    key = f"techniques:{version}:{language}"
    techniques = cache.get(key)
    if techniques is None:
        techniques = list(Technique.objects.order_by("name").prefetch_related("former_slugs"))
        cache.set(key, techniques, ANSWER_SECONDS)
    if len(_techniques_here) >= TECHNIQUE_VERSIONS_KEPT:
        _techniques_here.clear()
    _techniques_here[version, language] = techniques
    return techniques


def techniques_forget() -> None:
    """Forgets this process's techniques: for a database whose versions start again with other techniques
    under the same numbers (each test's; a restored backup's are renewed instead: public_version_renew). The
    cache's copies need cache.clear() too."""
    _techniques_here.clear()


def _cache_key(version: int | None, kind: str, key: str) -> str:
    # Today's date is part of the key: a training verification lapses at the start of a day, with no write, and
    # an answer made the day before must not show its badge. So is the language: an answer is written in one.
    today = timezone.localdate().isoformat()
    language = translation.get_language()
    text = f"{version}|{today}|{language}|{kind}|{key}"
    return "answer:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def cached_answer(version: int, kind: str, key: str) -> Answer | None:
    return cache.get(_cache_key(version, kind, key))


def asked_answer_keys(kind: str, asked: str) -> list[str]:
    """The cache keys asked_answer() reads, for a caller that reads them together with something else."""
    key = _cache_key(None, kind, asked)
    return [VERSION_KEY, key] if _version_copied() else [key]


def asked_answer(kind: str, asked: str, read: dict | None = None) -> tuple[int, Answer | None]:
    """The public version, and the answer to a request asked in exactly this form if one is cached at that
    version: one cache read, and no query, where the cache keeps the version (see the module's docstring). `read`:
    the values of asked_answer_keys() if the caller has read them already (the API's throttle does)."""
    keys = asked_answer_keys(kind, asked)
    key = keys[-1]
    if read is None:
        read = cache.get_many(keys)
    if _version_copied():
        version = read.get(VERSION_KEY)
        if version is None:
            version = _version_from_database()
    else:
        version = public_version()
    answer = read.get(key)
    return version, answer if answer is not None and answer.version == version else None


def asked_answer_store(version: int, kind: str, asked: str, answer: Answer) -> None:
    cache.set(_cache_key(None, kind, asked), dataclasses.replace(answer, version=version), ANSWER_SECONDS)


def answer_store(version: int, kind: str, key: str, answer: Answer) -> None:
    cache.set(_cache_key(version, kind, key), answer, ANSWER_SECONDS)


def answer_for(version: int, kind: str, key: str, make: Callable[[], Answer]) -> Answer:
    """The cached answer of this kind ("api", "page") to the search `key` as of `version`, made when missing."""
    answer = cached_answer(version, kind, key)
    if answer is None:
        answer = make()
        answer_store(version, kind, key, answer)
    return answer
