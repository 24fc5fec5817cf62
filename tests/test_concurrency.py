"""Two people acting on the same thing at the same moment, on PostgreSQL: each action runs in its own thread with
its own database connection, and all of them are held at a lock until every one is waiting on it (read from
pg_stat_activity), then let go together. Exactly one outcome wins, the other is told, nothing is half-applied."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pytest
from django.core import mail
from django.db import connection, transaction

from directory.grid import grid_as_stored, grid_recounted, grid_refresh
from directory.importing import IMPORT_LOCK
from directory.models import GridCount, Location, Practitioner
from moderation import services as desk
from moderation.models import AuditEntry
from practice import services
from practice.listing import listing_values
from practice.models import Claim, Revision
from tests.factories import LocationFactory, PractitionerFactory, UserFactory, owned_listing
from tests.test_import import ROW

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks and concurrent sessions: PostgreSQL"),
]

ROW_LOCK = "SELECT 1 FROM directory_practitioner WHERE id = %s FOR UPDATE"


@dataclass
class Outcome:
    value: object = None
    error: Exception | None = None


def at_once(*calls: Callable[[], object], lock: str, params: list) -> list[Outcome]:
    """Runs each call in its own thread and connection. A gate session holds `lock` (SQL taking a lock) until all
    calls are blocked behind it, so they truly overlap, then releases it; returns each call's outcome."""
    outcomes = [Outcome() for _ in calls]
    held, release = threading.Event(), threading.Event()

    def gate() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(lock, params)
                held.set()
                release.wait(30)
        finally:
            connection.close()

    def worker(index: int, call: Callable[[], object]) -> None:
        try:
            outcomes[index].value = call()
        except Exception as error:  # the losing side's exception is part of the outcome under test
            outcomes[index].error = error
        finally:
            connection.close()

    gate_thread = threading.Thread(target=gate)
    gate_thread.start()
    assert held.wait(10), "the gate session could not take its lock"
    workers = [threading.Thread(target=worker, args=(n, call)) for n, call in enumerate(calls)]
    for thread in workers:
        thread.start()
    try:
        waiting, deadline = 0, time.monotonic() + 15
        while waiting < len(calls) and time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                waiting = cursor.fetchone()[0]
            time.sleep(0.01)
        assert waiting == len(calls), f"only {waiting} of {len(calls)} sessions were waiting together"
    finally:
        release.set()
        gate_thread.join()
        for thread in workers:
            thread.join(30)
    return outcomes


def winners(outcomes: list[Outcome]) -> list[Outcome]:
    return [outcome for outcome in outcomes if outcome.error is None]


def conflicts(outcomes: list[Outcome]) -> list[str]:
    return [str(outcome.error) for outcome in outcomes if isinstance(outcome.error, services.ReviewConflict)]


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.com")


@pytest.fixture
def moderators():
    return UserFactory(email="first@example.com", is_staff=True), UserFactory(email="second@example.com", is_staff=True)


@pytest.fixture
def listing(owner) -> Practitioner:
    return owned_listing(owner, name="Dr. Ada Atlas")


@pytest.fixture
def revision(listing, owner) -> Revision:
    proposed = listing_values(listing)
    proposed["practitioner"]["bio"] = "Blair technique since 2009."
    proposed["locations"][0]["city"] = "Cambridge"
    return services.listing_edit(practitioner=listing, editor=owner, proposed=proposed, accepting_new_patients=True)


