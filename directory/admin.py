from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.db import models

from directory.answers import public_version_bump
from directory.forms import WebsiteField
from directory.hours import HoursError, hours_exceptions_checked, opening_hours_checked
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


class LocationAdminForm(forms.ModelForm):
    """A location as the admin edits it: its hours typed as JSON must be what the listing form stores
    (directory.hours), or the profile could not show them. No Meta: the admin's inlines give the model and fields."""

    def clean_opening_hours(self) -> dict:
        return _hours_checked(opening_hours_checked, self.cleaned_data["opening_hours"] or {})

    def clean_hours_exceptions(self) -> list[dict]:
        return _hours_checked(hours_exceptions_checked, self.cleaned_data["hours_exceptions"] or [])


def _hours_checked(check: Callable[[object], object], value: object) -> object:
    try:
        return check(value)
    except HoursError as error:
        raise forms.ValidationError(str(error)) from None


class LocationInline(admin.StackedInline):
    model = Location
    form = LocationAdminForm
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
