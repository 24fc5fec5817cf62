"""Training to verify, on the desk: the record and its evidence beside the decisions (verify, verify until a date,
or decline with a reason), each through a service that audits it and e-mails the owner."""

from __future__ import annotations

from datetime import date

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html

from directory.models import Training
from moderation import services
from moderation.decisions import DecidedOnItsPage, Decision

TOLD_THE_OWNER = "the owner reads it in an e-mail"


def _pending(record: Training) -> bool:
    return record.status == Training.Status.PENDING


def lapse_date(text: str) -> date:
    """The date a moderator typed for a verification to lapse: a day after today, as YYYY-MM-DD."""
    try:
        day = parse_date(text.strip())
    except ValueError:
        day = None
    if day is None:
        raise services.ReviewConflict(f'"{text[:40]}" is not a date: write it as YYYY-MM-DD, e.g. 2027-06-30.')
    if day <= timezone.localdate():
        raise services.ReviewConflict(f"{day:%Y-%m-%d} has passed: a verification must lapse after today.")
    return day


class TrainingAdmin(DecidedOnItsPage, admin.ModelAdmin):
    """Read-only records; the decisions are the only writes."""

    list_display = ["practitioner", "technique", "level", "status", "submitted_at", "verified_until"]
    list_filter = ["status", "technique"]
    list_select_related = ["practitioner", "technique"]
    search_fields = ["practitioner__name", "body", "certificate_number"]
    fields = [
        "practitioner", "technique", "body", "level", "year", "certificate_number", "expires_on", "evidence_file",
        "status", "submitted_at", "verified_on", "verified_until", "decided_by", "decided_at", "reason",
    ]  # fmt: skip
    readonly_fields = fields
    decisions = (
        Decision(
            "verify",
            "Verify",
            lambda record, moderator, _: services.training_verify(training=record, moderator=moderator),
            applies=_pending,
        ),
        Decision(
            "verify_until",
            "Verify until a date",
            lambda record, moderator, text: services.training_verify(
                training=record, moderator=moderator, until=lapse_date(text)
            ),
            applies=_pending,
            asks="Lapses on (YYYY-MM-DD)",
            help="the badge disappears that day; the owner is reminded 30 days before",
            asks_a_date=True,
        ),
        Decision(
            "reject",
            "Do not verify",
            lambda record, moderator, reason: services.training_reject(
                training=record, moderator=moderator, reason=reason
            ),
            applies=_pending,
            asks="Reason for not verifying",
            help=TOLD_THE_OWNER,
        ),
    )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        # Every field is read-only: the decisions are the page's only actions, so no Save buttons.
        buttons = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, {**buttons, **(extra_context or {})})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Training]:
        return super().get_queryset(request).select_related("practitioner", "technique")

    def waiting(self) -> QuerySet[Training]:
        return Training.objects.pending().order_by("submitted_at", "pk")

    @admin.display(description="Evidence")
    def evidence_file(self, record: Training) -> str:
        url = reverse("practice:training_evidence", kwargs={"pk": record.practitioner_id, "training_pk": record.pk})
        return format_html(
            '<a href="{}" download>{}</a> ({}, {} bytes)',
            url,
            record.evidence_name,
            record.get_evidence_type_display(),
            record.evidence_size,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.register(Training, TrainingAdmin)
