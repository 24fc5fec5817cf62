"""The desk's part in what the practitioner side announces (practice.signals): the audit entry of an account
closing, and the reports and history in a practitioner's download of their data."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q
from django.dispatch import receiver

from directory.models import Practitioner
from moderation.models import AuditEntry, Report
from moderation.services import account_label, audit_record
from practice.signals import account_closing, personal_data_requested, revisions_withdrawn


@receiver(account_closing)
def account_closing_record(sender: object, *, user: AbstractBaseUser, listings: list, **kwargs: object) -> None:
    """One entry per listing the account managed (one without a listing if it managed none), by account number:
    the trail keeps who did what once the account and its e-mail address are gone."""
    for practitioner, before in listings:
        changes = [["owner", account_label(user.pk), ""]]
        if practitioner.status != before:
            changes.append(["status", before, practitioner.status])
        audit_record(action=AuditEntry.Action.ACCOUNT_CLOSED, actor=user, practitioner=practitioner, changes=changes)
    if not listings:
        audit_record(action=AuditEntry.Action.ACCOUNT_CLOSED, actor=user, subject=f"Account #{user.pk}")


@receiver(revisions_withdrawn)
def revisions_withdrawn_record(
    sender: object, *, practitioner: Practitioner, revisions: list, actor: AbstractBaseUser | None, **kwargs: object
) -> None:
    """One entry per edit withdrawn because the listing changed hands, naming who had sent it."""
    for revision in revisions:
        audit_record(
            action=AuditEntry.Action.REVISION_WITHDRAWN,
            actor=actor,
            practitioner=practitioner,
            changes=[["edit sent by", account_label(revision.submitted_by_id), ""]],
        )


def _by(entry: AuditEntry, user: AbstractBaseUser) -> str:
    if entry.actor_id == user.pk:
        return "you"
    return "a moderator" if entry.actor_label else "the directory (scheduled)"


@receiver(personal_data_requested)
def personal_data_sections(sender: object, *, user: AbstractBaseUser, **kwargs: object) -> dict:
    """Patients' reports about the account's listings (without the reporters' e-mail addresses) and the history
    of what was done to those listings or by the account (moderators named by role only)."""
    listings = Practitioner.objects.filter(owner=user).values("pk")
    reports = Report.objects.filter(practitioner__in=listings).select_related("practitioner")
    history = AuditEntry.objects.filter(Q(actor=user) | Q(practitioner__in=listings)).order_by("at", "pk")
    return {
        "reports_about_your_listings": [
            {
                "listing": report.practitioner.display_name,
                "problem": report.get_problem_display(),
                "details": report.details,
                "created_at": report.created_at,
                "resolved_at": report.resolved_at,
                "resolution": report.resolution,
            }
            for report in reports.order_by("created_at", "pk")
        ],
        "history": [
            {
                "at": entry.at,
                "action": entry.get_action_display(),
                "subject": entry.subject,
                "by": _by(entry, user),
                "changes": entry.changes,
                "reason": entry.reason,
            }
            for entry in history
        ],
    }
