"""The NPI registry client against a real loopback server speaking the NPPES API (no mocks), and the mismatch
flags between the registry's record and a listing."""

import time
from datetime import date

import pytest
import time_machine
from django.core.cache import cache

from moderation.registry import (
    FAILURE_CACHE_SECONDS,
    Outcome,
    RegistryAnswer,
    cache_key,
    confirms_claim,
    registry_lookup,
    registry_mismatches,
)
from tests.registry_server import npi, record, registry_server

JANE = npi("123456789")
OTHER = npi("198765432")


@pytest.fixture
def registry(settings):
    with registry_server(settings) as server:
        yield server


def flags(answer: RegistryAnswer, name: str = "Dr. Jane Q. Smith, DC", states: tuple = ("MA",)) -> list[str]:
    return [flag.kind for flag in registry_mismatches(answer, listing_name=name, listing_states=list(states))]


def test_a_found_chiropractor_is_read_from_the_registry(registry):
    registry.records[JANE] = record(JANE)
    answer = registry_lookup(JANE)
    assert answer.outcome == Outcome.FOUND
    assert (answer.first_name, answer.last_name, answer.credential) == ("JANE", "SMITH", "D.C.")
    assert (answer.taxonomy_code, answer.taxonomy_description) == ("111N00000X", "Chiropractor")
    assert (answer.licence_state, answer.licence_number) == ("MA", "DC-4567")
    assert str(answer.practice_address) == "1 TREMONT ST, Suite 200, BOSTON, MA 02108-1234, US"
    assert answer.is_active and answer.is_chiropractic and not answer.is_organisation
    assert answer.checked_at is not None
    assert registry.requests == [{"path": "/api/", "query": {"version": "2.1", "number": JANE}}]


def test_a_found_chiropractor_of_the_listings_name_and_state_is_not_flagged(registry):
    registry.records[JANE] = record(JANE)
    assert flags(registry_lookup(JANE)) == []


def test_a_non_chiropractor_is_flagged_with_the_registrys_taxonomy(registry):
    registry.records[JANE] = record(JANE, taxonomy=("225100000X", "Physical Therapist"))
    answer = registry_lookup(JANE)
    assert flags(answer) == ["taxonomy"]
    assert (
        "225100000X (Physical Therapist)"
        in registry_mismatches(answer, listing_name="Jane Smith", listing_states=[])[0].words
    )


def test_a_deactivated_npi_is_flagged_with_its_date(registry):
    registry.records[JANE] = record(JANE, status="D", deactivation_date="2023-05-01")
    answer = registry_lookup(JANE)
    assert answer.deactivated_on == date(2023, 5, 1) and not answer.is_active
    [flag] = registry_mismatches(answer, listing_name="Jane Smith", listing_states=["MA"])
    assert (flag.kind, flag.words) == ("deactivated", "The NPI is deactivated on 2023-05-01.")


def test_an_unknown_npi_is_not_found_and_flagged(registry):
    answer = registry_lookup(OTHER)
    assert answer.outcome == Outcome.NOT_FOUND
    assert flags(answer) == ["not-found"]


def test_an_unknown_npi_the_registry_file_deactivated_says_when(registry):
    [flag] = registry_mismatches(
        registry_lookup(OTHER), listing_name="Jane Smith", listing_states=[], deactivated_on_file=date(2022, 1, 3)
    )
    assert "deactivated on 2022-01-03" in flag.words


def test_errors_sent_as_http_200_make_the_registry_unavailable_in_its_own_words(registry):
    registry.body = '{"Errors": [{"description": "Too many requests: try again later", "field": "", "number": "99"}]}'
    answer = registry_lookup(JANE)
    assert answer.outcome == Outcome.UNAVAILABLE
    assert "Too many requests: try again later" in answer.problem
    assert answer.checked_at is not None
    assert flags(answer) == []


def test_an_http_500_makes_the_registry_unavailable(registry):
    registry.status = 500
    answer = registry_lookup(JANE)
    assert answer.outcome == Outcome.UNAVAILABLE
    assert "HTTP 500" in answer.problem


def test_a_registry_slower_than_the_timeout_is_unavailable_within_the_timeout(registry, settings):
    registry.records[JANE] = record(JANE)
    registry.delay = 3
    settings.NPPES_TIMEOUT_SECONDS = 0.3
    started = time.monotonic()
    answer = registry_lookup(JANE)
    assert time.monotonic() - started < 1.5
    assert answer.outcome == Outcome.UNAVAILABLE


@pytest.mark.parametrize(
    "body", ["<html>Service Unavailable</html>", '{"result_count": 1, "results": [{"numb', "[1, 2]", "[" * 100_000]
)
def test_an_answer_that_is_not_the_apis_json_makes_the_registry_unavailable(registry, body):
    registry.body = body
    assert registry_lookup(JANE).outcome == Outcome.UNAVAILABLE


def test_a_refused_connection_makes_the_registry_unavailable(registry, settings):
    settings.NPPES_API_URL = "http://127.0.0.1:9/api/"  # the discard port: nothing listens on loopback
    assert registry_lookup(JANE).outcome == Outcome.UNAVAILABLE


