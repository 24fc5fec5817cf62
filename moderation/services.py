"""The desk's writes. Each is named <entity>_<action>, takes keyword arguments only, and writes its audit entry
in the same transaction as the change it records (a moderator's decision reuses the practitioner side's service,
which locks the listing and e-mails its owner)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from directory.answers import public_version_bump
from directory.importing import ImportReport, practitioners_import
from directory.models import FormerSlug, Photo, Practitioner, Technique, Training
from moderation.diff import revision_changes
from moderation.models import AuditEntry, Report
from practice import services as practice
from practice.models import Claim, Revision
from practice.notifications import absolute_url, email_send, owner_notify
from practice.services import ReviewConflict

__all__ = ["ReviewConflict"]

# "Not confirmed for 11 months" and "for 12 months", counted in days.
REMIND_AFTER = timedelta(days=335)
STALE_AFTER = timedelta(days=365)


def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | None,
    practitioner: Practitioner | None = None,
    subject: str = "",
    changes: Iterable[list] = (),
    reason: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=account_label(actor.pk if actor is not None else None),
        practitioner=practitioner,
        subject=subject or str(practitioner),
        changes=[list(change) for change in changes],
        reason=reason,
    )


def account_label(user_id: int | None) -> str:
    """An account as the audit names it: by number, so the trail outlives the account's e-mail address."""
    return "" if user_id is None else f"account #{user_id}"


def _status_change(
    practitioner: Practitioner,
    moderator: AbstractBaseUser,
    *,
    action: str,
    move: Callable[[], bool],
    reason: str = "",
) -> bool:
    with transaction.atomic():
        before = Practitioner.objects.select_for_update().get(pk=practitioner.pk).status
        if not move():
            return False
        after = Practitioner.objects.values_list("status", flat=True).get(pk=practitioner.pk)
        audit_record(
            action=action,
            actor=moderator,
            practitioner=practitioner,
            changes=[["status", before, after]],
            reason=reason,
        )
    return True


def listing_publish(*, practitioner: Practitioner, moderator: AbstractBaseUser) -> bool:
    """Publishes a pending or rejected listing; False if it was published already."""
    return _status_change(
        practitioner,
        moderator,
        action=AuditEntry.Action.PUBLISHED,
        move=lambda: practice.listing_publish(practitioner=practitioner, moderator=moderator),
    )


def listing_reject(*, practitioner: Practitioner, moderator: AbstractBaseUser, reason: str) -> bool:
    """Rejects a pending listing, keeping all its data; False if it was not pending."""
    return _status_change(
        practitioner,
        moderator,
        action=AuditEntry.Action.REJECTED,
        move=lambda: practice.listing_reject(practitioner=practitioner, moderator=moderator, reason=reason),
        reason=reason,
    )


def listing_unpublish(*, practitioner: Practitioner, moderator: AbstractBaseUser, reason: str) -> bool:
    """Takes a published listing off the directory, keeping all its data; False if it was not published."""
    return _status_change(
        practitioner,
        moderator,
        action=AuditEntry.Action.UNPUBLISHED,
        move=lambda: practice.listing_unpublish(practitioner=practitioner, moderator=moderator, reason=reason),
        reason=reason,
    )


def listing_edited(*, practitioner: Practitioner, moderator: AbstractBaseUser, changes: list[list]) -> None:
    """Records a moderator's correction made in the admin's form (which saved it, and retired cached answers)."""
    if changes:
        audit_record(action=AuditEntry.Action.EDITED, actor=moderator, practitioner=practitioner, changes=changes)


def revision_approve(*, revision: Revision, moderator: AbstractBaseUser) -> None:
    """Applies a pending revision (all of it or nothing) and records what it changed."""
    with transaction.atomic():
        Practitioner.objects.select_for_update().get(pk=revision.practitioner_id)
        changes = revision_changes(Revision.objects.select_related("practitioner").get(pk=revision.pk))
        practice.revision_approve(revision=revision, moderator=moderator)
        audit_record(
            action=AuditEntry.Action.REVISION_APPROVED,
            actor=moderator,
            practitioner=revision.practitioner,
            changes=changes,
        )


