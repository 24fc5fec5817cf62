"""The NPI check digit (Luhn over the prefix 80840 and the first nine digits)."""

import pytest

from directory.npi import is_valid_npi

FULL_WIDTH = "1234567893".translate({ord(digit): ord(digit) + 0xFF10 - 0x30 for digit in "0123456789"})


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126"])
def test_published_example_npis_are_valid(npi):
    assert is_valid_npi(npi)


@pytest.mark.parametrize(
    "npi",
    ["1234567890", "1234567894", "123456789", "12345678930", "12345678a3", "", FULL_WIDTH, "0000000000"],
)
def test_a_wrong_check_digit_length_or_character_is_invalid(npi):
    assert not is_valid_npi(npi)


def test_changing_any_single_digit_breaks_the_check():
    valid = "1234567893"
    for position in range(10):
        for digit in "0123456789":
            changed = valid[:position] + digit + valid[position + 1 :]
            assert is_valid_npi(changed) == (changed == valid)