def test_a_found_answer_is_cached_so_a_second_look_asks_nothing(registry):
    registry.records[JANE] = record(JANE)
    first = registry_lookup(JANE)
    registry.records.clear()
    assert registry_lookup(JANE) == first
    assert len(registry.requests) == 1


def test_a_not_found_answer_is_cached_too(registry):
    registry_lookup(OTHER)
    registry_lookup(OTHER)
    assert len(registry.requests) == 1


def test_a_failure_is_retried_once_its_short_cache_ends(registry):
    registry.status = 503
    with time_machine.travel(time.time(), tick=False) as clock:
        assert registry_lookup(JANE).outcome == Outcome.UNAVAILABLE
        registry.status = 200
        registry.records[JANE] = record(JANE)
        assert registry_lookup(JANE).outcome == Outcome.UNAVAILABLE  # still the cached failure
        assert len(registry.requests) == 1
        clock.shift(FAILURE_CACHE_SECONDS + 1)
        assert registry_lookup(JANE).outcome == Outcome.FOUND
    assert len(registry.requests) == 2


def test_an_npi_failing_its_check_digit_is_never_asked(registry):
    answer = registry_lookup("1234567890")
    assert answer.outcome == Outcome.INVALID
    assert registry.requests == []


def test_a_blank_registry_url_switches_the_check_off(settings):
    settings.NPPES_API_URL = ""
    assert registry_lookup(JANE).outcome == Outcome.SWITCHED_OFF
    assert cache.get(cache_key(JANE)) is None


def found(**fields) -> RegistryAnswer:
    values = {"first_name": "JANE", "last_name": "SMITH", "taxonomy_code": "111N00000X", "status": "A",
              "enumeration_type": "NPI-1", "licence_states": ("MA",)}  # fmt: skip
    return RegistryAnswer(JANE, Outcome.FOUND, **{**values, **fields})


@pytest.mark.parametrize(
    "listing_name",
    ["Jane Smith", "Dr. Jane Q. Smith, D.C.", "DR JANE SMITH DCM", "smith, jane", "Jane  Smith (NUCCA)"],
)
def test_the_name_matches_whatever_the_case_punctuation_titles_and_credentials(listing_name):
    assert flags(found(), name=listing_name) == []


def test_a_different_name_is_flagged():
    assert flags(found(), name="Dr. John Smith") == ["name"]
    assert flags(found(), name="Dr. Jane Smithson") == ["name"]


def test_accents_apostrophes_and_hyphens_are_read_alike():
    assert flags(found(first_name="RENEE", last_name="O'BRIEN-LEE"), name="Dr. Ren\u00e9e O\u2019Brien-Lee") == []


def test_surnames_that_look_like_titles_or_credentials_still_count():
    assert flags(found(first_name="ANH", last_name="DO"), name="Dr. Anh Do, DC") == []
    assert flags(found(first_name="ANH", last_name="DO"), name="Dr. Anh Nguyen, DC") == ["name"]


def test_a_state_matching_a_licence_or_the_practice_address_is_not_flagged():
    assert flags(found(licence_states=("NH", "MA")), states=("Massachusetts",)) == []
    assert flags(found(licence_states=("NH", "MA")), states=("ca", "ma")) == []


def test_a_listing_in_no_state_the_registry_names_is_flagged():
    answer = found(licence_states=("NH",))
    [flag] = registry_mismatches(answer, listing_name="Jane Smith", listing_states=["MA", "RI"])
    assert flag.kind == "state"
    assert flag.words == (
        "State differs: the listing is in MA, RI; the registry's practice address and licences are in NH."
    )


def test_a_listing_without_locations_has_no_state_to_compare():
    assert flags(found(licence_states=("NH",)), states=()) == []


def test_an_organisations_npi_is_flagged():
    answer = found(enumeration_type="NPI-2", first_name="", last_name="", organisation_name="SPINE CENTER LLC")
    assert flags(answer) == ["organisation"]


def test_a_registry_that_was_unavailable_flags_nothing():
    assert flags(RegistryAnswer(JANE, Outcome.UNAVAILABLE, problem="HTTP 500")) == []


def test_the_registry_confirms_an_active_chiropractor_of_the_listings_name():
    assert confirms_claim(found(), listing_name="Dr. Jane Q. Smith")


@pytest.mark.parametrize(
    "answer",
    [
        found(first_name="JOHN"),
        found(taxonomy_code="225100000X"),
        found(status="D"),
        found(enumeration_type="NPI-2", organisation_name="JANE SMITH LLC"),
        RegistryAnswer(JANE, Outcome.NOT_FOUND),
        RegistryAnswer(JANE, Outcome.UNAVAILABLE),
    ],
    ids=["another-name", "not-a-chiropractor", "deactivated", "organisation", "not-found", "unavailable"],
)
def test_the_registry_confirms_no_claim_otherwise(answer):
    assert not confirms_claim(answer, listing_name="Dr. Jane Q. Smith")
