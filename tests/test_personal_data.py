"""A practitioner's own data: the download of everything the directory holds about them, and closing the account
(their listings released or unpublished, as they choose; the audit trail keeps who did what by number only)."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from directory.answers import public_version
from directory.models import Practitioner
from moderation import services as desk
from moderation.models import AuditEntry, Report
from practice import services
from practice.listing import listing_values
from practice.models import Claim, Revision
from tests.factories import ACCOUNT_PASSWORD, PractitionerFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db

DATA = reverse("practice:account_data")
CLOSE = reverse("practice:account_close")


@pytest.fixture
def listing(owner) -> Practitioner:
    return owned_listing(owner, name="Dr. Ada Atlas", bio="Blair since 2009.")


@pytest.fixture
def history(listing, owner, desk_moderator):
    """An edit waiting, a claim of another listing, a patient's resolved report and a moderator's decisions."""
    proposed = listing_values(listing)
    proposed["practitioner"]["bio"] = "Blair and NUCCA."
    services.listing_edit(practitioner=listing, editor=owner, proposed=proposed, accepting_new_patients=True)
    services.claim_submit(
        practitioner=PractitionerFactory(name="Dr. Other Clinic"), claimant=owner, note="I work there.", npi="",
        email_verified=False,
    )  # fmt: skip
    report = desk.report_submit(
        practitioner=listing, problem="wrong_phone", details="Rings a bakery.", email="patient@example.net"
    )
    desk.report_resolve(report=report, moderator=desk_moderator, note="Phone corrected.")
    desk.listing_unpublish(practitioner=listing, moderator=desk_moderator, reason="Checking the address.")
    desk.listing_publish(practitioner=listing, moderator=desk_moderator)


def download(client: Client) -> dict:
    response = client.get(DATA)
    assert response.status_code == 200
    return json.loads(response.content)


class TestTheDownload:
    def test_it_holds_the_account_listings_edits_claims_reports_and_history(self, owner_client, owner, history):
        data = download(owner_client)
        assert data["account"]["email"] == "owner@example.com"
        assert data["account"]["email_addresses"] == [{"email": "owner@example.com", "verified": True, "primary": True}]
        [listing] = data["listings"]
        assert (listing["name"], listing["bio"], listing["status"]) == (
            "Dr. Ada Atlas",
            "Blair since 2009.",
            "Published",
        )
        assert listing["locations"][0]["city"] == "Boston"
        assert listing["profile_url"].startswith("http")
        assert [edit["proposed"]["practitioner"]["bio"] for edit in data["edits_sent"]] == ["Blair and NUCCA."]
        assert [(claim["listing"], claim["note"]) for claim in data["claims"]] == [
            ("Dr. Other Clinic, DC", "I work there.")
        ]
        [report] = data["reports_about_your_listings"]
        assert (report["details"], report["resolution"]) == ("Rings a bakery.", "Phone corrected.")
        assert [(entry["action"], entry["by"]) for entry in data["history"]] == [
            ("Report resolved", "a moderator"),
            ("Unpublished", "a moderator"),
            ("Published", "a moderator"),
        ]

    def test_it_names_no_other_person_by_e_mail(self, owner_client, history):
        body = owner_client.get(DATA).content.decode()
        assert "patient@example.net" not in body  # the reporter
        assert "desk@example.com" not in body  # the moderator

    def test_it_is_a_file_to_keep_never_cached(self, owner_client):
        response = owner_client.get(DATA)
        assert response["Content-Type"] == "application/json"
        assert response["Content-Disposition"].startswith('attachment; filename="upper-cervical-directory-data-')
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

    def test_each_account_downloads_only_its_own(self, listing):
        other = Client()
        other.force_login(UserFactory(email="other@example.com"))
        data = download(other)
        assert data["account"]["email"] == "other@example.com" and data["listings"] == []
        assert "Dr. Ada Atlas" not in json.dumps(data)

    def test_it_reads_any_number_of_listings_in_a_fixed_number_of_queries(
        self, owner_client, owner, django_assert_max_num_queries
    ):
        for n in range(8):
            owned_listing(owner, name=f"Dr. Number {n}")
        with django_assert_max_num_queries(16):
            assert len(download(owner_client)["listings"]) == 8


def close(client: Client, **data: str):
    return client.post(CLOSE, {"password": ACCOUNT_PASSWORD, **data}, follow=True)


class TestClosingTheAccount:
    def test_released_listings_stay_published_unowned_and_claimable(self, owner_client, owner, listing, history):
        mail.outbox.clear()
        account = owner.pk
        answered = close(owner_client, listings="release")
        assert "Your account is closed." in answered.content.decode()
        listing.refresh_from_db()
        assert (listing.owner, listing.status) == (None, Practitioner.Status.PUBLISHED)
        assert not get_user_model().objects.filter(pk=account).exists()
        assert not EmailAddress.objects.filter(email="owner@example.com").exists()
        assert not Claim.objects.filter(claimant_id=account).exists()
        assert Revision.objects.get(practitioner=listing).status == Revision.Status.WITHDRAWN
        assert owner_client.get(reverse("practice:dashboard")).status_code == 302  # signed out
        assert "Is this your practice?" in Client().get(listing.get_absolute_url()).content.decode()

    def test_unpublished_listings_leave_the_directory_at_once(self, owner_client, listing, client):
        assert client.get(listing.get_absolute_url()).status_code == 200
        version = public_version()
        close(owner_client, listings="unpublish")
        listing.refresh_from_db()
        assert (listing.owner, listing.status) == (None, Practitioner.Status.REJECTED)
        assert listing.rejection_reason == services.ACCOUNT_CLOSED_REASON
        assert public_version() > version
        assert client.get(listing.get_absolute_url()).status_code == 404

    def test_the_audit_keeps_who_did_what_by_number_without_the_e_mail(self, owner_client, owner, listing, history):
        account = owner.pk
        close(owner_client, listings="unpublish")
        entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_CLOSED)
        assert (entry.actor, entry.actor_label, entry.who) == (
            None,
            f"account #{account}",
            f"account #{account} (closed)",
        )
        assert entry.changes == [["owner", f"account #{account}", ""], ["status", "published", "rejected"]]
        trail = json.dumps([[e.subject, e.actor_label, e.changes, e.reason] for e in AuditEntry.objects.all()])
        assert "owner@example.com" not in trail
        assert AuditEntry.objects.filter(action="report_resolved").get().who == "desk@example.com"

    def test_the_address_is_told_in_plain_text_why_and_what_became_of_the_listings(self, owner_client, listing, sent):
        mail.outbox.clear()
        with sent():
            close(owner_client, listings="release")
        [email] = mail.outbox
        assert email.to == ["owner@example.com"] and email.subject.endswith("Your account is closed")
        assert "- Dr. Ada Atlas, DC" in email.body and "managed by nobody" in email.body
        assert "because the account for this address was closed" in email.body
        assert f"The directory: {settings.SITE_URL}/" in email.body and settings.SITE_URL.startswith("http")

    def test_a_wrong_password_is_a_field_error_and_nothing_changes(self, owner_client, owner, listing):
        response = owner_client.post(CLOSE, {"password": "guess", "listings": "release"})
        assert response.status_code == 400
        assert "That is not your password." in response.content.decode()
        listing.refresh_from_db()
        assert listing.owner == owner and get_user_model().objects.filter(pk=owner.pk).exists()

    def test_the_choice_is_required_of_an_account_with_listings(self, owner_client, listing):
        response = owner_client.post(CLOSE, {"password": ACCOUNT_PASSWORD})
        assert response.status_code == 400 and "This field is required." in response.content.decode()

    def test_an_account_without_listings_is_asked_only_its_password(self):
        user = UserFactory(email="solo@example.com")
        client = Client()
        client.force_login(user)
        assert "Your listings" not in client.get(CLOSE).content.decode()
        close(client)
        assert not get_user_model().objects.filter(email="solo@example.com").exists()
        entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_CLOSED)
        assert entry.subject == f"Account #{user.pk}" and entry.practitioner is None

    def test_password_attempts_are_rate_limited(self, owner_client, settings):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reauthenticate": "2/m/user"}
        statuses = [owner_client.post(CLOSE, {"password": "guess"}).status_code for _ in range(3)]
        assert statuses == [400, 400, 429]

    def test_reports_about_a_released_listing_are_kept(self, owner_client, listing, history):
        close(owner_client, listings="release")
        assert Report.objects.filter(practitioner=listing).count() == 1
