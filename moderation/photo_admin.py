"""Photos to approve, on the desk: the pending photo beside the ones patients see now (the current portrait, or the
location's approved photos), with Approve, or Reject with a reason, each through a service that audits it and
e-mails the owner."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from directory.models import Photo
from moderation import services
from moderation.decisions import DecidedOnItsPage, Decision

TOLD_THE_OWNER = "the owner reads it in an e-mail"


def _pending(photo: Photo) -> bool:
    return photo.status == Photo.Status.PENDING


def _figure(photo: Photo, caption: str) -> SafeString:
    card = photo.card
    return format_html(
        '<figure class="photo-compare"><a href="{}"><img src="{}" width="{}" height="{}" alt="{}"></a>'
        "<figcaption>{}: {}</figcaption></figure>",
        photo.url(Photo.Size.FULL),
        photo.url(Photo.Size.CARD),
        card.width,
        card.height,
        photo.alt_text,
        caption,
        photo.alt_text,
    )


def photos_now(photo: Photo) -> QuerySet[Photo]:
    """What patients see now in the photo's place: the approved portrait, or the location's approved photos."""
    approved = Photo.objects.approved().filter(practitioner_id=photo.practitioner_id).exclude(pk=photo.pk)
    return approved.filter(location_id=photo.location_id) if photo.location_id else approved.portraits()


class PhotoAdmin(DecidedOnItsPage, admin.ModelAdmin):
    """Read-only photos; the decisions are the only writes."""

    list_display = ["practitioner", "placed", "alt_text", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["practitioner", "location"]
    search_fields = ["practitioner__name", "alt_text"]
    fields = [
        "side_by_side", "practitioner", "location", "alt_text", "status", "submitted_at", "decided_by", "decided_at",
        "reason",
    ]  # fmt: skip
    readonly_fields = fields
    decisions = (
        Decision(
            "approve",
            "Approve",
            lambda photo, moderator, _: services.photo_approve(photo=photo, moderator=moderator),
            applies=_pending,
        ),
        Decision(
            "reject",
            "Reject",
            lambda photo, moderator, reason: services.photo_reject(photo=photo, moderator=moderator, reason=reason),
            applies=_pending,
            asks="Reason for rejecting",
            help=TOLD_THE_OWNER,
        ),
    )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        # Every field is read-only: the decisions are the page's only actions, so no Save buttons.
        buttons = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, {**buttons, **(extra_context or {})})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Photo]:
        return super().get_queryset(request).select_related("practitioner", "location")

    def waiting(self) -> QuerySet[Photo]:
        return Photo.objects.pending().order_by("submitted_at", "pk")

    @admin.display(description="Of")
    def placed(self, photo: Photo) -> str:
        return "Portrait" if photo.is_portrait else str(photo.location)

    @admin.display(description="This photo and those patients see now")
    def side_by_side(self, photo: Photo) -> SafeString:
        now = list(photos_now(photo))
        current = format_html_join("", "{}", ((_figure(shown, "Shown now"),) for shown in now))
        return format_html(
            '<div class="photo-side-by-side">{}{}</div>',
            _figure(photo, photo.get_status_display()),
            current or format_html("<p>{}</p>", "Nothing is shown there now."),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.register(Photo, PhotoAdmin)
