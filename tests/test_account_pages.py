"""The account pages and the e-mails allauth sends, in the directory's voice; confirming an e-mail address signs in."""

import html
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import ACCOUNT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "atlas-axis-occiput-42"
PROPER_NOUNS = {"Upper", "Cervical", "Directory"}


def link_in(body: str) -> str:
    [url] = re.findall(r"https?://\S+/accounts/\S+/", body)
    return url


def visible_text(page: str) -> str:
    """What a person reads: the page without its scripts, styles and tags (attributes go with the tags)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def heading(page: str) -> str:
    [h1] = re.findall(r"<h1\b[^>]*>(.*?)</h1>", page, flags=re.S)
    return visible_text(h1)


def says_email(text: str) -> list[str]:
    return re.findall(r".{0,30}(?<!e-)email.{0,30}", text, flags=re.I)


def sign_up(client: Client, address: str = "new@example.com") -> str:
    """Signs up in `client`; returns the confirmation link mailed."""
    client.post(reverse("account_signup"), {"email": address, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    return link_in(mail.outbox[-1].body)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def account_pages(client: Client, settings) -> dict[str, str]:
    """Every account page a practitioner can reach, by name: its HTML."""
    pages: dict[str, str] = {}

    def get(name: str, url: str, status: int = 200, **kwargs) -> None:
        response = client.get(url, **kwargs)
        assert response.status_code == status, (name, response.status_code)
        pages[name] = response.content.decode()

    get("login", reverse("account_login"))
    get("signup", reverse("account_signup"))
    get("password reset", reverse("account_reset_password"))
    get("password reset done", reverse("account_reset_password_done"))
    get("verification sent", reverse("account_email_verification_sent"))
    get("account inactive", reverse("account_inactive"))
    get("password reset from key done", reverse("account_reset_password_from_key_done"))
    get("confirm e-mail, bad link", reverse("account_confirm_email", args=["not-a-key"]))
    get("password reset, bad link", reverse("account_reset_password_from_key", args=["x", "set-password"]))

    confirm_url = sign_up(client)
    get("confirm e-mail", confirm_url)
    client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})  # no such account
    UserFactory(email="forgot@example.com")
    client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})
    form_url = client.get(link_in(mail.outbox[-1].body))["Location"]
    get("password reset from key", form_url)

    user = UserFactory(email="member@example.com")
    client.force_login(user)
    get("logout", reverse("account_logout"))
    get("password change", reverse("account_change_password"))
    get("e-mail addresses", reverse("account_email"))
    get("reauthenticate", reverse("account_reauthenticate"))
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    get("password set", reverse("account_set_password"))
    client.logout()

    settings.ACCOUNT_RATE_LIMITS = {"signup": "1/m/ip"}
    sign_up(client, "first@example.com")
    response = client.post(reverse("account_signup"), {"email": "second@example.com"})
    assert response.status_code == 429
    pages["rate limit"] = response.content.decode()
    return pages


def test_every_account_page_has_a_sentence_case_heading(client, settings):
    for name, page in account_pages(client, settings).items():
        words = heading(page).split()
        capitalised = [word for word in words[1:] if word[0].isupper() and word not in PROPER_NOUNS]
        assert not capitalised, f"{name}: {heading(page)!r}"


def test_no_account_page_says_email_without_the_hyphen(client, settings):
    for name, page in account_pages(client, settings).items():
        assert not says_email(visible_text(page)), f"{name}: {says_email(visible_text(page))}"


def test_no_account_form_field_carries_allauths_placeholder_in_its_own_words(client, settings):
    """The label says what to type; allauth's placeholders repeated it as "Email address", "New Password"."""
    for name, page in account_pages(client, settings).items():
        assert re.findall(r'placeholder="([^"]*)"', page) == [], name


def test_no_form_error_or_message_says_email_without_the_hyphen(client):
    UserFactory(email="member@example.com")
    pages = [
        client.post(reverse("account_login"), {"login": "member@example.com", "password": "wrong"}),
        client.post(reverse("account_login"), {"login": "not-an-address", "password": "wrong"}),
        client.post(reverse("account_signup"), {"email": "", "password1": "x", "password2": "y"}),
        client.post(reverse("account_reset_password"), {"email": "nonsense"}),
    ]
    user = UserFactory(email="other@example.com")
    client.force_login(user)
    pages.append(client.post(reverse("account_email"), {"action_add": "", "email": "other@example.com"}))
    pages.append(client.post(reverse("account_email"), {"action_add": "", "email": "extra@example.com"}, follow=True))
    for response in pages:
        text = visible_text(response.content.decode())
        assert not says_email(text), says_email(text)


