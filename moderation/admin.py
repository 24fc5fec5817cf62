"""The moderation desk in the admin. Every decision calls a service in moderation/services.py (never a bare
save()), which writes the audit entry and e-mails the practitioner; nothing a practitioner sent is deleted here."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.crypto import get_random_string
from django.utils.html import format_html, format_html_join
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import build_localized_fieldname

from directory.admin import ChangesWhatPatientsSee, LocationAdminForm, PractitionerAdmin
from directory.importing import csv_rows, practitioners_validate
from directory.models import FormerSlug, Location, Practitioner, Technique, UnmetDemand
from directory.npi import is_valid_npi
from moderation import services
from moderation.decisions import DecidedOnItsPage, Decision
from moderation.diff import revision_changes
from moderation.exporting import EXPORT_FILE_NAME, export_write
from moderation.forms import ImportForm, ListingAdminForm, NoteForm
from moderation.models import AuditEntry, Report
from moderation.registry import (
    FAILURE_CACHE_SECONDS,
    Mismatch,
    Outcome,
    confirms_claim,
    registry_lookup,
    registry_mismatches,
    registry_peek,
)
from practice.forms import ReasonForm
from practice.listing import listing_changes, listing_values
from practice.models import Claim, Revision
from practice.questions import KEPT_DAYS, message_counts

IMPORT_SECONDS = 3600  # how long an uploaded file waits for its confirmation


def with_reason(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    action: str,
    title: str,
    decide: Callable[[object, str], bool | None],
    form_class: type[forms.Form] = ReasonForm,
) -> HttpResponse | None:
    """Asks for a reason (or a note) on an intermediate page, then calls `decide(item, text)` for each item."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        done = 0
        for item in queryset:
            try:
                if decide(item, next(iter(form.cleaned_data.values()))) is not False:
                    done += 1
            except services.ReviewConflict as conflict:
                modeladmin.message_user(request, str(conflict), messages.WARNING)
        modeladmin.message_user(request, f"{title}: {done} of {len(queryset)} done.", messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "items": queryset,
        "action": action,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "moderation/admin/reason.html", context)


def changes_table(changes: list[list]) -> str:
    """[what, before, after] rows as an escaped table."""
    if not changes:
        return "-"
    body = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>", changes)
    return format_html(
        "<table class='diff'><thead><tr><th scope='col'>Field</th><th scope='col'>Before</th>"
        "<th scope='col'>After</th></tr></thead><tbody>{}</tbody></table>",
        body,
    )


NEW_LISTING = {"practitioner": {}, "techniques": [], "locations": []}


def _listing_record(practitioner: Practitioner, form: forms.ModelForm) -> dict:
    """The listing in the proposal's shape (practice.listing), with every field the admin's form edits."""
    record = listing_values(practitioner)
    names = [field.name for field in Practitioner._meta.concrete_fields if field.name in form.fields]
    record["practitioner"].update({name: getattr(practitioner, name) for name in names})
    return record


