"""The admin as a moderation desk: the queue on its index, and a login rate-limited like allauth's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from allauth.core import ratelimit
from django.contrib import admin
from django.contrib.auth.forms import UsernameField
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from directory.models import Photo, Practitioner, Training
from moderation.models import Report
from practice.models import Claim, Revision

QUEUE_LENGTH = 10


def login_identity(typed: str) -> str:
    """The account a sign-in names, as authentication finds it: the admin's login form normalises the name (NFKC:
    full-width letters become ASCII), allauth's backend compares it in lower case. The failures limit counts
    by this, so "admin@example.org" in full-width letters is the same account, not a fresh allowance."""
    return (UsernameField().to_python(typed) or "").strip().lower()


@dataclass
class Queue:
    """One kind of work waiting for a moderator, oldest first."""

    title: str
    count: int
    items: list[tuple[Model, str, datetime]]  # each with its admin page and since when it waits
    url: str  # the admin's list of all of them


def _queue(title: str, waiting: QuerySet, list_filter: str) -> Queue:
    """`waiting` is ordered oldest first by the field saying since when each item waits."""
    model = waiting.model._meta
    since = waiting.query.order_by[0]
    url = reverse(f"admin:{model.app_label}_{model.model_name}_changelist") + list_filter
    change = f"admin:{model.app_label}_{model.model_name}_change"
    items = [(item, reverse(change, args=[item.pk]), getattr(item, since)) for item in waiting[:QUEUE_LENGTH]]
    return Queue(title, waiting.count(), items, url)


class DeskSite(admin.AdminSite):
    site_header = "Upper Cervical Directory: moderation desk"
    site_title = "Moderation desk"
    index_title = "Waiting for a moderator"
    index_template = "moderation/admin/index.html"
    # No sidebar of every model: it took 300 px of a 1280 px screen and put 60 Tab stops before each page's
    # own content (Save was the 63rd). The index and the breadcrumbs lead everywhere it did.
    enable_nav_sidebar = False

    def queues(self, request: HttpRequest) -> list[Queue]:
        """The queue sections this user may see, each with its count and oldest items."""
        sections = [
            (
                Practitioner,
                "Listings awaiting review",
                Practitioner.objects.awaiting_review().order_by("created_at", "pk"),
                "?status__exact=pending&from_registry=not_unclaimed",
            ),
            (
                Revision,
                "Edits awaiting review",
                Revision.objects.pending().select_related("practitioner").order_by("submitted_at", "pk"),
                "?status__exact=pending",
            ),
            (
                Claim,
                "Claims awaiting review",
                Claim.objects.pending().select_related("practitioner", "claimant").order_by("created_at", "pk"),
                "?status__exact=pending",
            ),
            (
                Training,
                "Training to verify",
                Training.objects.pending().select_related("practitioner", "technique").order_by("submitted_at", "pk"),
                "?status__exact=pending",
            ),
            (
                Photo,
                "Photos to approve",
                Photo.objects.pending().select_related("practitioner", "location").order_by("submitted_at", "pk"),
                "?status__exact=pending",
            ),
            (
                Report,
                "Open reports",
                Report.objects.open().select_related("practitioner").order_by("created_at", "pk"),
                "?open=yes",
            ),
        ]
        user = request.user
        return [
            _queue(title, waiting, list_filter)
            for model, title, waiting, list_filter in sections
            if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
        ]

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return super().index(request, {"queues": self.queues(request), **(extra_context or {})})

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Failed sign-ins are limited per address and per e-mail, as allauth limits its own (settings:
        ACCOUNT_RATE_LIMITS["admin_login_failed"]); a success does not count."""
        if request.method != "POST":
            return super().login(request, extra_context)
        key = login_identity(request.POST.get("username", ""))
        if not ratelimit.consume(request, action="admin_login_failed", key=key, dry_run=True):
            return ratelimit.respond_429(request)
        response = super().login(request, extra_context)
        if not request.user.is_authenticated or not request.user.is_staff:
            ratelimit.consume(request, action="admin_login_failed", key=key)
        return response
