"""The US National Provider Identifier: 10 digits whose last is a Luhn check digit over "80840" + the first 9."""

NPI_PREFIX = "80840"  # the health-industry issuer prefix the check digit is computed with (45 CFR 162.406)


def luhn_check_digit(digits: str) -> int:
    """The digit that, appended to `digits`, makes the Luhn sum a multiple of 10."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 0:  # doubled: these stand in odd places once the check digit is appended
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def is_valid_npi(npi: str) -> bool:
    return len(npi) == 10 and npi.isascii() and npi.isdigit() and luhn_check_digit(NPI_PREFIX + npi[:9]) == int(npi[9])
