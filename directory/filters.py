"""The patient search: one FilterSet that serves the search page and the API alike."""

from __future__ import annotations

import math

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from directory.geo import MAX_PLACE_LENGTH, Place, PlaceError, resolve_place, to_km
from directory.models import Practitioner, PractitionerQuerySet, Technique

DEFAULT_RADIUS = 25
MAX_RADIUS = {"mi": 500, "km": 805}
UNITS = [("mi", "miles"), ("km", "kilometres")]
RADIUS_CHOICES = [5, 10, 25, 50, 100, 250, 500]


class SearchForm(forms.Form):
    """Validates the search; `near` is cleaned into a resolved `Place`."""

    def clean_near(self) -> Place | None:
        text = self.cleaned_data.get("near") or ""
        if not text:
            return None
        try:
            return resolve_place(text)
        except PlaceError as error:
            raise forms.ValidationError(str(error), code="place") from error

    def clean_unit(self) -> str:
        return self.cleaned_data.get("unit") or "mi"

    def clean(self) -> dict:
        cleaned = super().clean()
        radius = cleaned.get("radius")
        unit = cleaned.get("unit") or "mi"
        if "radius" in self.errors:
            return cleaned
        if radius is None:
            cleaned["radius"] = float(DEFAULT_RADIUS)
        elif radius <= 0:
            self.add_error("radius", "Enter a radius greater than 0.")
        elif radius > MAX_RADIUS[unit]:
            self.add_error("radius", f"Enter a radius of at most {MAX_RADIUS[unit]} {unit}.")
        return cleaned


@extend_schema_field(OpenApiTypes.STR)
class TechniqueFilter(django_filters.ModelMultipleChoiceFilter):
    """Techniques by slug (the API documents the parameter as text: techniques are data, not an enum)."""


class FloatFilter(django_filters.NumberFilter):
    """A number filter that rejects NaN and infinities (forms.FloatField does)."""

    field_class = forms.FloatField


class PractitionerSearch(django_filters.FilterSet):
    near = django_filters.CharFilter(
        label="ZIP code, postal code or city",
        max_length=MAX_PLACE_LENGTH,
        help_text='A US ZIP code, a Canadian postal code, "City, ST" or "latitude,longitude".',
    )
    radius = FloatFilter(label="Distance", help_text=f"How far you will travel (default {DEFAULT_RADIUS}).")
    unit = django_filters.ChoiceFilter(
        label="Unit",
        choices=UNITS,
        empty_label=None,
        error_messages={"invalid_choice": "Choose mi (miles) or km (kilometres)."},
    )
    technique = TechniqueFilter(
        label="Techniques",
        queryset=Technique.objects.order_by("name"),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        help_text="Practitioners offering any of the chosen techniques.",
        error_messages={"invalid_choice": "Unknown technique: %(value)s", "invalid_pk_value": "Unknown technique."},
    )

    class Meta:
        model = Practitioner
        fields: list[str] = []  # every filter is declared above
        form = SearchForm

    @property
    def place(self) -> Place | None:
        return self.form.cleaned_data.get("near") if self.is_valid() else None

    @property
    def distance_unit(self) -> str:
        return self.form.cleaned_data.get("unit", "mi") if self.is_valid() else "mi"

    @property
    def radius_value(self) -> float:
        return self.form.cleaned_data.get("radius", DEFAULT_RADIUS) if self.is_valid() else DEFAULT_RADIUS

    @property
    def techniques(self) -> list[Technique]:
        return list(self.form.cleaned_data.get("technique") or []) if self.is_valid() else []

    @property
    def radius_km(self) -> float:
        return to_km(self.radius_value, self.distance_unit)

    def matching(self, queryset: PractitionerQuerySet | None = None) -> PractitionerQuerySet:
        """Published practitioners offering the chosen techniques, anywhere."""
        return (self.queryset.all() if queryset is None else queryset).offering(self.techniques)

    def radius_options(self) -> list[tuple[str, bool]]:
        """The distance choices for the form, including a valid radius typed into the URL."""
        cleaned = getattr(self.form, "cleaned_data", {}) if self.is_bound else {}
        radius = None if "radius" in self.form.errors else cleaned.get("radius")
        current = f"{radius:g}" if radius else str(DEFAULT_RADIUS)
        values = sorted({*map(str, RADIUS_CHOICES), current}, key=float)
        return [(value, value == current) for value in values]

    def filter_queryset(self, queryset: PractitionerQuerySet) -> PractitionerQuerySet:
        if self.place is None:
            return self.matching(queryset).by_name()
        return self.within(self.radius_km, queryset)

    def within(self, radius_km: float, queryset: PractitionerQuerySet | None = None) -> PractitionerQuerySet:
        """The search near its place, within `radius_km`."""
        return self.matching(queryset).near(self.place.point, radius_km)

    def count(self) -> int:
        """How many practitioners the search finds (without computing the distances it orders by)."""
        if self.place is None:
            return self.qs.count()
        found = self.matching().within_radius(self.place.point, self.radius_km)
        return found.order_by().values("pk").distinct().count()

    def rows(self, start: int, stop: int, total: int) -> list[Practitioner]:
        """Results start..stop of `total`. Near a place they come from the smallest circle that holds them
        (PractitionerQuerySet.nearest_rows), the first sized from the density `total` shows, so the work per
        page stays about the same however many practitioners the radius holds."""
        if self.place is None or stop >= total:
            return list(self.qs[start:stop])
        first_km = self.radius_km * min(1.0, 1.5 * math.sqrt(stop / total))
        return self.matching().nearest_rows(
            self.place.point, start, stop, first_km=first_km, last_km=self.radius_km, growth=2
        )

    def nearest_beyond(self, count: int = 3) -> list[Practitioner]:
        """When nothing is within the radius: the `count` nearest matching practitioners, however far."""
        if self.place is None:
            return []
        return self.matching().nearest(self.place.point, count, beyond_km=self.radius_km)