def test_the_emails_allauth_sends_say_e_mail(client):
    sign_up(client)  # the confirmation
    UserFactory(email="taken@example.com")
    sign_up(Client(), "taken@example.com")  # the address has an account already
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})  # no such account
    UserFactory(email="forgot@example.com")
    client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})  # the reset link
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        text = re.sub(r"https?://\S+", "", message.subject + "\n" + message.body)  # allauth's URLs stay
        assert not says_email(text), (message.subject, message.body)
        words = message.subject.removeprefix("Upper Cervical Directory: ").split()
        assert not [word for word in words[1:] if word[0].isupper() and word not in PROPER_NOUNS], message.subject


def test_pages_that_offer_help_give_the_contact_address_from_settings(client, settings):
    settings.CONTACT_EMAIL = "help@directory.example"
    for url in (
        reverse("account_reset_password"),
        reverse("account_reset_password_done"),
        reverse("account_email_verification_sent"),
        reverse("account_inactive"),
        reverse("account_confirm_email", args=["not-a-key"]),
    ):
        page = client.get(url).content.decode()
        assert '<a href="mailto:help@directory.example">help@directory.example</a>' in page, url
        assert "contact us" not in visible_text(page).lower() or "help@directory.example" in page


def test_the_contact_address_defaults_to_the_sending_address():
    from config.settings import base

    assert base.CONTACT_EMAIL == "directory@localhost"


def test_confirming_in_another_browser_signs_in_and_lands_on_the_dashboard(client):
    confirm_url = sign_up(client)
    other = Client()
    assert other.get(confirm_url).status_code == 200
    assert not signed_in(other)  # a GET signs nobody in
    response = other.post(confirm_url)
    assert response["Location"] == reverse("practice:dashboard")
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert other.get(reverse("practice:dashboard")).status_code == 200


def test_a_confirmation_link_used_twice_signs_nobody_in_the_second_time(client):
    confirm_url = sign_up(client)
    assert signed_in_after_post(Client(), confirm_url)
    third = Client()
    third.post(confirm_url)
    assert not signed_in(third)
    assert third.get(reverse("practice:dashboard")).status_code == 302


def signed_in_after_post(client: Client, url: str) -> bool:
    client.post(url)
    return signed_in(client)


def test_confirming_in_the_browser_that_signed_up_still_signs_in(client):
    confirm_url = sign_up(client)
    response = client.post(confirm_url)
    assert response["Location"] == reverse("practice:dashboard")
    assert client.get(reverse("practice:dashboard")).status_code == 200


def test_confirming_an_added_address_in_another_browser_signs_nobody_in(client):
    user = UserFactory(email="member@example.com")
    client.force_login(user)
    client.post(reverse("account_email"), {"action_add": "", "email": "second@example.com"})
    confirm_url = link_in(mail.outbox[-1].body)
    other = Client()
    other.post(confirm_url)
    assert EmailAddress.objects.get(email="second@example.com").verified
    assert not signed_in(other)


def test_confirming_for_an_inactive_account_signs_nobody_in(client):
    confirm_url = sign_up(client)
    user = EmailAddress.objects.get(email="new@example.com").user
    user.is_active = False
    user.save()
    other = Client()
    other.post(confirm_url)
    assert not signed_in(other)


def test_signing_in_still_works_with_the_reworded_form(client):
    UserFactory(email="member@example.com")
    response = client.post(reverse("account_login"), {"login": "member@example.com", "password": ACCOUNT_PASSWORD})
    assert response["Location"] == reverse("practice:dashboard")


def test_the_too_many_attempts_page_gives_the_contact_address(client, settings):
    settings.CONTACT_EMAIL = "help@directory.example"
    settings.ACCOUNT_RATE_LIMITS = {"signup": "1/m/ip"}
    sign_up(client, "first@example.com")
    response = client.post(reverse("account_signup"), {"email": "second@example.com"})
    assert response.status_code == 429
    assert 'href="mailto:help@directory.example"' in response.content.decode()
