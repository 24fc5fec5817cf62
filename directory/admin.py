from django.contrib import admin
from django.db import models

from directory.models import Location, Practitioner, Technique


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["name", "credentials", "status", "accepting_new_patients", "updated_at"]
    list_filter = ["status", "accepting_new_patients", "techniques"]
    search_fields = ["name", "email", "external_id", "locations__city", "locations__postal_code"]
    filter_horizontal = ["techniques"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    inlines = [LocationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Technique)
class TechniqueAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