class TestTwoModeratorsOnOneEdit:
    def test_two_approvals_apply_it_once_and_the_second_is_told_it_was_decided(self, revision, moderators):
        mail.outbox.clear()
        first, second = moderators
        outcomes = at_once(
            lambda: desk.revision_approve(revision=revision, moderator=first),
            lambda: desk.revision_approve(revision=revision, moderator=second),
            lock=ROW_LOCK,
            params=[revision.practitioner_id],
        )
        assert len(winners(outcomes)) == 1
        assert conflicts(outcomes) == [f"Edit of {revision.practitioner} (approved) was already decided (approved)."]
        assert AuditEntry.objects.filter(action=AuditEntry.Action.REVISION_APPROVED).count() == 1
        assert len(mail.outbox) == 1
        live = Practitioner.objects.get(pk=revision.practitioner_id)
        assert (live.bio, live.locations.get().city) == ("Blair technique since 2009.", "Cambridge")

    def test_an_approval_and_a_rejection_at_once_leave_exactly_one_decision(self, revision, moderators):
        first, second = moderators
        outcomes = at_once(
            lambda: desk.revision_approve(revision=revision, moderator=first),
            lambda: desk.revision_reject(revision=revision, moderator=second, reason="Not a real address."),
            lock=ROW_LOCK,
            params=[revision.practitioner_id],
        )
        assert len(winners(outcomes)) == 1 and len(conflicts(outcomes)) == 1
        revision.refresh_from_db()
        live = Practitioner.objects.get(pk=revision.practitioner_id)
        decisions = AuditEntry.objects.filter(action__in=["revision_approved", "revision_rejected"])
        assert list(decisions.values_list("action", flat=True)) == [f"revision_{revision.status}"]
        # All of it or none of it on the live listing, as the single decision says.
        applied = (live.bio, live.locations.get().city) == ("Blair technique since 2009.", "Cambridge")
        untouched = (live.bio, live.locations.get().city) == ("", "Boston")
        assert applied if revision.status == Revision.Status.APPROVED else untouched


class TestOwnerEditingWhileAModeratorApproves:
    def test_the_owners_new_edit_is_kept_pending_whichever_lands_first(self, revision, listing, owner, moderators):
        later = listing_values(listing)
        later["practitioner"]["bio"] = "Now also NUCCA."

        outcomes = at_once(
            lambda: desk.revision_approve(revision=revision, moderator=moderators[0]),
            lambda: services.listing_edit(
                practitioner=listing, editor=owner, proposed=later, accepting_new_patients=False
            ),
            lock=ROW_LOCK,
            params=[listing.pk],
        )
        approval, edit = outcomes
        assert edit.error is None
        pending = Revision.objects.pending().get(practitioner=listing)
        assert pending.proposed["practitioner"]["bio"] == "Now also NUCCA."
        live = Practitioner.objects.get(pk=listing.pk)
        assert live.accepting_new_patients is False
        revision.refresh_from_db()
        if approval.error is None:  # approved first: the edit applied whole, the owner's new edit waits after it
            assert revision.status == Revision.Status.APPROVED
            assert (live.bio, live.locations.get().city) == ("Blair technique since 2009.", "Cambridge")
        else:  # edited first: the old edit was replaced, so the approval is refused and nothing of it applies
            assert str(approval.error).endswith("was already decided (replaced by a later edit).")
            assert revision.status == Revision.Status.SUPERSEDED
            assert (live.bio, live.locations.get().city) == ("", "Boston")


