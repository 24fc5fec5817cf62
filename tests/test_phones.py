"""Phone numbers: one stored form, shown in the national format with an extension, linked as RFC 3966; the API
gives the phone the page shows."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata

from directory.phones import (
    TWO_NUMBERS_MIN_DIGITS,
    PhoneError,
    phone_display,
    phone_normalized,
    phone_shown,
    phone_uri,
)
from tests.factories import LocationFactory, PractitionerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored", "link"),
    [
        ("(617) 555-0100 ext. 12", "(617) 555-0100 ext. 12", "tel:+1-617-555-0100;ext=12"),
        ("617.555.0100 x12", "(617) 555-0100 ext. 12", "tel:+1-617-555-0100;ext=12"),
        ("+1 (403) 555-0199", "(403) 555-0199", "tel:+1-403-555-0199"),
        ("1-800-555-0199", "(800) 555-0199", "tel:+1-800-555-0199"),
        ("+44 20 7946 0958", "+44 20 7946 0958", "tel:+44-20-7946-0958"),
    ],
)
def test_a_number_is_stored_shown_and_linked_in_one_form(typed, stored, link):
    assert phone_normalized(typed) == stored
    assert phone_display(stored) == stored
    assert phone_uri(stored) == link


@pytest.mark.parametrize("typed", ["555-0100", "call us", "(617) 555-0100 / (617) 555-0101", "12"])
def test_anything_but_one_number_is_refused(typed):
    with pytest.raises(PhoneError):
        phone_normalized(typed)


def test_the_profile_and_the_results_link_the_extension_as_rfc_3966(client):
    practitioner = PractitionerFactory(phone="(617) 555-0100 ext. 12")
    LocationFactory(practitioner=practitioner, phone="")
    profile = client.get(practitioner.get_absolute_url()).content.decode()
    assert '<a href="tel:+1-617-555-0100;ext=12">(617) 555-0100 ext. 12</a>' in profile
    results = client.get("/search/", {"near": "02108"}).content.decode()
    assert '<a href="tel:+1-617-555-0100;ext=12">(617) 555-0100 ext. 12</a>' in results
    (result,) = client.get("/api/v1/practitioners/", {"near": "02108"}).json()["results"]
    assert result["location"]["phone"] == "(617) 555-0100 ext. 12"


def test_a_number_that_cannot_be_dialled_is_shown_without_a_link(client):
    practitioner = PractitionerFactory(phone="555-0100")
    LocationFactory(practitioner=practitioner, phone="")
    profile = client.get(practitioner.get_absolute_url()).content.decode()
    assert "Phone: 555-0100" in profile and 'href="tel:' not in profile


def test_the_practitioners_form_checks_and_stores_each_locations_phone_too():
    from practice.forms import LocationForm

    refused = LocationForm(data={"phone": "(617) 555-0100 / (617) 555-0101"})
    assert not refused.is_valid() and refused.errors["phone"] == ["Enter one phone number, not 2."]
    accepted = LocationForm(data={"phone": "617.555.0100 x12"})
    accepted.is_valid()
    assert "phone" not in accepted.errors and accepted.cleaned_data["phone"] == "(617) 555-0100 ext. 12"


def test_two_numbers_need_at_least_the_digits_the_matcher_is_skipped_below():
    """From libphonenumber's own metadata: the shortest possible number in any region, with its country code."""
    shortest = min(
        len(str(metadata.country_code)) + min(length for length in metadata.general_desc.possible_length if length > 0)
        for metadata in map(PhoneMetadata.metadata_for_region, phonenumbers.SUPPORTED_REGIONS)
    )
    assert 2 * shortest >= TWO_NUMBERS_MIN_DIGITS


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["+", "(", ")", "-", ".", " ", " or ", " ext. ", "/", ", ", "1", "0", "4", "9", "6", "7"]),
        max_size=30,
    ).filter(lambda parts: sum(character.isdigit() for character in "".join(parts)) < TWO_NUMBERS_MIN_DIGITS)
)
def test_below_that_many_digits_the_matcher_never_finds_two_numbers(parts):
    text = "".join(parts)
    assert sum(1 for _ in phonenumbers.PhoneNumberMatcher(text, "US")) <= 1


@pytest.mark.parametrize(
    "typed", ["+49 3020 +49 3021", "(617) 555-0100 / (617) 555-0199", "+43 1234 or +43 5678", "6175550100 6175550199"]
)
def test_two_numbers_are_still_refused_however_short(typed):
    with pytest.raises(PhoneError, match="Enter one phone number"):
        phone_normalized(typed)


@pytest.mark.parametrize(
    "stored", ["(617) 555-0100 ext. 12", "+44 20 7946 0958", "555-0100", "617.555.0100", "call us", ""]
)
def test_the_text_and_the_link_of_a_number_are_read_together_as_each_alone(stored):
    shown = phone_shown(stored)
    number = phonenumbers.parse(stored, "US") if any(character.isdigit() for character in stored) else None
    dialable = number is not None and phonenumbers.is_valid_number(number)
    assert shown.uri == (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966) if dialable else "")
    assert (shown.text, shown.uri) == (phone_display(stored), phone_uri(stored))
