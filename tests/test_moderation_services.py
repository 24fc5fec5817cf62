"""The desk's services: each decision's state change, e-mail and audit entry; reports; technique renames;
external ids for export; and the freshness reminders with time controlled."""

import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from directory.answers import public_version
from directory.models import FormerSlug, Practitioner
from moderation import services as desk
from moderation.models import AuditEntry, Report
from practice import services
from practice.listing import listing_values
from practice.models import Claim, Revision
from tests.factories import PractitionerFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    return UserFactory(email="moderator@example.com", is_staff=True)


def entry() -> AuditEntry:
    return AuditEntry.objects.get()


def test_publishing_records_who_when_and_the_status_change(owner, moderator, sent):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    with sent():
        assert desk.listing_publish(practitioner=listing, moderator=moderator)
    listing.refresh_from_db()
    assert listing.status == Practitioner.Status.PUBLISHED
    assert (entry().actor, entry().action, entry().changes) == (
        moderator,
        "published",
        [["status", "pending", "published"]],
    )
    assert [email.to for email in mail.outbox] == [["owner@example.com"]]


def test_publishing_a_published_listing_changes_nothing_and_records_nothing(owner, moderator):
    listing = owned_listing(owner)
    assert not desk.listing_publish(practitioner=listing, moderator=moderator)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("status", "decide", "action"),
    [
        (Practitioner.Status.PENDING, desk.listing_reject, "rejected"),
        (Practitioner.Status.PUBLISHED, desk.listing_unpublish, "unpublished"),
    ],
)
def test_reject_and_unpublish_keep_every_value_and_location_and_tell_the_owner_why(
    owner, moderator, sent, nucca, status, decide, action
):
    listing = owned_listing(owner, status=status, bio="Kept bio.", techniques=[nucca])
    before = listing_values(listing)
    with sent():
        assert decide(practitioner=listing, moderator=moderator, reason="Closed in May.")
    listing.refresh_from_db()
    assert listing.status == Practitioner.Status.REJECTED and listing_values(listing) == before
    assert (entry().action, entry().reason) == (action, "Closed in May.")
    assert "Closed in May." in mail.outbox[0].body and "http" in mail.outbox[0].body


def pending_revision(owner, **changes) -> Revision:
    listing = owned_listing(owner, bio="Old bio.")
    proposed = listing_values(listing)
    proposed["practitioner"].update(changes)
    return services.listing_edit(practitioner=listing, editor=owner, proposed=proposed, accepting_new_patients=True)


def test_approving_a_revision_records_the_field_by_field_changes(owner, moderator, sent):
    revision = pending_revision(owner, bio="New bio.")
    with sent():
        desk.revision_approve(revision=revision, moderator=moderator)
    assert entry().changes == [["Bio", "Old bio.", "New bio."]]
    assert entry().action == "revision_approved" and "approved your changes" in mail.outbox[0].body


def test_rejecting_a_revision_records_the_reason_and_keeps_the_live_listing(owner, moderator, sent):
    revision = pending_revision(owner, bio="New bio.")
    with sent():
        desk.revision_reject(revision=revision, moderator=moderator, reason="Too promotional.")
    revision.practitioner.refresh_from_db()
    assert revision.practitioner.bio == "Old bio."
    assert (entry().action, entry().reason) == ("revision_rejected", "Too promotional.")
    assert "Too promotional." in mail.outbox[0].body


def test_a_decision_on_something_already_decided_is_a_conflict_and_records_nothing_more(owner, moderator):
    revision = pending_revision(owner, bio="New bio.")
    desk.revision_reject(revision=revision, moderator=moderator, reason="No.")
    with pytest.raises(desk.ReviewConflict):
        desk.revision_approve(revision=revision, moderator=moderator)
    assert AuditEntry.objects.count() == 1


def test_approving_a_claim_records_the_owner_change_by_account_number_not_e_mail(moderator, sent):
    listing, claimant = PractitionerFactory(), UserFactory(email="claimant@example.com")
    claim = services.claim_submit(practitioner=listing, claimant=claimant, note="", npi="", email_verified=False)
    with sent():
        desk.claim_approve(claim=claim, moderator=moderator)
    assert entry().changes == [["owner", "", f"account #{claimant.pk}"]]
    assert "claimant@example.com" not in str(entry().changes)
    assert mail.outbox[0].to == ["claimant@example.com"]


