"""Phone numbers with Google's libphonenumber (the phonenumbers package): checked when typed or imported,
stored in one form, the one patients read (the national format in North America, "(617) 555-0100 ext. 12";
the international one elsewhere), and linked as RFC 3966 URIs ("tel:+1-617-555-0100;ext=12")."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat

DEFAULT_REGION = "US"  # Canada shares the North American numbering plan: "US" reads its numbers the same way
EXAMPLE = "(617) 555-0100"


class PhoneError(ValueError):
    """A phone number that cannot be stored; the message is shown to whoever typed it."""


def _parsed(text: str, region: str = DEFAULT_REGION) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


# The fewest digits two numbers can be written with: the shortest anywhere are a 2-digit country code and 4
# digits (+49 and +43 numbers can be that short), so 6 each. With fewer digits the text holds one number at most
# and the matcher, half the cost of reading a number (an import reads two a row), is not asked.
# tests/test_phones.py derives the bound from libphonenumber's metadata and tries it against the matcher.
TWO_NUMBERS_MIN_DIGITS = 12


def _may_hold_two(text: str) -> bool:
    return sum(character.isdigit() for character in text) >= TWO_NUMBERS_MIN_DIGITS


def phone_normalized(text: str, region: str = DEFAULT_REGION) -> str:
    """The one stored form of a phone number typed or imported in any common way; "" for no number."""
    text = " ".join(text.split())
    if not text:
        return ""
    found = sum(1 for _ in phonenumbers.PhoneNumberMatcher(text, region)) if _may_hold_two(text) else 1
    if found > 1:
        raise PhoneError(f"Enter one phone number, not {found}.")
    number = _parsed(text, region)
    if number is None or not phonenumbers.is_valid_number(number):
        raise PhoneError(f"Enter one phone number, such as {EXAMPLE} or {EXAMPLE} ext. 12.")
    return _formatted(number)


def _formatted(number: phonenumbers.PhoneNumber) -> str:
    if number.country_code == 1:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


@dataclass(frozen=True)
class PhoneShown:
    """A stored number as a page shows it: the text patients read and its tel: link ("" when it cannot be
    dialled)."""

    text: str
    uri: str


# Results and profiles show the same numbers again and again; reading one costs about 35 us (libphonenumber's
# parse, validity and two formats), which is a tenth of a result card. Bounded: about 2 MB at most.
@functools.lru_cache(maxsize=10_000)
def phone_shown(phone: str) -> PhoneShown:
    """A number as patients read it ("(617) 555-0100 ext. 12"), whatever form it was stored in, and as a link:
    "tel:+1-617-555-0100;ext=12" (RFC 3966), or "" for one that is no valid number (a link would dial something
    else). One reading of the number for both."""
    number = _parsed(phone) if phone else None
    if number is None:
        return PhoneShown(phone, "")
    valid = phonenumbers.is_valid_number(number)
    return PhoneShown(
        _formatted(number), phonenumbers.format_number(number, PhoneNumberFormat.RFC3966) if valid else ""
    )


def phone_display(phone: str) -> str:
    """A number as patients read it ("(617) 555-0100 ext. 12"), whatever form it was stored in."""
    return phone_shown(phone).text


def phone_uri(phone: str) -> str:
    """A stored number as a link: "tel:+1-617-555-0100;ext=12" (RFC 3966); "" for one that is no valid number
    (a link would dial something else)."""
    return phone_shown(phone).uri
