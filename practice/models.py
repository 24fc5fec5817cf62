"""What practitioners send in that waits for a moderator: claims of a listing and edits of a published one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Practitioner


class Reviewed(models.Model):
    """Something a moderator decides on: who decided, when, and the reason the practitioner is told."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text=_("Why it was rejected, as told to the practitioner."))

    class Meta:
        abstract = True


class ReviewQuerySet(models.QuerySet):
    def pending(self) -> ReviewQuerySet:
        return self.filter(status=self.model.Status.PENDING)


class Revision(Reviewed):
    """A proposed edit of a published listing: the values it would have, applied atomically on approval.

    `proposed` holds {"practitioner": {field: value}, "techniques": [technique ids], "locations": [{"id": id or
    None, field: value}]} (practice.listing builds and applies it); the live rows stay what patients see."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Replaced by a later edit")
        WITHDRAWN = "withdrawn", _("Withdrawn by the practitioner")
        OWNER_CHANGED = "owner_changed", _("Withdrawn: the listing changed hands")

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="revisions")
    proposed = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="submitted_revisions"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner"], condition=Q(status="pending"), name="one_pending_revision_per_listing"
            )
        ]

    def __str__(self) -> str:
        return f"Edit of {self.practitioner} ({self.get_status_display().lower()})"


class Claim(Reviewed):
    """Someone's request to manage a listing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="claims")
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims")
    note = models.TextField(blank=True)
    npi = models.CharField(_("NPI"), max_length=10, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    approved_automatically = models.BooleanField(
        default=False, help_text=_("Approved because the account's verified e-mail is the listing's e-mail.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "claimant"],
                condition=Q(status="pending"),
                name="one_pending_claim_per_claimant",
            )
        ]

    def __str__(self) -> str:
        return f"Claim of {self.practitioner} by {self.claimant}"


class OnClosing(models.TextChoices):
    """What becomes of the listings of an account being closed, as its owner chooses."""

    RELEASE = "release", _("Keep them in the directory, managed by nobody (they can be claimed again)")
    UNPUBLISH = "unpublish", _("Take them off the directory")


class PatientMessage(models.Model):
    """A patient's question, relayed by e-mail to a listing's address. Kept 30 days (purge_messages), for the
    desk's counts and the "this is spam" link; the desk never reads the text."""

    class ContactTime(models.TextChoices):
        ANY = "any", _("Any time")
        MORNING = "morning", _("Mornings")
        AFTERNOON = "afternoon", _("Afternoons")
        EVENING = "evening", _("Evenings")

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="patient_messages")
    sender_name = models.CharField(max_length=100)
    sender_email = models.EmailField()
    sender_phone = models.CharField(max_length=40, blank=True)
    contact_time = models.CharField(max_length=20, choices=ContactTime.choices, default=ContactTime.ANY)
    body = models.TextField(max_length=2000)
    # The sender's address as a keyed hash (practice.questions.sender_key): what a block matches, kept after purge.
    sender_key = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    delivered = models.BooleanField(default=True, help_text=_("False when the sender was blocked for this listing."))
    marked_spam_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"Message to {self.practitioner} ({self.sent_at:%Y-%m-%d})"


class BlockedSender(models.Model):
    """A sender whose messages to one listing are accepted but never delivered: its owner marked one as spam."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="blocked_senders")
    sender_key = models.CharField(max_length=64)
    blocked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "sender_key"], name="one_block_per_sender_and_listing")
        ]

    def __str__(self) -> str:
        return f"Sender blocked for {self.practitioner}"
