"""manage.py lapse_credentials: the owner hears 30 days before a training verification lapses and on the day,
each once, and the badge is gone that day (time moved with time-machine)."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from directory.models import Training
from moderation.models import AuditEntry
from tests.factories import TrainingFactory, owned_listing, practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = pytest.mark.django_db

LAPSES_ON = datetime.date(2027, 3, 1)


def at(day: datetime.date, hour: int = 6):
    """A cron run at `hour` UTC on `day`."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Runs the command; its e-mails go out as its transactions commit. Returns what it printed."""

    def run_once() -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("lapse_credentials", stdout=out)
        return out.getvalue()

    return run_once


@pytest.fixture
def record(owner, nucca) -> Training:
    listing = owned_listing(owner, name="Dr. Ada Atlas", techniques=[nucca])
    return TrainingFactory(
        practitioner=listing, technique=nucca, status=Training.Status.VERIFIED,
        verified_on=datetime.date(2026, 3, 1), verified_until=LAPSES_ON,
    )  # fmt: skip


def test_nothing_is_sent_31_days_before(record, run):
    with at(LAPSES_ON - datetime.timedelta(days=31)):
        assert "Warned 0 owner(s)" in run()
    assert not mail.outbox


def test_the_owner_is_warned_30_days_before_once_however_often_it_runs(record, run):
    with at(LAPSES_ON - datetime.timedelta(days=30)):
        assert "Warned 1 owner(s)" in run()
        run()
    with at(LAPSES_ON - datetime.timedelta(days=29)):
        run()

    [email] = mail.outbox
    assert email.to == ["owner@example.com"]
    assert "lapses on March 1, 2027" in email.subject
    assert f"https://directory.example{reverse('practice:training', kwargs={'pk': record.practitioner_id})}" in (
        email.body
    )
    assert "because your account manages this listing" in email.body


def test_a_missed_warning_is_made_up_by_the_next_run(record, run):
    with at(LAPSES_ON - datetime.timedelta(days=12)):
        run()
    assert len(mail.outbox) == 1 and "lapses on" in mail.outbox[0].subject


def test_on_the_day_the_owner_is_told_and_the_badge_is_gone(client, record, nucca, run):
    profile = record.practitioner.get_absolute_url()
    with at(LAPSES_ON - datetime.timedelta(days=1), hour=23):
        assert "Training verified" in client.get(profile).content.decode()
    with at(LAPSES_ON):
        output = run()
        run()
        assert "Training verified" not in client.get(profile).content.decode()

    assert "told 1 of a lapse today" in output
    lapsed = [email for email in mail.outbox if "has lapsed" in email.subject]
    assert len(lapsed) == 1
    assert "lapsed today, March 1, 2027" in lapsed[0].body
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TRAINING_LAPSED).count() == 1


def test_a_renewed_verification_is_reminded_again_for_its_new_date(record, run):
    with at(LAPSES_ON - datetime.timedelta(days=30)):
        run()
    Training.objects.filter(pk=record.pk).update(verified_until=datetime.date(2028, 3, 1))
    with at(datetime.date(2028, 3, 1) - datetime.timedelta(days=30)):
        run()

    assert [email.subject.split(": ", 1)[-1] for email in mail.outbox] == [
        "Your NUCCA training verification lapses on March 1, 2027",
        "Your NUCCA training verification lapses on March 1, 2028",
    ]


def test_records_without_a_lapse_date_or_not_verified_are_left_alone(nucca, run):
    listing = practitioner_at(*destination(BOSTON, 1), techniques=[nucca])
    TrainingFactory(practitioner=listing, status=Training.Status.VERIFIED, verified_until=None)
    TrainingFactory(practitioner=listing, expires_on=LAPSES_ON)
    with at(LAPSES_ON):
        assert run().startswith("Warned 0 owner(s)")
    assert not mail.outbox


def test_an_owner_who_reads_spanish_is_warned_in_spanish_with_a_link_to_the_spanish_page(owner, record, run):
    owner.language = "es"
    owner.save(update_fields=["language"])
    with at(LAPSES_ON - datetime.timedelta(days=30)):
        run()
    [email] = mail.outbox
    path = reverse("practice:training", kwargs={"pk": record.practitioner_id})
    assert f"https://directory.example/es{path}" in email.body
    assert "lapses on" not in email.subject and "2027" in email.subject
