"""Every public and admin URL, walked as an anonymous patient, a signed-in non-staff user and staff (the
practitioner's area has its own matrix in test_practice_views.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import practitioner_at

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "admin:index",
    "admin:directory_practitioner_changelist",
    "admin:directory_practitioner_add",
    "admin:directory_technique_changelist",
    "admin:practice_revision_changelist",
    "admin:practice_claim_changelist",
    "admin:moderation_report_changelist",
    "admin:moderation_auditentry_changelist",
    "admin:directory_training_changelist",
    "admin:directory_unmetdemand_changelist",
    "admin:directory_practitioner_import",
    "admin:accounts_user_changelist",
    "admin:accounts_user_add",
]


@pytest.fixture
def public_urls() -> list[str]:
    practitioner = practitioner_at(42.36, -71.06)
    return [
        reverse("directory:home"),
        reverse("directory:search") + "?near=02108",
        practitioner.get_absolute_url(),
        reverse("moderation:report", kwargs={"pk": practitioner.pk, "slug": practitioner.slug}),
        reverse("practice:about"),
        reverse("api:practitioner-list") + "?near=02108",
        reverse("directory:technique-detail", kwargs={"slug": "nucca"}),
        reverse("sitemap"),
        reverse("robots"),
        reverse("healthz"),
        reverse("schema"),
        reverse("api-docs"),
    ]


ACCOUNT_ENTRANCES = ["account_login", "account_signup"]


@pytest.fixture
def member_client(client) -> Client:
    client.force_login(get_user_model().objects.create_user("patient@example.com", password="pw-123456789"))
    return client


@pytest.fixture
def staff_client(client) -> Client:
    client.force_login(get_user_model().objects.create_superuser("admin@example.com", password="pw-123456789"))
    return client


@pytest.mark.parametrize("who", ["client", "member_client", "staff_client"])
def test_public_pages_answer_everyone(request, who, public_urls):
    visitor = request.getfixturevalue(who)
    for url in public_urls:
        assert visitor.get(url).status_code == 200, url


@pytest.mark.parametrize("page", [*ACCOUNT_ENTRANCES, "account_reset_password"])
def test_anyone_can_reach_sign_in_sign_up_and_password_reset(client, page):
    assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", ACCOUNT_ENTRANCES)
def test_a_signed_in_user_is_sent_on_from_sign_in_and_sign_up_to_their_practice(member_client, page):
    response = member_client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"] == reverse("practice:dashboard")


@pytest.mark.parametrize("who", ["client", "member_client"])
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_the_admin_is_for_staff_only(request, who, page):
    response = request.getfixturevalue(who).get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_staff_can_use_the_admin(staff_client, page, public_urls):
    assert staff_client.get(reverse(page)).status_code == 200


def test_admin_changes_need_a_csrf_token():
    user = get_user_model().objects.create_superuser("admin@example.com", password="pw-123456789")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post(reverse("admin:directory_technique_add"), {"name": "New", "slug": "new"})
    assert response.status_code == 403


def test_the_api_is_read_only(client):
    api = reverse("api:practitioner-list")
    assert client.post(api, {}, content_type="application/json").status_code == 405
    assert client.delete(api).status_code == 405
