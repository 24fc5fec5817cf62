"""Training to verify on the desk: its own kind in the queue, the record with its evidence, the decisions
(verify, verify until a date, decline with a reason), each audited and e-mailed to the owner; and who may."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from directory.models import Training
from moderation.models import AuditEntry
from tests.factories import TrainingFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 12, 5, 10, tzinfo=datetime.UTC)


@pytest.fixture
def moderator_client(desk_moderator) -> Client:
    client = Client()
    client.force_login(desk_moderator)
    return client


@pytest.fixture
def record(owner) -> Training:
    return TrainingFactory(practitioner=owned_listing(owner, name="Dr. Ada Atlas"), expires_on=None)


def change_url(record) -> str:
    return reverse("admin:directory_training_change", args=[record.pk])


def decide_url(record, decision: str) -> str:
    return reverse("admin:directory_training_decide", args=[record.pk, decision])


def test_training_to_verify_is_its_own_kind_in_the_queue(moderator_client, record):
    page = moderator_client.get(reverse("admin:index")).content.decode()

    assert "Training to verify: 1" in page
    assert change_url(record) in page


def test_the_record_page_shows_what_was_sent_and_links_the_evidence(moderator_client, record):
    page = moderator_client.get(change_url(record)).content.decode()

    assert "Level II certification" in page and "N-2019-0042" in page
    evidence = reverse("practice:training_evidence", kwargs={"pk": record.practitioner_id, "training_pk": record.pk})
    assert f'href="{evidence}"' in page
    assert moderator_client.get(evidence).status_code == 200
    assert [decision.name for decision in moderator_client.get(change_url(record)).context["decisions"]] == [
        "verify", "verify_until", "reject",
    ]  # fmt: skip


@time_machine.travel(TODAY, tick=False)
def test_verifying_dates_the_badge_tells_the_owner_and_is_audited(moderator_client, record, desk_moderator, sent):
    with sent():
        response = moderator_client.post(decide_url(record, "verify"))

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.verified_on, record.verified_until) == ("verified", datetime.date(2026, 12, 5), None)
    assert record.decided_by == desk_moderator
    [email] = mail.outbox
    assert email.to == ["owner@example.com"]
    assert "verified it on December 5, 2026" in email.body
    assert "https://directory.example/practice/" in email.body
    assert "because your account manages this listing" in email.body
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.practitioner, entry.actor) == ("training_verified", record.practitioner, desk_moderator)


@time_machine.travel(TODAY, tick=False)
def test_verifying_takes_the_certificates_expiry_as_the_lapse_date(moderator_client, record, sent):
    Training.objects.filter(pk=record.pk).update(expires_on=datetime.date(2027, 3, 31))

    with sent():
        moderator_client.post(decide_url(record, "verify"))

    record.refresh_from_db()
    assert record.verified_until == datetime.date(2027, 3, 31)
    assert "lapses on March 31, 2027" in mail.outbox[0].body


@time_machine.travel(TODAY, tick=False)
def test_a_moderator_can_verify_until_a_date_of_their_own(moderator_client, record):
    moderator_client.post(decide_url(record, "verify_until"), {"text": "2027-06-30"})

    record.refresh_from_db()
    assert (record.status, record.verified_until) == ("verified", datetime.date(2027, 6, 30))
    assert AuditEntry.objects.get().changes == [["verified_until", "", "2027-06-30"]]


@time_machine.travel(TODAY, tick=False)
def test_the_lapse_date_is_asked_with_a_date_field_that_starts_tomorrow(moderator_client, record):
    page = moderator_client.get(change_url(record)).content.decode()

    assert '<input type="date" id="decide-verify_until-text" name="text" min="2026-12-06" required>' in page
    assert '<textarea id="decide-reject-text" name="text"' in page  # a reason stays free text


@pytest.mark.parametrize(("text", "said"), [("next june", "is not a date"), ("2026-12-05", "has passed"),
                                            ("2027-02-30", "is not a date")])  # fmt: skip
@time_machine.travel(TODAY, tick=False)
def test_a_lapse_date_that_is_no_date_or_has_passed_is_refused_and_nothing_changes(
    moderator_client, record, text, said
):
    response = moderator_client.post(decide_url(record, "verify_until"), {"text": text}, follow=True)

    assert said in response.content.decode()
    record.refresh_from_db()
    assert record.status == Training.Status.PENDING
    assert not mail.outbox and not AuditEntry.objects.exists()


def test_declining_tells_the_owner_why_and_is_audited(moderator_client, record, sent):
    with sent():
        moderator_client.post(decide_url(record, "reject"), {"text": "The certificate is unreadable."})

    record.refresh_from_db()
    assert (record.status, record.reason) == ("rejected", "The certificate is unreadable.")
    [email] = mail.outbox
    assert "The reason given: The certificate is unreadable." in email.body
    assert AuditEntry.objects.get().action == "training_rejected"


def test_declining_without_a_reason_asks_for_one(moderator_client, record):
    response = moderator_client.post(decide_url(record, "reject"), {"text": "  "}, follow=True)

    assert "write the reason for not verifying first" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Training.Status.PENDING


def test_a_record_is_decided_once(moderator_client, record, sent):
    with sent():
        moderator_client.post(decide_url(record, "verify"))
        response = moderator_client.post(decide_url(record, "reject"), {"text": "Too late"}, follow=True)

    assert "can no longer be decided that way" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Training.Status.VERIFIED
    assert len(mail.outbox) == 1


def test_after_deciding_the_desk_opens_the_next_record_waiting(moderator_client, record):
    following = TrainingFactory(practitioner=record.practitioner)

    response = moderator_client.post(decide_url(record, "verify"))

    assert response["Location"] == change_url(following)


@pytest.mark.parametrize("who", ["anonymous", "owner", "staff not moderator"])
def test_only_moderators_reach_the_desks_training_pages(client, record, owner, who):
    if who == "owner":
        client.force_login(owner)
    elif who == "staff not moderator":
        client.force_login(UserFactory(email="staff@example.com", is_staff=True))

    assert client.get(change_url(record)).status_code in (302, 403)
    client.post(decide_url(record, "verify"))
    record.refresh_from_db()
    assert record.status == Training.Status.PENDING


def test_the_desk_cannot_add_or_delete_records(moderator_client, record):
    assert moderator_client.get(reverse("admin:directory_training_add")).status_code == 403
    assert moderator_client.post(reverse("admin:directory_training_delete", args=[record.pk])).status_code == 403