class TestTwoClaimsOfOneListing:
    def test_two_automatic_claims_at_once_make_one_owner_and_leave_the_other_waiting(self):
        listing = owned_listing(None, email="clinic@example.com")
        first, second = UserFactory(), UserFactory()
        outcomes = at_once(
            *[
                lambda claimant=claimant: services.claim_submit(
                    practitioner=listing, claimant=claimant, note="", npi="", email_verified=True
                )
                for claimant in (first, second)
            ],
            lock=ROW_LOCK,
            params=[listing.pk],
        )
        assert len(winners(outcomes)) == 2
        listing.refresh_from_db()
        other = ({first.pk, second.pk} - {listing.owner_id}).pop()
        assert listing.owner_id in {first.pk, second.pk}
        statuses = dict(Claim.objects.values_list("claimant_id", "status"))
        assert statuses == {listing.owner_id: "approved", other: "pending"}

    def test_the_same_claim_sent_twice_at_once_is_kept_once(self):
        listing = owned_listing(None)
        claimant = UserFactory()
        at_once(
            *[
                lambda note=note: services.claim_submit(
                    practitioner=listing, claimant=claimant, note=note, npi="", email_verified=False
                )
                for note in ("first tab", "second tab")
            ],
            lock=ROW_LOCK,
            params=[listing.pk],
        )
        assert Claim.objects.count() == 1
        assert Claim.objects.get().note in {"first tab", "second tab"}

    def test_two_moderators_approving_rival_claims_leave_one_owner(self, moderators):
        listing = owned_listing(None)
        claims = [
            services.claim_submit(practitioner=listing, claimant=UserFactory(), note="", npi="", email_verified=False)
            for _ in range(2)
        ]
        mail.outbox.clear()
        outcomes = at_once(
            *[
                lambda claim=claim, moderator=moderator: desk.claim_approve(claim=claim, moderator=moderator)
                for claim, moderator in zip(claims, moderators, strict=True)
            ],
            lock=ROW_LOCK,
            params=[listing.pk],
        )
        assert len(winners(outcomes)) == 1
        assert conflicts(outcomes) and conflicts(outcomes)[0].endswith("was already decided (rejected).")
        listing.refresh_from_db()
        approved = Claim.objects.get(status=Claim.Status.APPROVED)
        rejected = Claim.objects.get(status=Claim.Status.REJECTED)
        assert listing.owner_id == approved.claimant_id
        assert rejected.reason == services.ANOTHER_CLAIM_APPROVED
        assert sorted(AuditEntry.objects.values_list("action", flat=True)) == ["claim_approved", "claim_rejected"]
        assert sorted(email.to[0] for email in mail.outbox) == sorted(
            [approved.claimant.email, rejected.claimant.email]
        )


class TestOtherDecisionsAtOnce:
    def test_publishing_twice_at_once_publishes_once_with_one_email_and_one_entry(self, owner, moderators):
        listing = owned_listing(owner, status=Practitioner.Status.PENDING)
        mail.outbox.clear()
        outcomes = at_once(
            *[partial(desk.listing_publish, practitioner=listing, moderator=moderator) for moderator in moderators],
            lock=ROW_LOCK,
            params=[listing.pk],
        )
        assert sorted(outcome.value for outcome in outcomes) == [False, True]
        assert AuditEntry.objects.filter(action="published").count() == 1
        assert len(mail.outbox) == 1

    def test_resolving_one_report_twice_at_once_resolves_it_once(self, listing, moderators):
        report = desk.report_submit(practitioner=listing, problem="moved", details="", email="patient@example.com")
        outcomes = at_once(
            *[partial(desk.report_resolve, report=report, moderator=who, note=f"by {who}") for who in moderators],
            lock="SELECT 1 FROM moderation_report WHERE id = %s FOR UPDATE",
            params=[report.pk],
        )
        assert len(winners(outcomes)) == 1
        assert conflicts(outcomes) == [f"The report {report} was already resolved."]
        report.refresh_from_db()
        assert report.resolution == f"by {report.resolved_by}"
        assert AuditEntry.objects.filter(action="report_resolved").count() == 1


def test_the_same_import_run_twice_at_once_creates_each_listing_once(moderators):
    rows = [(n + 2, {**ROW, "external_id": f"p-{n}", "techniques": ""}) for n in range(30)]
    outcomes = at_once(
        *[partial(desk.listings_import, rows=rows, moderator=who, file_name="clinics.csv") for who in moderators],
        lock="SELECT pg_advisory_xact_lock(%s)",
        params=[IMPORT_LOCK],
    )
    reports = sorted((outcome.value for outcome in outcomes), key=lambda report: report.created)
    assert [(report.created, report.unchanged) for report in reports] == [(0, 30), (30, 0)]
    assert Practitioner.objects.count() == 30
    assert AuditEntry.objects.filter(action="imported").count() == 1