def revision_reject(*, revision: Revision, moderator: AbstractBaseUser, reason: str) -> None:
    """Rejects a pending revision; the published listing stays as it is."""
    with transaction.atomic():
        practice.revision_reject(revision=revision, moderator=moderator, reason=reason)
        audit_record(
            action=AuditEntry.Action.REVISION_REJECTED,
            actor=moderator,
            practitioner=revision.practitioner,
            reason=reason,
        )


def claim_approve(*, claim: Claim, moderator: AbstractBaseUser) -> None:
    with transaction.atomic():
        locked = Practitioner.objects.select_for_update()
        owner, npi = locked.values_list("owner", "npi").get(pk=claim.practitioner_id)
        closed = practice.claim_approve(claim=claim, moderator=moderator)
        changes = [["owner", account_label(owner), account_label(claim.claimant_id)]]
        given = Practitioner.objects.values_list("npi", flat=True).get(pk=claim.practitioner_id)
        if given != npi:
            changes.append(["npi", npi, given])
        audit_record(
            action=AuditEntry.Action.CLAIM_APPROVED, actor=moderator, practitioner=claim.practitioner, changes=changes
        )
        for other in closed:
            audit_record(
                action=AuditEntry.Action.CLAIM_REJECTED,
                actor=moderator,
                practitioner=claim.practitioner,
                changes=[["claimant", account_label(other.claimant_id), ""]],
                reason=other.reason,
            )


def claim_reject(*, claim: Claim, moderator: AbstractBaseUser, reason: str) -> None:
    with transaction.atomic():
        practice.claim_reject(claim=claim, moderator=moderator, reason=reason)
        audit_record(
            action=AuditEntry.Action.CLAIM_REJECTED,
            actor=moderator,
            practitioner=claim.practitioner,
            changes=[["claimant", account_label(claim.claimant_id), ""]],
            reason=reason,
        )


def training_verify(*, training: Training, moderator: AbstractBaseUser, until: date | None = None) -> Training:
    """Verifies a pending training record (until `until`, else the certificate's expiry, if any) and records it."""
    with transaction.atomic():
        verified = practice.training_verify(training=training, moderator=moderator, until=until)
        audit_record(
            action=AuditEntry.Action.TRAINING_VERIFIED,
            actor=moderator,
            practitioner=verified.practitioner,
            subject=str(verified),
            changes=[["verified_until", "", verified.verified_until.isoformat() if verified.verified_until else ""]],
        )
    return verified


def training_reject(*, training: Training, moderator: AbstractBaseUser, reason: str) -> Training:
    """Declines to verify a pending training record, with the reason its owner reads, and records it."""
    with transaction.atomic():
        rejected = practice.training_reject(training=training, moderator=moderator, reason=reason)
        audit_record(
            action=AuditEntry.Action.TRAINING_REJECTED,
            actor=moderator,
            practitioner=rejected.practitioner,
            subject=str(rejected),
            reason=reason,
        )
    return rejected


def photo_approve(*, photo: Photo, moderator: AbstractBaseUser) -> Photo:
    """Approves a pending photo (a portrait replacing the previous one) and records it."""
    with transaction.atomic():
        approved = practice.photo_approve(photo=photo, moderator=moderator)
        audit_record(
            action=AuditEntry.Action.PHOTO_APPROVED,
            actor=moderator,
            practitioner=approved.practitioner,
            subject=str(approved),
            changes=[["alt_text", "", approved.alt_text]],
        )
    return approved


def photo_reject(*, photo: Photo, moderator: AbstractBaseUser, reason: str) -> Photo:
    """Rejects a pending photo, with the reason its owner reads, and records it."""
    with transaction.atomic():
        rejected = practice.photo_reject(photo=photo, moderator=moderator, reason=reason)
        audit_record(
            action=AuditEntry.Action.PHOTO_REJECTED,
            actor=moderator,
            practitioner=rejected.practitioner,
            subject=str(rejected),
            reason=reason,
        )
    return rejected


