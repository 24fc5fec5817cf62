"""What the national NPI registry (the NPPES API, version 2.1, at NPPES_API_URL) says about an NPI, and where that
differs from a listing. The registry's quirks are part of the contract: errors come back as HTTP 200 with an
`Errors` list, and it can be slow or down. Every answer is cached (a found or unknown NPI for a day, a failure
briefly so the next look retries) and nothing here raises: a failure is an answer that says so."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from http.client import HTTPException
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from directory.npi import is_valid_npi
from directory.places import REGIONS, plain

logger = logging.getLogger(__name__)

API_VERSION = "2.1"
ANSWER_CACHE_SECONDS = 24 * 3600  # a found or unknown NPI: the registry changes weekly at most
FAILURE_CACHE_SECONDS = 5 * 60  # long enough to spare a struggling registry, short enough to retry soon
MAX_ANSWER_BYTES = 1024 * 1024  # one NPI's record is a few kilobytes
CHIROPRACTIC_TAXONOMY_PREFIX = "111N"
INDIVIDUAL, ORGANISATION = "NPI-1", "NPI-2"
ACTIVE = "A"


class Outcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not-found"
    UNAVAILABLE = "unavailable"
    INVALID = "invalid"  # fails the check digit: not worth asking
    SWITCHED_OFF = "switched-off"  # NPPES_API_URL is empty


@dataclass(frozen=True)
class RegistryAddress:
    line: str
    city: str
    state: str
    postal_code: str
    country_code: str

    def __str__(self) -> str:
        postal_code = (
            f"{self.postal_code[:5]}-{self.postal_code[5:]}" if len(self.postal_code) == 9 else self.postal_code
        )
        return f"{self.line}, {self.city}, {self.state} {postal_code}, {self.country_code}".strip(", ")


@dataclass(frozen=True)
class RegistryAnswer:
    """What the desk shows about one NPI: the registry's record when found, else why there is none."""

    npi: str
    outcome: Outcome
    checked_at: datetime | None = None
    problem: str = ""  # why the registry was unavailable, in its words when it gave any
    enumeration_type: str = ""
    first_name: str = ""
    last_name: str = ""
    organisation_name: str = ""
    credential: str = ""
    taxonomy_code: str = ""
    taxonomy_description: str = ""
    licence_state: str = ""
    licence_number: str = ""
    licence_states: tuple[str, ...] = ()
    practice_address: RegistryAddress | None = None
    deactivated_on: date | None = None
    status: str = ""

    @property
    def found(self) -> bool:
        return self.outcome == Outcome.FOUND

    @property
    def name(self) -> str:
        return self.organisation_name or " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_organisation(self) -> bool:
        return self.enumeration_type == ORGANISATION

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE and self.deactivated_on is None

    @property
    def is_chiropractic(self) -> bool:
        return self.taxonomy_code.upper().startswith(CHIROPRACTIC_TAXONOMY_PREFIX)


def cache_key(npi: str) -> str:
    return f"nppes:{API_VERSION}:{npi}"


def registry_lookup(npi: str) -> RegistryAnswer:
    """The registry's answer for `npi`, from the cache when it holds one; never raises."""
    npi = npi.strip()
    if not settings.NPPES_API_URL:
        return RegistryAnswer(npi, Outcome.SWITCHED_OFF)
    if not is_valid_npi(npi):
        return RegistryAnswer(npi, Outcome.INVALID)
    cached = cache.get(cache_key(npi))
    if cached is not None:
        return cached
    answer = _ask(npi)
    seconds = FAILURE_CACHE_SECONDS if answer.outcome == Outcome.UNAVAILABLE else ANSWER_CACHE_SECONDS
    cache.set(cache_key(npi), answer, seconds)
    return answer


def registry_peek(npi: str) -> RegistryAnswer | None:
    """The cached answer for `npi`, or None: never asks the registry (for lists of many rows)."""
    return cache.get(cache_key(npi.strip())) if settings.NPPES_API_URL else None


def _ask(npi: str) -> RegistryAnswer:
    checked_at = timezone.now()
    url = settings.NPPES_API_URL + "?" + urlencode({"version": API_VERSION, "number": npi})
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=settings.NPPES_TIMEOUT_SECONDS) as response:
            body = json.loads(response.read(MAX_ANSWER_BYTES))  # a longer answer is cut, so fails to parse
    except urllib.error.HTTPError as error:
        return _unavailable(npi, checked_at, f"the registry answered HTTP {error.code}")
    except (OSError, HTTPException, ValueError, RecursionError) as error:  # timeouts, refusals, TLS, bad JSON
        return _unavailable(npi, checked_at, f"no usable answer ({error.__class__.__name__})")
    try:
        return _read(npi, body, checked_at)
    except (AttributeError, KeyError, TypeError, ValueError) as error:  # JSON, but not the API's shape
        return _unavailable(npi, checked_at, f"an answer in an unexpected shape ({error.__class__.__name__})")


def _unavailable(npi: str, checked_at: datetime, problem: str) -> RegistryAnswer:
    logger.warning("NPI registry unavailable for %s: %s", npi, problem)
    return RegistryAnswer(npi, Outcome.UNAVAILABLE, checked_at, problem=problem)


