"""Behind the proxy, each client has its own rate-limit bucket: config.network.client_address, which every
limiter counts by (allauth's sign-in, sign-up and password reset, the patients' reports, the admin's sign-in,
the API throttle)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from config.network import client_address
from tests.factories import ACCOUNT_PASSWORD, PractitionerFactory, UserFactory

PROXY = "10.0.0.1"
CLIENT_A, CLIENT_B = "203.0.113.5", "198.51.100.7"
NEW_PASSWORD = "atlas-axis-occiput-42"


def via_proxy(client_ip: str, forged: str = "") -> dict[str, str]:
    """The request's address as our proxy passes it on: what the client sent, then the address it came from."""
    forwarded = f"{forged}, {client_ip}" if forged else client_ip
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def address_of(**meta: str) -> str:
    return client_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_address_is_the_connections_whatever_x_forwarded_for_says(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert address_of(REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR=CLIENT_B) == CLIENT_A


def test_behind_one_proxy_the_address_is_the_one_the_proxy_saw_not_what_the_client_forged(behind_one_proxy):
    assert address_of(**via_proxy(CLIENT_A)) == CLIENT_A
    assert address_of(**via_proxy(CLIENT_A, forged=CLIENT_B)) == CLIENT_A


def test_behind_two_proxies_the_address_is_the_second_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{CLIENT_B}, {CLIENT_A}, 10.0.0.2") == CLIENT_A
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A) == CLIENT_A  # fewer entries: no 500


@pytest.mark.parametrize("forwarded", ["not-an-address", "", " , "])
def test_an_x_forwarded_for_that_names_no_address_leaves_the_connections(behind_one_proxy, forwarded):
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded) == PROXY


@pytest.mark.django_db
def test_behind_the_proxy_a_client_locked_out_of_signing_in_leaves_another_signing_in(
    client, behind_one_proxy, settings
):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    UserFactory(email="a@example.com")
    UserFactory(email="b@example.com")
    url = reverse("account_login")
    for n in range(3):
        client.post(url, {"login": f"nobody{n}@example.com", "password": "wrong"}, **via_proxy(CLIENT_A))
    locked = client.post(url, {"login": "a@example.com", "password": ACCOUNT_PASSWORD}, **via_proxy(CLIENT_A))
    assert "_auth_user_id" not in client.session
    assert locked.status_code in (200, 429)
    signed_in = client.post(url, {"login": "b@example.com", "password": ACCOUNT_PASSWORD}, **via_proxy(CLIENT_B))
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_sign_up_allowance(client, behind_one_proxy, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "1/m/ip"}

    def sign_up(n: int, client_ip: str, forged: str = "") -> int:
        data = {"email": f"person{n}@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        return client.post(reverse("account_signup"), data, **via_proxy(client_ip, forged)).status_code

    assert [sign_up(1, CLIENT_A), sign_up(2, CLIENT_A), sign_up(3, CLIENT_A, forged=CLIENT_B)] == [302, 429, 429]
    assert sign_up(4, CLIENT_B) == 302


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_password_reset_allowance(client, behind_one_proxy, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "1/m/ip"}
    url = reverse("account_reset_password")
    statuses = [client.post(url, {"email": f"x{n}@example.com"}, **via_proxy(CLIENT_A)).status_code for n in (1, 2)]
    assert statuses == [302, 429]
    assert client.post(url, {"email": "x3@example.com"}, **via_proxy(CLIENT_B)).status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_report_allowance(client, behind_one_proxy, settings):
    settings.ACCOUNT_RATE_LIMITS = {"report": "1/h/ip"}
    listing = PractitionerFactory()
    url = reverse("moderation:report", kwargs={"pk": listing.pk, "slug": listing.slug})
    statuses = [client.post(url, {"problem": "other"}, **via_proxy(CLIENT_A)).status_code for _ in range(2)]
    assert statuses == [302, 429]
    assert client.post(url, {"problem": "other"}, **via_proxy(CLIENT_B)).status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_admin_sign_in_allowance(client, behind_one_proxy, settings):
    settings.ACCOUNT_RATE_LIMITS = {"admin_login_failed": "2/m/ip"}
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(2):
        client.post(url, {"username": "nobody@example.com", "password": "wrong"}, **via_proxy(CLIENT_A))
    data = {"username": "staff@example.com", "password": ACCOUNT_PASSWORD}
    assert client.post(url, data, **via_proxy(CLIENT_A)).status_code == 429
    assert client.post(url, data, **via_proxy(CLIENT_B)).status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_the_api_throttles_each_client_on_its_own(client, behind_one_proxy, settings):
    settings.API_ANON_RATE = "2/min"
    url = reverse("api:practitioner-list")
    statuses = [client.get(url, **via_proxy(CLIENT_A)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(url, **via_proxy(CLIENT_B)).status_code == 200