def report_submit(
    *, practitioner: Practitioner, problem: str, details: str, email: str, language: str = settings.LANGUAGE_CODE
) -> Report:
    """A patient's report, made on a page in `language` (the reply is written in it); it changes nothing on the
    listing until a moderator acts."""
    return Report.objects.create(
        practitioner=practitioner, problem=problem, details=details, email=email, language=language
    )


def report_resolve(*, report: Report, moderator: AbstractBaseUser, note: str) -> None:
    """Closes an open report with a note, which the listing's owner and the reporter (if they left an e-mail)
    are sent."""
    with transaction.atomic():
        locked = Report.objects.select_for_update(of=("self",)).select_related("practitioner__owner")
        report = locked.get(pk=report.pk)
        if not report.is_open:
            raise ReviewConflict(f"The report {report} was already resolved.")
        report.resolved_at, report.resolved_by, report.resolution = timezone.now(), moderator, note
        report.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        audit_record(
            action=AuditEntry.Action.REPORT_RESOLVED,
            actor=moderator,
            practitioner=report.practitioner,
            changes=[["report", report.get_problem_display(), "resolved"]],
            reason=note,
        )
        owner_notify(practitioner=report.practitioner, template="moderation/email/report_resolved", report=report)
        if report.email:
            with translation.override(report.language):  # the listing's link in the reporter's language too
                profile_url = absolute_url(report.practitioner.get_absolute_url())
            email_send(
                to=report.email,
                template="moderation/email/report_answered",
                context={"report": report, "profile_url": profile_url},
                language=report.language,
            )


def technique_save(*, technique: Technique, moderator: AbstractBaseUser, before: dict[str, str]) -> None:
    """Saves a technique an admin added or changed. A changed slug keeps the old one as a former slug, so old
    links (301) and old search URLs keep finding the technique."""
    with transaction.atomic():
        technique.save()
        FormerSlug.objects.filter(slug=technique.slug).delete()  # its own former slug, taken back
        if before.get("slug") and before["slug"] != technique.slug:
            FormerSlug.objects.get_or_create(slug=before["slug"], defaults={"technique": technique})
        changes = [[name, value, getattr(technique, name) or ""] for name, value in before.items()]
        changes = [change for change in changes if change[1] != change[2]]
        public_version_bump()
        audit_record(
            action=AuditEntry.Action.TECHNIQUE_CHANGED,
            actor=moderator,
            subject=f"Technique {technique.name}",
            changes=changes,
        )


def listings_import(*, rows: Iterable[tuple[int, dict]], moderator: AbstractBaseUser, file_name: str) -> ImportReport:
    """The CSV import, all or nothing, recorded in the audit trail when it wrote anything."""
    with transaction.atomic():
        report = practitioners_import(rows=rows)
        if not report.problems and (report.created or report.updated):
            audit_record(
                action=AuditEntry.Action.IMPORTED,
                actor=moderator,
                subject=f"File {file_name}",
                changes=[["created", "", str(report.created)], ["updated", "", str(report.updated)]],
            )
    return report


def external_ids_assign(*, practitioners: Iterable[Practitioner]) -> int:
    """Gives each listing without an external id (one a practitioner created) a stable one, "listing-<id>", which
    it keeps, so that an export re-imported matches it. Returns how many were given one."""
    given = 0
    with transaction.atomic():
        for practitioner in practitioners:
            if practitioner.external_id:
                continue
            candidate, suffix = f"listing-{practitioner.pk}", 1
            while Practitioner.objects.filter(external_id=candidate).exists():
                suffix += 1
                candidate = f"listing-{practitioner.pk}-{suffix}"
            unnumbered = Q(external_id=None) | Q(external_id="")
            given += Practitioner.objects.filter(unnumbered, pk=practitioner.pk).update(external_id=candidate)
            practitioner.external_id = candidate
    return given


def _since() -> Coalesce:
    return Coalesce("confirmed_at", "created_at")