def test_an_import_never_undoes_a_claim_approved_while_it_waited(moderators):
    """The import reads its listings under lock: one claimed meanwhile is seen as owned and left alone."""
    desk.listings_import(rows=[(2, {**ROW, "techniques": ""})], moderator=moderators[0], file_name="first.csv")
    listing = Practitioner.objects.get(external_id="p-1")
    claim = services.claim_submit(practitioner=listing, claimant=UserFactory(), note="", npi="", email_verified=False)
    changed = {**ROW, "techniques": "", "name": "Dr. Ada Atlas-Axis"}
    outcomes = at_once(
        lambda: desk.claim_approve(claim=claim, moderator=moderators[0]),
        lambda: desk.listings_import(rows=[(2, changed)], moderator=moderators[1], file_name="second.csv"),
        lock=ROW_LOCK,
        params=[listing.pk],
    )
    assert all(outcome.error is None for outcome in outcomes)
    listing.refresh_from_db()
    assert listing.owner_id == claim.claimant_id
    report = outcomes[1].value
    assert (listing.name, report.owned_lines) in [("Dr. Ada Atlas", [2]), ("Dr. Ada Atlas-Axis", [])]


def test_closing_an_account_while_its_edit_is_approved_leaves_one_consistent_outcome(revision, listing, moderators):
    owner = listing.owner
    outcomes = at_once(
        partial(desk.revision_approve, revision=revision, moderator=moderators[0]),
        partial(services.account_close, user=owner, listings="release"),
        lock=ROW_LOCK,
        params=[listing.pk],
    )
    approval, closing = outcomes
    assert closing.error is None
    listing.refresh_from_db()
    revision.refresh_from_db()
    assert listing.owner is None and not type(owner).objects.filter(pk=owner.pk).exists()
    if approval.error is None:  # approved first: applied whole, then the account closed
        assert revision.status == Revision.Status.APPROVED and listing.bio == "Blair technique since 2009."
    else:  # closed first: the edit was withdrawn with the account, so there was nothing left to approve
        assert str(approval.error).endswith("was already decided (withdrawn by the practitioner).")
        assert revision.status == Revision.Status.WITHDRAWN and listing.bio == ""


def test_two_listings_published_at_once_in_one_cell_are_both_counted_by_the_search_grid(moderators):
    first, second = (PractitionerFactory(status=Practitioner.Status.PENDING) for _ in range(2))
    for practitioner in (first, second, PractitionerFactory()):
        LocationFactory(practitioner=practitioner)  # all three in Boston's cell; the third already published
    cell = first.locations.get().grid_cell
    outcomes = at_once(
        partial(desk.listing_publish, practitioner=first, moderator=moderators[0]),
        partial(desk.listing_publish, practitioner=second, moderator=moderators[1]),
        lock="SELECT 1 FROM directory_gridcount WHERE technique = 0 AND cell = %s FOR UPDATE",
        params=[cell],
    )
    assert len(winners(outcomes)) == 2
    assert GridCount.objects.get(technique=GridCount.ANY_TECHNIQUE, cell=cell).practitioners == 3
    assert grid_as_stored() == grid_recounted()


def test_two_refreshes_of_one_practitioners_cells_at_once_count_it_once():
    practitioner = PractitionerFactory()
    LocationFactory(practitioner=practitioner)
    # Moved without a signal (as the import's set writes move it), so the grid still counts the old cell.
    Location.objects.filter(practitioner=practitioner).update(latitude=40.7128, longitude=-74.006)
    assert grid_as_stored() != grid_recounted()
    outcomes = at_once(
        partial(grid_refresh, practitioner_ids=[practitioner.pk]),
        partial(grid_refresh, practitioner_ids=[practitioner.pk]),
        lock=ROW_LOCK,
        params=[practitioner.pk],
    )
    assert [outcome.error for outcome in outcomes] == [None, None]
    assert grid_as_stored() == grid_recounted()
