from django.contrib import admin
from django.db import models

from directory.answers import public_version_bump
from directory.forms import WebsiteField
from directory.models import Location, Practitioner


class ChangesWhatPatientsSee(admin.ModelAdmin):
    """Saving or deleting here can change a search answer: each retires the cached ones (directory.answers)."""

    def save_related(self, request, form, formsets, change) -> None:  # runs after save_model, inlines included
        super().save_related(request, form, formsets, change)
        public_version_bump()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        public_version_bump()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        public_version_bump()


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(ChangesWhatPatientsSee):
    list_display = ["name", "credentials", "status", "accepting_new_patients", "updated_at"]
    list_filter = ["status", "accepting_new_patients", "techniques"]
    search_fields = ["name", "email", "external_id", "locations__city", "locations__postal_code"]
    filter_horizontal = ["techniques"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    inlines = [LocationInline]
    formfield_overrides = {models.URLField: {"form_class": WebsiteField}}