def listings_remind(*, now: datetime | None = None) -> int:
    """E-mails the owner of each published listing not confirmed for REMIND_AFTER, once per such period."""
    now = now or timezone.now()
    due = (
        Practitioner.objects.published()
        .filter(owner__isnull=False)
        .annotate(since=_since())
        .filter(since__lte=now - REMIND_AFTER)
        .filter(Q(reminded_at=None) | Q(reminded_at__lt=F("since")))
    )
    reminded = 0
    for practitioner in due.select_related("owner"):
        with transaction.atomic():
            # Counted only if this run set it: a run at the same time finds it set and moves on.
            if not Practitioner.objects.filter(pk=practitioner.pk, reminded_at=practitioner.reminded_at).update(
                reminded_at=now
            ):
                continue
            owner_notify(practitioner=practitioner, template="moderation/email/stale_reminder")
            audit_record(action=AuditEntry.Action.REMINDED, actor=None, practitioner=practitioner)
            reminded += 1
    return reminded


def listings_mark_stale(*, now: datetime | None = None) -> int:
    """Marks each published listing not confirmed for STALE_AFTER "not recently confirmed", once per period."""
    now = now or timezone.now()
    due = (
        Practitioner.objects.published()
        .annotate(since=_since())
        .filter(since__lte=now - STALE_AFTER)
        .filter(Q(stale_since=None) | Q(stale_since__lt=F("since")))
    )
    marked = 0
    with transaction.atomic():
        for practitioner in due:
            if Practitioner.objects.filter(pk=practitioner.pk, stale_since=practitioner.stale_since).update(
                stale_since=now
            ):
                audit_record(action=AuditEntry.Action.MARKED_STALE, actor=None, practitioner=practitioner)
                marked += 1
        if marked:
            public_version_bump()
    return marked


# A verification's owner is told this many days before it lapses, and again on the day.
LAPSE_WARNING = timedelta(days=30)


def _training_due(verified: QuerySet, sent_field: str) -> list[Training]:
    """`verified` records whose reminder `sent_field` was not sent for their current lapse date."""
    not_sent = Q(**{f"{sent_field}__isnull": True}) | ~Q(**{sent_field: F("verified_until")})
    return list(verified.filter(not_sent).select_related("practitioner__owner", "technique").order_by("pk"))


def _training_remind(record: Training, *, sent_field: str, template: str, lapsed: bool) -> bool:
    """Sends one reminder of `record`, once per lapse date even if two runs overlap (the update decides)."""
    with transaction.atomic():
        claimed = Training.objects.filter(
            Q(**{f"{sent_field}__isnull": True}) | ~Q(**{sent_field: F("verified_until")}),
            pk=record.pk,
            verified_until=record.verified_until,
            status=Training.Status.VERIFIED,
        ).update(**{sent_field: record.verified_until})
        if not claimed:
            return False
        owner_notify(
            practitioner=record.practitioner,
            template=template,
            training=record,  # owner_notify links the training page in the owner's language
        )
        if lapsed:
            audit_record(
                action=AuditEntry.Action.TRAINING_LAPSED,
                actor=None,
                practitioner=record.practitioner,
                subject=str(record),
            )
    return True


def training_lapses_notify(*, today: date | None = None) -> tuple[int, int]:
    """E-mails the owner of each verified training record LAPSE_WARNING before its verification lapses, and on
    the day it does (patients stop seeing its badge that day: search answers are cached per day). Each once per
    lapse date, however often this runs; a run missed is made up by the next. Returns (warned, lapsed)."""
    today = today or timezone.localdate()
    verified = Training.objects.filter(status=Training.Status.VERIFIED, verified_until__isnull=False)
    lapsing = verified.filter(verified_until__gt=today, verified_until__lte=today + LAPSE_WARNING)
    warned = sum(
        _training_remind(record, sent_field="lapse_warned_for", template="training_lapsing", lapsed=False)
        for record in _training_due(lapsing, "lapse_warned_for")
    )
    lapsed = sum(
        _training_remind(record, sent_field="lapse_notified_for", template="training_lapsed", lapsed=True)
        for record in _training_due(verified.filter(verified_until__lte=today), "lapse_notified_for")
    )
    return warned, lapsed
