"""When two e-mail addresses are the same address: one normalisation, done in Python.

Never the database's case-insensitive match: PostgreSQL's UPPER() folds Unicode, so an address spelled with a
dotless i (U+0131) or a long s (U+017F) would equal the one spelled with i or s, and an account at the look-alike
domain, which its owner can verify, would be taken for the listing's own address."""

from __future__ import annotations

import idna
from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser

ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def email_canonical(address: str) -> str | None:
    """The address with ASCII letters in lower case and its domain in IDNA 2008 form (punycode for a Unicode
    domain), or None when it is not an address that could match any other (no @, or a domain IDNA refuses:
    upper-case or compatibility forms such as full-width letters, the Kelvin sign or the long s)."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        return None
    try:
        ascii_domain = idna.encode(domain.translate(ASCII_LOWER)).decode("ascii")
    except idna.IDNAError:
        return None
    return f"{local.translate(ASCII_LOWER)}@{ascii_domain}"


def emails_match(first: str, second: str) -> bool:
    """Whether two addresses are the same mailbox by email_canonical (an address that has none matches none)."""
    canonical = email_canonical(first)
    return canonical is not None and canonical == email_canonical(second)


def has_verified_email(user: AbstractBaseUser, address: str) -> bool:
    """Whether `user` has verified `address` (compared by email_canonical, never by the database)."""
    if not address:
        return False
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return any(emails_match(mine, address) for mine in verified)
