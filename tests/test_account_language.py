"""An account's language: the one it signed up in, changed on its own page, and the one allauth's e-mails to it
are written in (accounts.adapter, accounts.views.language)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "atlas-axis-occiput-42"
LANGUAGE_PAGE = "/accounts/language/"


def url_in(language: str, name: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def sign_up_on(client: Client, path: str, address: str) -> User:
    client.post(path, {"email": address, "password1": PASSWORD, "password2": PASSWORD})
    return User.objects.get(email=address)


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def test_signing_up_on_the_spanish_page_stores_spanish(client):
    assert url_in("es", "account_signup") == "/es/accounts/signup/"
    assert sign_up_on(client, "/es/accounts/signup/", "nueva@example.com").language == "es"


def test_signing_up_on_the_english_page_stores_english(client):
    assert sign_up_on(client, "/accounts/signup/", "new@example.com").language == "en"


def test_signing_up_on_the_french_page_stores_canadian_french(client):
    assert sign_up_on(client, "/fr-ca/accounts/signup/", "nouvelle@example.com").language == "fr-ca"


def test_the_language_page_is_under_each_prefix():
    assert url_in("en", "accounts:language") == LANGUAGE_PAGE
    assert url_in("es", "accounts:language") == "/es/accounts/language/"
    assert url_in("fr-ca", "accounts:language") == "/fr-ca/accounts/language/"


def test_the_account_page_links_to_the_language_page(client):
    user = UserFactory(language="es")
    client.force_login(user)
    page = client.get("/es/accounts/email/").content.decode()
    assert 'href="/es/accounts/language/"' in page
    assert "Español" in page  # the account's language, by its name


def test_the_language_page_offers_every_language_in_the_sites_layout(client):
    client.force_login(UserFactory())
    response = client.get(LANGUAGE_PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="site-header"' in page  # base.html
    assert '<label for="id_language">Language</label>' in page  # _field.html
    assert 'name="csrfmiddlewaretoken"' in page
    assert re.search(r'<form class="account-form" method="post" action="/accounts/language/"', page)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page)
    assert options == [("en", "English"), ("es", "Español"), ("fr-ca", "Français (Canada)")]
    assert re.search(r'<option value="en" selected>', page)


def test_changing_the_language_stores_it_and_goes_to_the_page_in_that_language(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(LANGUAGE_PAGE, {"language": "fr-ca"})
    assert response.status_code == 302
    assert response["Location"] == "/fr-ca/accounts/language/"
    user.refresh_from_db()
    assert user.language == "fr-ca"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page["Content-Language"] == "fr-ca"


def test_changing_back_to_english_goes_to_the_page_without_a_prefix(client):
    user = UserFactory(language="es")
    client.force_login(user)
    response = client.post("/es/accounts/language/", {"language": "en"})
    assert response["Location"] == LANGUAGE_PAGE
    user.refresh_from_db()
    assert user.language == "en"


def test_the_success_message_says_the_new_language(client):
    client.force_login(UserFactory())
    response = client.post(LANGUAGE_PAGE, {"language": "es"}, follow=True)
    assert response.redirect_chain == [("/es/accounts/language/", 302)]
    [message] = list(response.context["messages"])
    assert message.level_tag == "success"
    assert "Español" in str(message)


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    for path in (LANGUAGE_PAGE, "/es/accounts/language/"):
        response = client.get(path)
        assert response.status_code == 302
        login = url_in("es" if path.startswith("/es/") else "en", "account_login")
        assert response["Location"] == f"{login}?next={path}"
    response = client.post(LANGUAGE_PAGE, {"language": "es"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_get_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(LANGUAGE_PAGE, {"language": "es"}).status_code == 200
    user.refresh_from_db()
    assert user.language == "en"


def test_the_change_needs_the_csrf_token():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(LANGUAGE_PAGE, {"language": "es"}).status_code == 403
    user.refresh_from_db()
    assert user.language == "en"
    page = client.get(LANGUAGE_PAGE).content.decode()
    [token] = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    response = client.post(LANGUAGE_PAGE, {"language": "es", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "es"


@pytest.mark.parametrize("code", ["de", "fr", "", "es<script>"])
def test_a_language_the_site_does_not_have_is_a_field_error(client, code):
    user = UserFactory()
    client.force_login(user)
    response = client.post(LANGUAGE_PAGE, {"language": code})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="field field-language has-error"' in page
    assert 'id="id_language_errors"' in page
    user.refresh_from_db()
    assert user.language == "en"


def test_an_account_can_change_only_its_own_language(client):
    other = UserFactory(language="en")
    client.force_login(UserFactory())
    client.post(LANGUAGE_PAGE, {"language": "es", "email": other.email, "id": other.pk, "pk": other.pk})
    other.refresh_from_db()
    assert other.language == "en"


def test_a_reset_asked_on_the_english_page_links_to_the_accounts_language(client):
    """allauth builds the link from the request, under its language (/accounts/...); the adapter moves it to the
    account's (/fr-ca/accounts/...), the same page in that language."""
    UserFactory(email="marie@example.com", language="fr-ca")
    client.post("/accounts/password/reset/", {"email": "marie@example.com"})
    [message] = mail.outbox
    [link] = links_in(message.body)
    assert re.fullmatch(r"http://testserver/fr-ca/accounts/password/reset/key/\S+/", link)
    form = client.get(link)
    assert form.status_code == 302
    assert form["Location"].startswith("/fr-ca/accounts/password/reset/key/")
    assert client.get(form["Location"]).status_code == 200