def _read(npi: str, body: dict, checked_at: datetime) -> RegistryAnswer:
    if errors := body.get("Errors"):
        described = "; ".join(str(error.get("description", "")).strip() for error in errors if isinstance(error, dict))
        return _unavailable(npi, checked_at, f"the registry said: {described or 'an error'}")
    results = [result for result in body.get("results") or [] if str(result.get("number")) == npi]
    if not body.get("result_count") or not results:
        return RegistryAnswer(npi, Outcome.NOT_FOUND, checked_at)
    result = results[0]
    basic = result.get("basic") or {}
    taxonomies = result.get("taxonomies") or []
    primary = next((taxonomy for taxonomy in taxonomies if taxonomy.get("primary") is True), None)
    primary = primary or (taxonomies[0] if taxonomies else {})
    location = next((a for a in result.get("addresses") or [] if a.get("address_purpose") == "LOCATION"), None)
    return RegistryAnswer(
        npi,
        Outcome.FOUND,
        checked_at,
        enumeration_type=str(result.get("enumeration_type", "")),
        first_name=_text(basic, "first_name"),
        last_name=_text(basic, "last_name"),
        organisation_name=_text(basic, "organization_name"),
        credential=_text(basic, "credential"),
        taxonomy_code=_text(primary, "code"),
        taxonomy_description=_text(primary, "desc"),
        licence_state=_text(primary, "state"),
        licence_number=_text(primary, "license"),
        licence_states=tuple(sorted({_text(t, "state").upper() for t in taxonomies if _text(t, "state")})),
        practice_address=_address(location) if location else None,
        deactivated_on=_deactivated_on(basic),
        status=_text(basic, "status"),
    )


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value).strip()


def _address(record: dict) -> RegistryAddress:
    line = ", ".join(part for part in (_text(record, "address_1"), _text(record, "address_2")) if part)
    return RegistryAddress(
        line,
        _text(record, "city"),
        _text(record, "state"),
        _text(record, "postal_code"),
        _text(record, "country_code"),
    )


def _deactivated_on(basic: dict) -> date | None:
    """The deactivation date, unless a later reactivation undid it; the API writes dates as YYYY-MM-DD, the
    registry's file as MM/DD/YYYY."""
    deactivated, reactivated = _date(basic.get("deactivation_date")), _date(basic.get("reactivation_date"))
    if deactivated is None or (reactivated is not None and reactivated >= deactivated):
        return None
    return deactivated


def _date(value: object) -> date | None:
    for layout in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(str(value).strip(), layout).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Mismatch:
    """One way the registry's record differs from the listing, in words a moderator reads."""

    kind: str  # "name", "state", "taxonomy", "deactivated", "organisation", "not-found"
    words: str


def name_words(name: str) -> set[str]:
    """The words of a name, folded: no case, accents or punctuation ("O'Brien" is "obrien")."""
    return set(plain(name).split())


def state_code(state: str) -> str:
    """The state's code ("MA") from its code or name ("ma", "Massachusetts"); else the text in capitals."""
    return REGIONS.get(plain(state), state.strip().upper())


def registry_mismatches(
    answer: RegistryAnswer, *, listing_name: str, listing_states: list[str], deactivated_on_file: date | None = None
) -> list[Mismatch]:
    """How the registry's answer differs from a listing with that name and those locations' states. An answer
    that is not a record (the registry unavailable, the check off) flags nothing it cannot know."""
    if answer.outcome == Outcome.NOT_FOUND:
        words = "The registry has no record of this NPI (it lists active NPIs only: deactivated, or mistyped)."
        if deactivated_on_file:
            words += f" The registry's file says it was deactivated on {deactivated_on_file.isoformat()}."
        return [Mismatch("not-found", words)]
    if not answer.found:
        return []
    flags = []
    if answer.is_organisation:
        flags.append(Mismatch("organisation", f"An organisation's NPI ({answer.name}), not a practitioner's."))
    elif not _same_person(answer, listing_name):
        flags.append(
            Mismatch("name", f'Name differs: the registry says "{answer.name}", the listing "{listing_name}".')
        )
    registry_states = {state_code(answer.practice_address.state)} if answer.practice_address else set()
    registry_states |= set(answer.licence_states)
    registry_states.discard("")
    listed = sorted({state_code(state) for state in listing_states if state.strip()})
    if listed and registry_states and not registry_states & set(listed):
        flags.append(
            Mismatch(
                "state",
                f"State differs: the listing is in {', '.join(listed)}; the registry's practice address and licences "
                f"are in {', '.join(sorted(registry_states))}.",
            )
        )
    if answer.taxonomy_code and not answer.is_chiropractic:
        flags.append(
            Mismatch(
                "taxonomy",
                f"Not a chiropractor: the primary taxonomy is {answer.taxonomy_code} ({answer.taxonomy_description}).",
            )
        )
    if not answer.taxonomy_code:
        flags.append(Mismatch("taxonomy", "The registry lists no taxonomy for this NPI."))
    if not answer.is_active:
        since = f" on {answer.deactivated_on.isoformat()}" if answer.deactivated_on else ""
        flags.append(Mismatch("deactivated", f"The NPI is deactivated{since}."))
    return flags


def _same_person(answer: RegistryAnswer, listing_name: str) -> bool:
    # The registry's first and last names must be among the listing's words; the listing's other words (a title,
    # a middle name or initial, credentials) are ignored. Removing titles by a list would also remove surnames
    # such as Do or Ma.
    wanted = name_words(answer.first_name) | name_words(answer.last_name)
    return bool(name_words(answer.last_name)) and wanted <= name_words(listing_name)


def confirms_claim(answer: RegistryAnswer, *, listing_name: str) -> bool:
    """The registry confirms a claim: an active individual chiropractor of the listing's name."""
    return (
        answer.found
        and not answer.is_organisation
        and answer.is_chiropractic
        and answer.is_active
        and _same_person(answer, listing_name)
    )
