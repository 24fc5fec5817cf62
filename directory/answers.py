"""Whole search answers, cached by the normalised search and the public version.

Every write that can change what a patient sees calls public_version_bump() in its transaction (the import,
the practitioner and moderation services, the admin's saves); answers are cached under the version current
when they were made, so a bump retires every cached answer at once, in every process: the version lives in
the database, and the cache (Redis with REDIS_URL, per-process memory otherwise) only holds the answers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import router
from django.db.models import F
from django.utils import timezone, translation

from directory.geo import Place
from directory.models import PublicVersion, Technique
from directory.routers import public_version_on, version_read_on

ANSWER_SECONDS = 24 * 3600  # an answer outlives its version only as unreachable garbage; this bounds it


@dataclass(frozen=True)
class Answer:
    body: str
    status: int
    # Where the search found nobody within its radius: counted as unmet demand each time the answer is served.
    unmet: Place | None = None

    @property
    def etag(self) -> str:
        return '"' + hashlib.blake2b(self.body.encode(), digest_size=12).hexdigest() + '"'


def public_version() -> int:
    """The public version of the database this request reads what patients see from: the primary, or the replica
    directory.routers chose (which read it then). Answers are cached under the version of the data they show."""
    alias = router.db_for_read(PublicVersion)
    known = version_read_on(alias)
    return public_version_on(alias) if known is None else known


def public_version_bump() -> None:
    """Retires every cached answer; call it inside the transaction that changes what patients see."""
    if not PublicVersion.objects.filter(pk=1).update(number=F("number") + 1):
        PublicVersion.objects.get_or_create(pk=1, defaults={"number": 1})


def techniques_at(version: int) -> list[Technique]:
    """Every technique, by name, with its former slugs, as of `version` (the search form's choices, without a
    query per search)."""
    key = f"techniques:{version}:{translation.get_language()}"  # ordered by the language's names
    techniques = cache.get(key)
    if techniques is None:
        techniques = list(Technique.objects.order_by("name").prefetch_related("former_slugs"))
        cache.set(key, techniques, ANSWER_SECONDS)
    return techniques


def _cache_key(version: int, kind: str, key: str) -> str:
    # Today's date is part of the key: a training verification lapses at the start of a day, with no write, and
    # an answer made the day before must not show its badge. So is the language: an answer is written in one.
    today = timezone.localdate().isoformat()
    language = translation.get_language()
    text = f"{version}|{today}|{language}|{kind}|{key}"
    return "answer:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def cached_answer(version: int, kind: str, key: str) -> Answer | None:
    return cache.get(_cache_key(version, kind, key))


def answer_store(version: int, kind: str, key: str, answer: Answer) -> None:
    cache.set(_cache_key(version, kind, key), answer, ANSWER_SECONDS)


def answer_for(version: int, kind: str, key: str, make: Callable[[], Answer]) -> Answer:
    """The cached answer of this kind ("api", "page") to the search `key` as of `version`, made when missing."""
    answer = cached_answer(version, kind, key)
    if answer is None:
        answer = make()
        answer_store(version, kind, key, answer)
    return answer