def test_the_account_is_found_whatever_the_case_of_the_address(client):
    user = UserFactory(email="marie.tremblay@example.com", language="fr-ca")
    User.objects.filter(pk=user.pk).update(email="Marie.Tremblay@Example.com")  # as typed; allauth's is lower case
    client.post("/es/accounts/password/reset/", {"email": "MARIE.TREMBLAY@EXAMPLE.COM"})
    [message] = mail.outbox
    [link] = links_in(message.body)
    assert link.startswith("http://testserver/fr-ca/accounts/password/reset/key/")


def test_an_address_without_an_account_is_written_to_in_the_requests_language(client):
    client.post("/es/accounts/password/reset/", {"email": "nadie@example.com"})
    [message] = mail.outbox
    assert links_in(message.body) == ["http://testserver/es/accounts/signup/"]


def test_the_sign_up_confirmation_links_to_the_sign_up_pages_language(client):
    client.post("/es/accounts/signup/", {"email": "nueva@example.com", "password1": PASSWORD, "password2": PASSWORD})
    [message] = mail.outbox
    [link] = links_in(message.body)
    assert link.startswith("http://testserver/es/accounts/confirm-email/")


def test_an_english_account_still_gets_english(client):
    UserFactory(email="member@example.com")
    client.post("/accounts/password/reset/", {"email": "member@example.com"})
    [message] = mail.outbox
    assert message.subject == "Upper Cervical Directory: Reset your password"
    assert message.body.startswith("Hello from the Upper Cervical Directory.\n\nSomeone asked to reset the password")
    assert links_in(message.body)[0].startswith("http://testserver/accounts/password/reset/key/")


@pytest.mark.needs_catalogue
def test_a_password_reset_e_mail_to_a_french_account_is_in_french(client):
    UserFactory(email="marie@example.com", language="fr-ca")
    client.post("/accounts/password/reset/", {"email": "marie@example.com"})  # asked from the English page
    [message] = mail.outbox
    assert message.subject == "Répertoire du haut cervical\u00a0: Réinitialisez votre mot de passe"
    assert message.body.startswith("Bonjour de la part du Répertoire du haut cervical.\n\n")
    assert "Pour choisir un nouveau mot de passe, ouvrez ce lien\u00a0:" in message.body
    assert "Someone" not in message.body
    assert links_in(message.body)[0].startswith("http://testserver/fr-ca/accounts/password/reset/key/")


@pytest.mark.needs_catalogue
def test_the_language_page_and_its_message_are_in_the_new_language(client):
    client.force_login(UserFactory())
    response = client.post(LANGUAGE_PAGE, {"language": "es"}, follow=True)
    page = response.content.decode()
    assert "<h1>Su idioma</h1>" in page
    assert "Su idioma ahora es Español." in page
