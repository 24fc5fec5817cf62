"""Review in the admin: publish, reject with a reason, approve or reject edits and claims; all through services."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.test import Client
from django.urls import reverse

from directory.models import Practitioner
from practice import services
from practice.listing import listing_values
from practice.models import Claim, Revision
from tests.factories import PractitionerFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(db) -> Client:
    client = Client()
    client.force_login(UserFactory(email="admin@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def act(client: Client, model: str, action: str, items: list, **extra: str):
    url = reverse(f"admin:{model}_changelist")
    return client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [item.pk for item in items], **extra})


def pending_revision(owner, bio: str = "<b>New</b> bio.") -> Revision:
    practitioner = owned_listing(owner, bio="Old bio.")
    proposed = listing_values(practitioner)
    proposed["practitioner"]["bio"] = bio
    return services.listing_edit(
        practitioner=practitioner, editor=owner, proposed=proposed, accepting_new_patients=True
    )


def test_publish_publishes_the_selected_listings_and_emails_their_owners(admin_client_, owner, sent):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    with sent():
        response = act(admin_client_, "directory_practitioner", "publish", [listing])
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == Practitioner.Status.PUBLISHED
    assert [email.to for email in mail.outbox] == [["owner@example.com"]]


def test_reject_asks_for_a_reason_first_and_requires_one(admin_client_, owner):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    page = act(admin_client_, "directory_practitioner", "reject", [listing])
    assert page.status_code == 200
    assert '<label for="id_reason" class="required">Reason</label>' in page.content.decode()
    empty = act(admin_client_, "directory_practitioner", "reject", [listing], apply="1", reason="")
    assert "This field is required." in empty.content.decode()
    listing.refresh_from_db()
    assert listing.status == Practitioner.Status.PENDING


def test_reject_with_a_reason_rejects_and_emails_the_reason(admin_client_, owner, sent):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    with sent():
        act(admin_client_, "directory_practitioner", "reject", [listing], apply="1", reason="No license number.")
    listing.refresh_from_db()
    assert listing.status_in_words == "Rejected: No license number."
    assert "No license number." in mail.outbox[0].body


def test_the_status_cannot_be_changed_in_the_admin_form(admin_client_, owner):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    page = admin_client_.get(reverse("admin:directory_practitioner_change", args=[listing.pk])).content.decode()
    assert 'name="status"' not in page
    assert 'name="owner"' not in page


def test_a_revision_shows_its_changes_escaped(admin_client_, owner):
    revision = pending_revision(owner)
    page = admin_client_.get(reverse("admin:practice_revision_change", args=[revision.pk])).content.decode()
    assert "&lt;b&gt;New&lt;/b&gt; bio." in page
    assert "<b>New</b>" not in page
    assert "Old bio." in page


def test_approving_a_revision_applies_it(admin_client_, owner, sent):
    revision = pending_revision(owner, bio="Approved bio.")
    with sent():
        act(admin_client_, "practice_revision", "approve", [revision])
    revision.practitioner.refresh_from_db()
    assert revision.practitioner.bio == "Approved bio."
    assert "approved your changes" in mail.outbox[0].body


def test_rejecting_a_revision_keeps_the_live_listing(admin_client_, owner, sent):
    revision = pending_revision(owner)
    with sent():
        act(admin_client_, "practice_revision", "reject", [revision], apply="1", reason="Please keep it factual.")
    revision.refresh_from_db()
    revision.practitioner.refresh_from_db()
    assert revision.status == Revision.Status.REJECTED
    assert revision.practitioner.bio == "Old bio."
    assert "Please keep it factual." in mail.outbox[0].body


def test_approving_a_decided_revision_again_warns_and_changes_nothing(admin_client_, owner):
    revision = pending_revision(owner, bio="First decision.")
    act(admin_client_, "practice_revision", "reject", [revision], apply="1", reason="No.")
    response = act(admin_client_, "practice_revision", "approve", [revision])
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("already decided" in message for message in messages)
    revision.practitioner.refresh_from_db()
    assert revision.practitioner.bio == "Old bio."


def test_claims_are_approved_or_rejected_from_their_list(admin_client_, sent):
    first, second = PractitionerFactory(), PractitionerFactory()
    claimant = UserFactory(email="claimant@example.com")
    claims = [
        services.claim_submit(practitioner=p, claimant=claimant, note="", npi="", email_verified=False)
        for p in (first, second)
    ]
    with sent():
        act(admin_client_, "practice_claim", "approve", [claims[0]])
        act(admin_client_, "practice_claim", "reject", [claims[1]], apply="1", reason="Not the same person.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.owner == claimant and second.owner is None
    assert list(Claim.objects.order_by("pk").values_list("status", flat=True)) == ["approved", "rejected"]
    assert len(mail.outbox) == 2


def test_nothing_a_practitioner_sent_can_be_deleted_from_the_review_lists(admin_client_, owner):
    revision = pending_revision(owner)
    assert admin_client_.get(reverse("admin:practice_revision_delete", args=[revision.pk])).status_code == 403
    assert admin_client_.get(reverse("admin:practice_revision_add")).status_code == 403
