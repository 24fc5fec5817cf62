"""Accounts: sign-up with a verified e-mail address, signing in by e-mail, password reset, rate limits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.factories import ACCOUNT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "atlas-axis-occiput-42"


def link_in(body: str) -> str:
    [url] = re.findall(r"https?://\S+/accounts/\S+/", body)
    return url


def test_signing_up_sends_a_verification_link_that_verifies_and_signs_in(client):
    response = client.post(
        reverse("account_signup"), {"email": "New@Example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("practice:dashboard")).status_code == 302  # not in before verifying
    [email] = mail.outbox
    assert email.to == ["new@example.com"]  # allauth keeps addresses in lower case
    assert not email.alternatives
    assert "Upper Cervical Directory" in email.body
    assert "You get this e-mail because someone (we hope you) used this address" in email.body
    confirm_url = link_in(email.body)
    assert confirm_url.startswith("http://testserver/accounts/confirm-email/")
    assert client.get(confirm_url).status_code == 200  # a page asking to confirm; a GET changes nothing
    assert not EmailAddress.objects.get().verified
    response = client.post(confirm_url)
    assert EmailAddress.objects.get().verified
    assert response["Location"] == reverse("practice:dashboard")
    assert client.get(reverse("practice:dashboard")).status_code == 200


def test_an_unverified_account_cannot_sign_in(client):
    UserFactory(email="unverified@example.com", verified=False)
    response = client.post(reverse("account_login"), {"login": "unverified@example.com", "password": ACCOUNT_PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("practice:dashboard")).status_code == 302
    assert "confirm-email" in mail.outbox[0].body


def test_an_email_address_can_sign_up_only_once(client):
    UserFactory(email="taken@example.com")
    client.post(
        reverse("account_signup"), {"email": "TAKEN@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert get_user_model().objects.count() == 1


def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    UserFactory(email="forgot@example.com")
    client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})
    reset_url = link_in(mail.outbox[0].body)
    form_url = client.get(reset_url)["Location"]  # allauth swaps the key into the session, then shows the form
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.login(email="forgot@example.com", password=NEW_PASSWORD)


def test_failed_sign_ins_are_rate_limited_per_account(client):
    UserFactory(email="target@example.com")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "target@example.com", "password": "wrong-password"})
    response = client.post(reverse("account_login"), {"login": "target@example.com", "password": ACCOUNT_PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_ups_are_rate_limited_per_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/m/ip"}
    statuses = [
        client.post(
            reverse("account_signup"),
            {"email": f"person{n}@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert get_user_model().objects.count() == 2


def test_createsuperuser_runs_without_input_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW_PASSWORD)
    call_command("createsuperuser", interactive=False, verbosity=0)
    user = get_user_model().objects.get()
    assert (user.email, user.is_staff, user.is_superuser) == ("root@example.com", True, True)
    assert user.check_password(NEW_PASSWORD)


def test_the_sign_in_page_uses_the_sites_layout(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "Skip to main content" in page
    assert '<label for="id_login">' in page
    title = page.split("<title>")[1].split("</title>")[0]
    assert " ".join(title.split()) == "Sign in | Upper Cervical Directory"


class CountingHasher(PBKDF2PasswordHasher):
    """Production's hasher, counting the passwords it hashes (tests/test_accounts.py)."""

    hashed = 0

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        CountingHasher.hashed += 1
        return super().encode(password, salt, iterations)


def test_signing_up_with_a_taken_address_hashes_the_password_as_a_new_one_does(client, settings):
    """Counted, not timed (timings on a shared machine are noise): before, a taken address answered in a third of
    the time, because it hashed no password; the hash is what the time is."""
    settings.PASSWORD_HASHERS = ["tests.test_accounts.CountingHasher"]
    UserFactory(email="taken@example.com")

    def hashes_to_sign_up(email: str) -> int:
        data = {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        before = CountingHasher.hashed
        assert client.post(reverse("account_signup"), data).status_code == 302
        return CountingHasher.hashed - before

    new = hashes_to_sign_up("new@example.com")
    assert new >= 1
    assert hashes_to_sign_up("taken@example.com") == new
