"""What the desk keeps: patients' reports of wrong information, and the audit trail of what moderators did."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Practitioner


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """One thing a moderator (or a scheduled command) did: who, when, to which listing, what changed, why.
    Append-only: an entry is never changed or deleted."""

    class Action(models.TextChoices):
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        UNPUBLISHED = "unpublished", "Unpublished"
        EDITED = "edited", "Edited in the admin"
        REVISION_APPROVED = "revision_approved", "Edit approved"
        REVISION_REJECTED = "revision_rejected", "Edit rejected"
        REVISION_WITHDRAWN = "revision_withdrawn", "Edit withdrawn: the listing changed hands"
        CLAIM_APPROVED = "claim_approved", "Claim approved"
        CLAIM_REJECTED = "claim_rejected", "Claim rejected"
        REPORT_RESOLVED = "report_resolved", "Report resolved"
        IMPORTED = "imported", "Imported from a CSV file"
        EXPORTED = "exported", "Given an external id for export"
        REMINDED = "reminded", "Owner reminded to confirm"
        MARKED_STALE = "marked_stale", 'Marked "not recently confirmed"'
        TECHNIQUE_CHANGED = "technique_changed", "Technique changed"
        ACCOUNT_CLOSED = "account_closed", "Owner closed their account"
        TRAINING_VERIFIED = "training_verified", "Training verified"
        TRAINING_REJECTED = "training_rejected", "Training not verified"
        TRAINING_LAPSED = "training_lapsed", "Training verification lapsed"
        PHOTO_APPROVED = "photo_approved", "Photo approved"
        PHOTO_REJECTED = "photo_rejected", "Photo rejected"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it (empty for a scheduled command).",
    )
    actor_label = models.CharField(
        "by account",
        max_length=40,
        blank=True,
        help_text='Who did it, by number ("account #12"); kept when the account is closed.',
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    subject = models.CharField(max_length=300, help_text="What it was done to, as it was called then.")
    changes = models.JSONField(default=list, blank=True, help_text="[field, before, after] for each change.")
    reason = models.TextField(blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit trail"

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.subject}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only.")

    @property
    def who(self) -> str:
        """The actor as the desk shows it: the account while it exists, its number once closed."""
        if self.actor_id is not None:
            return str(self.actor)
        return f"{self.actor_label} (closed)" if self.actor_label else "scheduled command"


class ReportQuerySet(models.QuerySet["Report"]):
    def open(self) -> ReportQuerySet:
        return self.filter(resolved_at__isnull=True)


class Report(models.Model):
    """A patient's report that a listing is wrong. It changes nothing by itself: a moderator resolves it."""

    class Problem(models.TextChoices):
        MOVED = "moved", _("The practice has moved")
        CLOSED = "closed", _("The practice has closed")
        WRONG_PHONE = "wrong_phone", _("The phone number is wrong")
        WRONG_TECHNIQUE = "wrong_technique", _("A technique is wrong")
        OTHER = "other", _("Something else")

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="reports")
    problem = models.CharField("what is wrong", max_length=20, choices=Problem.choices)
    details = models.TextField(blank=True)
    email = models.EmailField("e-mail for a reply", blank=True)
    # The language of the page the report was made on: the reply e-mail is written in it.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True, help_text="The moderator's note, as told to the owner and reporter.")

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["created_at"], name="report_open", condition=models.Q(resolved_at=None))]

    def __str__(self) -> str:
        return f"{self.get_problem_display()}: {self.practitioner}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