def test_approving_a_claim_records_the_npi_it_gave_the_listing(moderator, sent):
    listing, claimant = PractitionerFactory(npi=""), UserFactory()
    claim = services.claim_submit(
        practitioner=listing, claimant=claimant, note="", npi="1234567893", email_verified=False
    )
    with sent():
        desk.claim_approve(claim=claim, moderator=moderator)
    assert entry().changes == [["owner", "", f"account #{claimant.pk}"], ["npi", "", "1234567893"]]


def test_rejecting_a_claim_records_the_reason_and_e_mails_the_claimant(moderator, sent):
    claimant = UserFactory(email="claimant@example.com")
    claim = services.claim_submit(
        practitioner=PractitionerFactory(), claimant=claimant, note="", npi="", email_verified=False
    )
    with sent():
        desk.claim_reject(claim=claim, moderator=moderator, reason="Another clinic's doctor.")
    assert Claim.objects.get().status == Claim.Status.REJECTED
    assert (entry().action, entry().reason) == ("claim_rejected", "Another clinic's doctor.")
    assert "Another clinic's doctor." in mail.outbox[0].body


def test_a_report_changes_nothing_until_resolved_and_resolves_once(owner, moderator, sent):
    listing = owned_listing(owner)
    before = listing_values(listing)
    report = desk.report_submit(practitioner=listing, problem=Report.Problem.CLOSED, details="Shut.", email="")
    listing.refresh_from_db()
    assert listing_values(listing) == before and listing.status == Practitioner.Status.PUBLISHED
    with sent():
        desk.report_resolve(report=report, moderator=moderator, note="Confirmed open by phone.")
    assert [email.to for email in mail.outbox] == [["owner@example.com"]]
    body = mail.outbox[0].body
    assert "closed" in body and "Confirmed open by phone." in body and "https://directory.example/" in body
    with pytest.raises(desk.ReviewConflict):
        desk.report_resolve(report=report, moderator=moderator, note="Again.")


def test_renaming_a_technique_keeps_a_former_slug_and_retires_cached_answers(moderator, nucca):
    version = public_version()
    nucca.slug = "nucca-care"
    desk.technique_save(technique=nucca, moderator=moderator, before={"name": "NUCCA", "slug": "nucca"})
    assert list(FormerSlug.objects.values_list("slug", "technique")) == [("nucca", nucca.pk)]
    assert public_version() > version
    assert entry().changes == [["slug", "nucca", "nucca-care"]]


def test_an_export_gives_a_listing_without_an_external_id_one_it_keeps(owner):
    listing = owned_listing(owner)
    assert desk.external_ids_assign(practitioners=[listing]) == 1
    listing.refresh_from_db()
    assert listing.external_id == f"listing-{listing.pk}"
    assert desk.external_ids_assign(practitioners=[listing]) == 0


def test_an_external_id_never_collides_with_an_imported_one(owner):
    listing = owned_listing(owner)
    PractitionerFactory(external_id=f"listing-{listing.pk}")
    desk.external_ids_assign(practitioners=[listing])
    listing.refresh_from_db()
    assert listing.external_id == f"listing-{listing.pk}-2"


CONFIRMED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def remind(when: datetime) -> str:
    with time_machine.travel(when, tick=False):
        out = io.StringIO()
        call_command("remind_stale_listings", stdout=out)
    return out.getvalue()


@pytest.fixture
def confirmed_listing(owner) -> Practitioner:
    listing = owned_listing(owner)
    Practitioner.objects.filter(pk=listing.pk).update(confirmed_at=CONFIRMED)
    return listing


def test_nothing_happens_before_eleven_months(confirmed_listing, sent):
    with sent():
        assert "Reminded 0 owner(s); marked 0" in remind(datetime(2026, 11, 30, tzinfo=UTC))
    assert mail.outbox == []


def test_the_owner_is_reminded_once_after_eleven_months_however_often_cron_runs(confirmed_listing, sent):
    with sent():
        first = remind(datetime(2026, 12, 12, tzinfo=UTC))
        second = remind(datetime(2026, 12, 13, tzinfo=UTC))
    assert "Reminded 1 owner(s)" in first and "Reminded 0 owner(s)" in second
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.com"]
    assert "Still correct" in mail.outbox[0].body and "https://directory.example/practice/" in mail.outbox[0].body
    assert AuditEntry.objects.get().action == "reminded"