class LocationInline(admin.StackedInline):
    model = Location
    form = LocationAdminForm
    extra = 0
    readonly_fields = ["placement"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a practitioner's location goes only through their edit and its review


class TechniqueListFilter(admin.RelatedFieldListFilter):
    """The techniques, and listings that name none (the admin's default calls that choice "-")."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.empty_value_display = "No technique named"


def _is(status: str) -> Callable[[Practitioner], bool]:
    return lambda practitioner: practitioner.status == status


TOLD_THE_OWNER = "the owner reads it in an e-mail"


class ListingDeskForm(ListingAdminForm):
    """The listing's admin form, with its NPI checked: 10 digits whose last is the check digit, on one listing."""

    def clean_npi(self) -> str:
        npi = self.cleaned_data["npi"]
        if npi and not is_valid_npi(npi):
            raise forms.ValidationError(
                f"{npi} is not a valid NPI: an NPI is 10 digits, the last a check digit computed from the others. "
                "Check it against the practitioner's documents or the NPI registry."
            )
        other = Practitioner.objects.filter(npi=npi).exclude(pk=self.instance.pk).first() if npi else None
        if other is not None:
            raise forms.ValidationError(f"Another listing already has NPI {npi}: {other} (#{other.pk}).")
        return npi


class FromTheRegistryFilter(admin.SimpleListFilter):
    """Listings seeded from the NPI registry's file (import_nppes) or not."""

    title = "NPI registry"
    parameter_name = "from_registry"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("yes", "From the NPI registry"),
            ("unclaimed", "From the NPI registry, not yet claimed"),
            ("no", "Not from the NPI registry"),
            ("not_unclaimed", "All but the unclaimed from the registry"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> QuerySet[Practitioner]:
        unclaimed = Q(owner=None, registry_values__isnull=False)
        if self.value() in ("yes", "no"):
            return queryset.filter(registry_values__isnull=self.value() == "no")
        if self.value() == "unclaimed":
            return queryset.filter(unclaimed)
        if self.value() == "not_unclaimed":
            return queryset.exclude(unclaimed)
        return queryset


class ShowsTheRegistry(admin.ModelAdmin):
    """A change page with a panel saying what the NPI registry says about the item's NPI and where it differs from
    the listing. The registry is asked before the admin opens its transaction (a slow registry holds no lock),
    once per page at most, and its answer is cached (moderation.registry)."""

    change_form_template = "moderation/admin/registry_change_form.html"
    checks_a_claim = False

    def registry_subject(self, item: Practitioner | Claim) -> tuple[str, Practitioner]:
        """The NPI to check, and the listing to check it against."""
        raise NotImplementedError

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        item = self.get_object(request, unquote(object_id))
        if item is not None and self.has_view_or_change_permission(request, item):
            npi, listing = self.registry_subject(item)
            if npi:
                extra_context = {"registry": self.registry_panel(npi, listing), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def registry_panel(self, npi: str, listing: Practitioner) -> dict:
        answer = registry_lookup(npi)
        flags = registry_mismatches(
            answer,
            listing_name=listing.name,
            listing_states=[location.state for location in listing.locations.all()],
            deactivated_on_file=listing.registry_deactivated_on,
        )
        return {
            "answer": answer,
            "flags": flags,
            "claim": self.checks_a_claim,
            "confirms": confirms_claim(answer, listing_name=listing.name),
            "retry_minutes": FAILURE_CACHE_SECONDS // 60,
        }


class ListingAdmin(ShowsTheRegistry, DecidedOnItsPage, PractitionerAdmin):
    form = ListingDeskForm
    decisions = (
        Decision(
            "publish",
            "Publish",
            lambda listing, moderator, _: services.listing_publish(practitioner=listing, moderator=moderator),
            applies=lambda listing: listing.status != Practitioner.Status.PUBLISHED,
        ),
        Decision(
            "reject",
            "Reject",
            lambda listing, moderator, reason: services.listing_reject(
                practitioner=listing, moderator=moderator, reason=reason
            ),
            applies=_is(Practitioner.Status.PENDING),
            asks="Reason for rejecting",
            help=TOLD_THE_OWNER,
        ),
        Decision(
            "unpublish",
            "Unpublish",
            lambda listing, moderator, reason: services.listing_unpublish(
                practitioner=listing, moderator=moderator, reason=reason
            ),
            applies=_is(Practitioner.Status.PUBLISHED),
            asks="Reason for unpublishing",
            help=TOLD_THE_OWNER,
        ),
    )

    def waiting(self) -> QuerySet[Practitioner]:
        return Practitioner.objects.awaiting_review().order_by("created_at", "pk")

    # What a moderator decides on, in columns that fit 1280 px beside the filters: who, where, its state, its age.
    list_display = ["name", "status", "owner", "city", "added"]
    list_select_related = ["owner"]
    list_filter = ["status", "accepting_new_patients", ("techniques", TechniqueListFilter), FromTheRegistryFilter]

    def registry_subject(self, practitioner: Practitioner) -> tuple[str, Practitioner]:
        return practitioner.npi, practitioner

    def get_queryset(self, request: HttpRequest) -> QuerySet[Practitioner]:
        first_city = Location.objects.filter(practitioner=OuterRef("pk")).order_by("pk").values("city")[:1]
        return super().get_queryset(request).annotate(first_city=Subquery(first_city))

    @admin.display(description="City", ordering="first_city")
    def city(self, practitioner: Practitioner) -> str:
        return practitioner.first_city or "-"

    @admin.display(description="Added", ordering="created_at")
    def added(self, practitioner: Practitioner) -> str:
        return _day(practitioner.created_at)

    readonly_fields = [
        *PractitionerAdmin.readonly_fields,
        "status",
        "rejection_reason",
        "owner",
        "confirmed_at",
        "reminded_at",
        "stale_since",
        "registry_deactivated_on",  # written by import_nppes from the registry's file
        "questions_enabled",  # the owner's choices (practice/questions.py): the desk sees them, never overrides them
        "show_email",
        "patient_messages",
        "audit_trail",
    ]
    inlines = [LocationInline]
    filter_horizontal = []  # the two-box widget's icons fail axe; a list of checkboxes works with any input
    formfield_overrides = {
        **PractitionerAdmin.formfield_overrides,
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
    actions = ["publish", "reject", "unpublish", "export_csv"]
    change_list_template = "moderation/admin/listing_change_list.html"

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deleting goes one listing at a time, and never an owned one
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Practitioner | None = None) -> bool:
        if obj is not None and (obj.owner_id or obj.revisions.exists() or obj.claims.exists()):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="Questions from patients")
    def patient_messages(self, practitioner: Practitioner) -> str:
        """Counts only: what patients wrote is between them and the practitioner."""
        counts = message_counts(practitioner)
        return (
            f"{counts['received']} in the last {KEPT_DAYS} days ({counts['undelivered']} from blocked senders, "
            f"{counts['spam']} marked as spam); {counts['blocked']} sender(s) blocked"
        )

    @admin.display(description="Audit trail")
    def audit_trail(self, practitioner: Practitioner) -> str:
        entries = practitioner.audit_entries.select_related("actor")
        if not entries:
            return "Nothing recorded yet."
        rows = [
            (entry.at.strftime("%Y-%m-%d %H:%M"), entry.who, entry.get_action_display(),
             entry.reason or "-", changes_table(entry.changes))
            for entry in entries
        ]  # fmt: skip
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            "<div class='audit'><table><thead><tr><th scope='col'>When</th><th scope='col'>Who</th>"
            "<th scope='col'>What</th><th scope='col'>Why</th><th scope='col'>Changes</th></tr></thead>"
            "<tbody>{}</tbody></table></div>",
            body,
        )

    def save_model(self, request: HttpRequest, obj: Practitioner, form, change: bool) -> None:
        form.listing_before = _listing_record(Practitioner.objects.get(pk=obj.pk), form) if change else NEW_LISTING
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Audits what the save changed, read from the database before and after: not what the form says it
        changed (an inline naming another listing's location "changes" it, and nothing happens)."""
        super().save_related(request, form, formsets, change)
        after = _listing_record(Practitioner.objects.get(pk=form.instance.pk), form)
        changes = listing_changes(form.listing_before, after)
        services.listing_edited(practitioner=form.instance, moderator=request.user, changes=changes)

    @admin.action(description="Publish the selected listings", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> None:
        published = sum(services.listing_publish(practitioner=p, moderator=request.user) for p in queryset)
        self.message_user(request, f"Published {published} listing(s); {len(queryset) - published} already were.")

    @admin.action(description="Reject the selected pending listings (asks for a reason)", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> HttpResponse | None:
        def decide(practitioner: Practitioner, reason: str) -> bool:
            return services.listing_reject(practitioner=practitioner, moderator=request.user, reason=reason)

        return with_reason(self, request, queryset, action="reject", title="Reject listings", decide=decide)

    @admin.action(description="Unpublish the selected published listings (asks for a reason)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> HttpResponse | None:
        def decide(practitioner: Practitioner, reason: str) -> bool:
            return services.listing_unpublish(practitioner=practitioner, moderator=request.user, reason=reason)

        return with_reason(self, request, queryset, action="unpublish", title="Unpublish listings", decide=decide)

    @admin.action(description="Export the selected listings as CSV (the import's columns)", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{EXPORT_FILE_NAME}"'
        export_write(file=response, practitioners=queryset)
        return response

    def get_urls(self) -> list:
        extra = [path("import/", self.admin_site.admin_view(self.import_view), name="directory_practitioner_import")]
        return extra + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV file, read the per-line report, then confirm: all of it is imported, or nothing."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Import listings"}
        if request.method == "POST" and "confirm" in request.POST:
            return self.import_confirm(request, context)
        form = ImportForm(request.POST or None, request.FILES or None)
        context["form"] = form
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["file"]
            file_name = request.FILES["file"].name
            imported, report = practitioners_validate(rows=csv_rows(io.StringIO(text)))
            token = get_random_string(32)
            cache.set(f"import:{request.user.pk}:{token}", (text, file_name), IMPORT_SECONDS)
            context.update(report=report, practitioners=len(imported), token=token, file_name=file_name)
        return TemplateResponse(request, "moderation/admin/import.html", context, status=400 if form.errors else 200)

    def import_confirm(self, request: HttpRequest, context: dict) -> HttpResponse:
        key = f"import:{request.user.pk}:{request.POST.get('token', '')}"
        stored = cache.get(key)
        # The upload is used once: it is marked used, then taken; a second confirmation (a double click, at
        # once or later) finds it gone and is told it was imported.
        if stored is not None:
            cache.set(f"{key}:used", True, IMPORT_SECONDS)
        if stored is None or not cache.delete(key):
            if cache.get(f"{key}:used"):
                self.message_user(request, "That upload was already confirmed: it is imported once.", messages.WARNING)
                return HttpResponseRedirect(reverse("admin:directory_practitioner_changelist"))
            self.message_user(request, "That upload has expired: upload the file again.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:directory_practitioner_import"))
        text, file_name = stored
        rows = csv_rows(io.StringIO(text))
        try:
            report = services.listings_import(rows=rows, moderator=request.user, file_name=file_name)
        except Exception:
            cache.set(key, stored, IMPORT_SECONDS)  # nothing was written: the same upload can be confirmed again
            cache.delete(f"{key}:used")
            raise
        if report.problems:
            context.update(report=report, form=ImportForm(), file_name=file_name)
            self.message_user(request, "The file has problems now: nothing was imported.", messages.ERROR)
            return TemplateResponse(request, "moderation/admin/import.html", context, status=400)
        self.message_user(
            request,
            f"Imported {file_name}: {report.created} created, {report.updated} updated, {report.unchanged} "
            f"unchanged, {len(report.owned_lines)} row(s) skipped (owned).",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:directory_practitioner_changelist"))


class Kept(admin.ModelAdmin):
    """What practitioners and patients sent: nothing is added or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ViewOnly(Kept):
    """Read, never changed."""

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReviewAdmin(DecidedOnItsPage, Kept):
    """Edits and claims: nothing is edited, added or deleted here, only decided, each through a service."""

    list_filter = ["status"]
    actions = ["approve", "reject"]
    extra_readonly: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        shown = [field.name for field in self.model._meta.fields if field.name not in (self.exclude or ())]
        return shown + list(self.extra_readonly)

    @property
    def decisions(self) -> tuple[Decision, ...]:
        pending = self.model.Status.PENDING
        return (
            Decision("approve", "Approve", lambda item, moderator, _: self.approve_one(item, moderator),
                     applies=lambda item: item.status == pending),
            Decision("reject", "Reject", self.reject_one, applies=lambda item: item.status == pending,
                     asks="Reason for rejecting", help="the practitioner reads it in an e-mail"),
        )  # fmt: skip

    def waiting(self) -> QuerySet:
        return self.model.objects.pending().order_by(*self.model._meta.ordering)

    def approve_one(self, item: Revision | Claim, moderator: object) -> None:
        raise NotImplementedError

    def reject_one(self, item: Revision | Claim, moderator: object, reason: str) -> None:
        raise NotImplementedError

    @admin.action(description="Approve the selected %(verbose_name_plural)s", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        approved = 0
        for item in queryset:
            try:
                self.approve_one(item, request.user)
                approved += 1
            except services.ReviewConflict as conflict:
                self.message_user(request, str(conflict), messages.WARNING)
        self.message_user(request, f"Approved {approved} of {len(queryset)}.")

    @admin.action(description="Reject the selected %(verbose_name_plural)s (asks for a reason)", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        def decide(item: Revision | Claim, reason: str) -> None:
            self.reject_one(item, request.user, reason)

        title = f"Reject {self.model._meta.verbose_name_plural}"
        return with_reason(self, request, queryset, action="reject", title=title, decide=decide)


@admin.register(Revision)
class RevisionAdmin(ReviewAdmin):
    list_display = ["practitioner", "status", "submitted_by", "submitted_at", "decided_at"]
    list_select_related = ["practitioner", "submitted_by"]
    exclude = ["proposed"]
    extra_readonly = ("changes",)
    # What is proposed first, beside the decision; who and when after.
    fields = ["changes", "practitioner", "status", "submitted_by", "submitted_at", "decided_by", "decided_at", "reason"]

    @admin.display(description="Proposed changes")
    def changes(self, revision: Revision) -> str:
        changes = revision_changes(revision)
        if not changes:
            return "No difference from the published listing."
        return changes_table(changes)

    def approve_one(self, item: Revision, moderator: object) -> None:
        services.revision_approve(revision=item, moderator=moderator)

    def reject_one(self, item: Revision, moderator: object, reason: str) -> None:
        services.revision_reject(revision=item, moderator=moderator, reason=reason)


@admin.register(Claim)
class ClaimAdmin(ShowsTheRegistry, ReviewAdmin):
    list_display = ["practitioner", "claimant", "status", "npi", "registry", "created_at", "approved_automatically"]
    list_select_related = ["practitioner", "claimant"]
    fields = ["practitioner", "claimant", "note", "npi", "status", "created_at", "approved_automatically",
              "decided_by", "decided_at", "reason"]  # fmt: skip
    checks_a_claim = True

    def registry_subject(self, claim: Claim) -> tuple[str, Practitioner]:
        return claim.npi, claim.practitioner

    def registry_panel(self, npi: str, listing: Practitioner) -> dict:
        panel = super().registry_panel(npi, listing)
        if listing.npi and listing.npi != npi:
            words = f"The listing already gives another NPI, {listing.npi}."
            panel["flags"] = [Mismatch("listing-npi", words), *panel["flags"]]
        return panel

    @admin.display(description="NPI registry")
    def registry(self, claim: Claim) -> str:
        """What the registry said when a claim's page last asked (the cache only: a list never asks the registry)."""
        if not claim.npi:
            return "-"
        answer = registry_peek(claim.npi)
        if answer is None:
            return "Not checked yet"
        if answer.outcome == Outcome.UNAVAILABLE:
            return "Unavailable"
        if confirms_claim(answer, listing_name=claim.practitioner.name):
            return "Confirms"
        return "Not found" if answer.outcome == Outcome.NOT_FOUND else "Does not confirm"

    def approve_one(self, item: Claim, moderator: object) -> None:
        services.claim_approve(claim=item, moderator=moderator)

    def reject_one(self, item: Claim, moderator: object, reason: str) -> None:
        services.claim_reject(claim=item, moderator=moderator, reason=reason)


class OpenFilter(admin.SimpleListFilter):
    title = "open"
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Open"), ("no", "Resolved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Report)
class ReportAdmin(DecidedOnItsPage, Kept):
    """Patients' reports: read, then resolve with a note (the owner and the reporter are told)."""

    decisions = (
        Decision(
            "resolve",
            "Resolve",
            lambda report, moderator, note: services.report_resolve(report=report, moderator=moderator, note=note),
            applies=lambda report: report.is_open,
            asks="Note",
            help="the listing's owner and the patient who reported it read it",
        ),
    )

    def waiting(self) -> QuerySet[Report]:
        return Report.objects.open().order_by("created_at", "pk")

    list_display = ["practitioner", "problem", "created_at", "is_open", "resolved_by"]
    list_filter = [OpenFilter, "problem"]
    list_select_related = ["practitioner", "resolved_by"]
    search_fields = ["practitioner__name", "details"]
    actions = ["resolve"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in Report._meta.fields]

    @admin.display(boolean=True, description="open")
    def is_open(self, report: Report) -> bool:
        return report.is_open

    @admin.action(description="Resolve the selected reports (asks for a note)", permissions=["change"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[Report]) -> HttpResponse | None:
        def decide(report: Report, note: str) -> None:
            services.report_resolve(report=report, moderator=request.user, note=note)

        return with_reason(
            self, request, queryset, action="resolve", title="Resolve reports", decide=decide, form_class=NoteForm
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnly):
    """The audit trail, read-only: entries are only ever added, by the services."""

    list_display = ["at", "by", "action", "subject", "reason"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["subject", "reason"]
    date_hierarchy = "at"
    fields = ["at", "by", "action", "practitioner", "subject", "reason", "changes_made"]
    readonly_fields = fields

    @admin.display(description="By", ordering="actor_label")
    def by(self, entry: AuditEntry) -> str:
        return entry.who

    @admin.display(description="Changes")
    def changes_made(self, entry: AuditEntry) -> str:
        return changes_table(entry.changes)


TRANSLATED_TECHNIQUE_FIELDS = [
    build_localized_fieldname(field, code) for field in ("name", "description") for code, _ in settings.LANGUAGES
]


class TechniqueForm(forms.ModelForm):
    class Meta:
        model = Technique
        # With each name and description in every language (name_en, name_es, name_fr_ca, ...): TechniqueAdmin
        # is a modeltranslation TranslationAdmin, which shows one field per language.
        fields = [*TRANSLATED_TECHNIQUE_FIELDS, "slug"]

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        taken = FormerSlug.objects.filter(slug=slug).exclude(technique=self.instance.pk).select_related("technique")
        if self.instance.pk is None:
            taken = FormerSlug.objects.filter(slug=slug).select_related("technique")
        if former := taken.first():
            raise forms.ValidationError(
                f"{slug} was the slug of {former.technique.name} before a rename; its old links lead there."
            )
        return slug


def _proposed_by_a_pending_edit(technique: Technique) -> bool:
    return any(technique.pk in revision.proposed["techniques"] for revision in Revision.objects.pending())


@admin.register(Technique)
class TechniqueAdmin(TranslationAdmin, ChangesWhatPatientsSee):
    """Add, rename and describe techniques, in each of the site's languages (an empty translation reads as the
    English). A renamed slug keeps working (old links answer 301)."""

    form = TechniqueForm
    list_display = ["name", "slug", "former"]
    prepopulated_fields = {"slug": ["name_en"]}
    readonly_fields = ["former"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Technique]:
        return super().get_queryset(request).prefetch_related("former_slugs")

    @admin.display(description="Former slugs")
    def former(self, technique: Technique) -> str:
        return ", ".join(former.slug for former in technique.former_slugs.all()) or "-"

    def has_delete_permission(self, request: HttpRequest, obj: Technique | None = None) -> bool:
        if obj is not None and (obj.practitioners.exists() or _proposed_by_a_pending_edit(obj)):
            return False  # practitioners chose it, on their listing or in an edit awaiting review
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Technique, form, change: bool) -> None:
        before = {name: str(form.initial.get(name) or "") for name in TechniqueForm.Meta.fields} if change else {}
        services.technique_save(technique=obj, moderator=request.user, before=before)


@admin.register(UnmetDemand)
class UnmetDemandAdmin(ViewOnly):
    """Where patients searched and found nobody: a table by area and a map, to know where to recruit."""

    list_display = ["area", "searches", "last_seen", "first_seen"]
    search_fields = ["area"]
    change_list_template = "moderation/admin/unmet_demand.html"
    actions = None
    list_per_page = 100

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        areas = UnmetDemand.objects.order_by("-searches")[:1000]
        points = [
            {"area": area.area, "latitude": area.latitude, "longitude": area.longitude, "searches": area.searches,
             "last_seen": _day(area.last_seen)}
            for area in areas
        ]  # fmt: skip
        context = {"demand": points, "title": "Unmet demand: where patients searched and found nobody"}
        return super().changelist_view(request, {**context, **(extra_context or {})})


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


admin.site.unregister(Practitioner)
admin.site.register(Practitioner, ListingAdmin)
