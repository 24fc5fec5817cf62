"""Review in the admin until the moderation desk arrives: every action calls a service, never a bare save()."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from directory.admin import PractitionerAdmin
from directory.models import Practitioner, Technique
from practice import services
from practice.forms import ReasonForm
from practice.listing import listing_values
from practice.models import Claim, Revision


def with_reason(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    action: str,
    title: str,
    decide: Callable[[object, str], bool | None],
) -> HttpResponse | None:
    """Asks for a reason on an intermediate page, then calls `decide(item, reason)` for each selected item."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        done = 0
        for item in queryset:
            try:
                if decide(item, form.cleaned_data["reason"]) is not False:
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
    return TemplateResponse(request, "practice/admin/reason.html", context)


class ListingAdmin(PractitionerAdmin):
    list_display = ["name", "credentials", "status", "owner", "accepting_new_patients", "updated_at"]
    readonly_fields = [*PractitionerAdmin.readonly_fields, "status", "rejection_reason", "owner", "confirmed_at"]
    actions = ["publish", "reject", "unpublish"]

    @admin.action(description="Publish the selected listings")
    def publish(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> None:
        published = sum(services.listing_publish(practitioner=p, moderator=request.user) for p in queryset)
        self.message_user(request, f"Published {published} listing(s); {len(queryset) - published} already were.")

    @admin.action(description="Reject the selected pending listings (asks for a reason)")
    def reject(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> HttpResponse | None:
        def decide(practitioner: Practitioner, reason: str) -> bool:
            return services.listing_reject(practitioner=practitioner, moderator=request.user, reason=reason)

        return with_reason(self, request, queryset, action="reject", title="Reject listings", decide=decide)

    @admin.action(description="Unpublish the selected published listings (asks for a reason)")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> HttpResponse | None:
        def decide(practitioner: Practitioner, reason: str) -> bool:
            return services.listing_unpublish(practitioner=practitioner, moderator=request.user, reason=reason)

        return with_reason(self, request, queryset, action="unpublish", title="Unpublish listings", decide=decide)


class ReviewAdmin(admin.ModelAdmin):
    """Edits and claims: nothing is edited, added or deleted here, only decided, each through a service."""

    list_filter = ["status"]
    actions = ["approve", "reject"]
    extra_readonly: tuple[str, ...] = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in self.model._meta.fields] + list(self.extra_readonly)

    def approve_one(self, item: Revision | Claim, moderator: object) -> None:
        raise NotImplementedError

    def reject_one(self, item: Revision | Claim, moderator: object, reason: str) -> None:
        raise NotImplementedError

    @admin.action(description="Approve the selected %(verbose_name_plural)s")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        approved = 0
        for item in queryset:
            try:
                self.approve_one(item, request.user)
                approved += 1
            except services.ReviewConflict as conflict:
                self.message_user(request, str(conflict), messages.WARNING)
        self.message_user(request, f"Approved {approved} of {len(queryset)}.")

    @admin.action(description="Reject the selected %(verbose_name_plural)s (asks for a reason)")
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

    @admin.display(description="Proposed changes")
    def changes(self, revision: Revision) -> str:
        live, proposed = listing_values(revision.practitioner), revision.proposed
        rows = [
            (name, live["practitioner"][name], value)
            for name, value in proposed["practitioner"].items()
            if live["practitioner"].get(name) != value
        ]
        if live["techniques"] != proposed["techniques"]:
            names = dict(Technique.objects.values_list("pk", "name"))
            rows.append(
                (
                    "techniques",
                    ", ".join(names.get(pk, "?") for pk in live["techniques"]),
                    ", ".join(names.get(pk, "?") for pk in proposed["techniques"]),
                )
            )
        if live["locations"] != proposed["locations"]:
            rows.append(("locations", _locations(live["locations"]), _locations(proposed["locations"])))
        if not rows:
            return "No difference from the published listing."
        body = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table><tr><th>Field</th><th>Published</th><th>Proposed</th></tr>{}</table>", body)

    def approve_one(self, item: Revision, moderator: object) -> None:
        services.revision_approve(revision=item, moderator=moderator)

    def reject_one(self, item: Revision, moderator: object, reason: str) -> None:
        services.revision_reject(revision=item, moderator=moderator, reason=reason)


def _locations(locations: list[dict]) -> str:
    return "; ".join(
        f"{location['clinic_name'] or location['address_line1']}, {location['address_line1']}, {location['city']} "
        f"{location['state']} {location['postal_code']} ({location['latitude']:.5f}, {location['longitude']:.5f})"
        for location in locations
    )


@admin.register(Claim)
class ClaimAdmin(ReviewAdmin):
    list_display = ["practitioner", "claimant", "status", "npi", "created_at", "approved_automatically"]
    list_select_related = ["practitioner", "claimant"]

    def approve_one(self, item: Claim, moderator: object) -> None:
        services.claim_approve(claim=item, moderator=moderator)

    def reject_one(self, item: Claim, moderator: object, reason: str) -> None:
        services.claim_reject(claim=item, moderator=moderator, reason=reason)


admin.site.unregister(Practitioner)
admin.site.register(Practitioner, ListingAdmin)