def test_after_twelve_months_the_listing_is_marked_once_on_its_profile_and_in_the_api(client, confirmed_listing, sent):
    with sent():
        first = remind(datetime(2027, 1, 11, tzinfo=UTC))
        second = remind(datetime(2027, 1, 12, tzinfo=UTC))
    assert "marked 1 listing(s)" in first and "marked 0 listing(s)" in second
    assert "Not recently confirmed" in client.get(confirmed_listing.get_absolute_url()).content.decode()
    (result,) = client.get("/api/v1/practitioners/", {"near": "02108"}).json()["results"]
    assert result["not_recently_confirmed"] is True
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == ["marked_stale", "reminded"]


def test_confirming_lifts_the_mark_at_once_and_starts_a_new_period(client, confirmed_listing, sent):
    remind(datetime(2027, 1, 11, tzinfo=UTC))
    with time_machine.travel(datetime(2027, 2, 1, tzinfo=UTC), tick=False):
        services.listing_confirm(practitioner=confirmed_listing)
    assert (
        client.get("/api/v1/practitioners/", {"near": "02108"}).json()["results"][0]["not_recently_confirmed"] is False
    )
    with sent():
        assert "Reminded 0 owner(s); marked 0" in remind(datetime(2027, 6, 1, tzinfo=UTC))
        assert "Reminded 1 owner(s); marked 0" in remind(datetime(2028, 1, 5, tzinfo=UTC))
        assert "Reminded 0 owner(s); marked 1" in remind(datetime(2028, 2, 2, tzinfo=UTC))


def test_a_listing_nobody_manages_is_marked_from_its_creation_but_nobody_is_e_mailed(sent):
    with time_machine.travel(CONFIRMED, tick=False):
        listing = PractitionerFactory()
    with sent():
        assert "Reminded 0 owner(s); marked 1" in remind(datetime(2027, 1, 11, tzinfo=UTC))
    assert mail.outbox == []
    listing.refresh_from_db()
    assert listing.stale_since is not None


def _pending_edit_of(listing: Practitioner, **changes: str) -> Revision:
    proposed = listing_values(listing)
    proposed["practitioner"].update(changes)
    return services.listing_edit(
        practitioner=listing, editor=listing.owner, proposed=proposed, accepting_new_patients=True
    )


def test_a_claim_approved_away_from_an_owner_withdraws_their_pending_edit_and_records_it(owner, moderator, sent):
    listing = owned_listing(owner)
    revision = _pending_edit_of(listing, bio="The previous owner's proposal.")
    claimant = UserFactory(email="new-owner@example.com")
    claim = services.claim_submit(practitioner=listing, claimant=claimant, note="", npi="", email_verified=False)
    with sent():
        desk.claim_approve(claim=claim, moderator=moderator)
    revision.refresh_from_db()
    assert revision.status == Revision.Status.OWNER_CHANGED and revision.proposed["practitioner"]["bio"]
    assert not Revision.objects.pending().exists()
    withdrawn = AuditEntry.objects.get(action=AuditEntry.Action.REVISION_WITHDRAWN)
    assert (withdrawn.actor, withdrawn.changes) == (moderator, [["edit sent by", f"account #{owner.pk}", ""]])
    with pytest.raises(desk.ReviewConflict):  # nobody can publish it any more, the new owner included
        desk.revision_approve(revision=revision, moderator=moderator)


def test_the_new_owner_edits_the_published_listing_not_the_previous_owners_proposal(client, owner, moderator):
    listing = owned_listing(owner, bio="Published bio.")
    _pending_edit_of(listing, bio="The previous owner's proposal.")
    claimant = UserFactory(email="new-owner@example.com")
    claim = services.claim_submit(practitioner=listing, claimant=claimant, note="", npi="", email_verified=False)
    desk.claim_approve(claim=claim, moderator=moderator)
    client.force_login(claimant)
    page = client.get(reverse("practice:edit", args=[listing.pk])).content.decode()
    assert "Published bio." in page and "previous owner" not in page
    assert "awaiting review" not in client.get(reverse("practice:dashboard")).content.decode()


def test_an_automatic_claim_of_a_listing_whose_owner_left_withdraws_the_edit_they_left(owner):
    listing = owned_listing(owner, email="clinic@example.com")
    revision = _pending_edit_of(listing, bio="Left behind.")
    owner.delete()  # an account removed in the admin: the listing is unowned, its edit still pending
    claimant = UserFactory(email="clinic@example.com")
    services.claim_submit(practitioner=listing, claimant=claimant, note="", npi="", email_verified=True)
    revision.refresh_from_db()
    listing.refresh_from_db()
    assert listing.owner == claimant and revision.status == Revision.Status.OWNER_CHANGED
    assert AuditEntry.objects.get(action=AuditEntry.Action.REVISION_WITHDRAWN).actor is None
