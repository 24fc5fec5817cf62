"""The patient search's parameters: one FilterSet validates them for the search page and the API alike, and
builds the Search (search.py) that answers them."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import cached_property
from urllib.parse import urlencode

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from directory.geo import MAX_PLACE_LENGTH, Place, PlaceError, Unit
from directory.languages import language_choices_common_first
from directory.models import Location, Practitioner, Technique
from directory.places import country_of, resolve_place
from directory.search import DEFAULT_RADIUS, MAX_RADIUS, Search

RADIUS_CHOICES = [5, 10, 25, 50, 100, 250, 500]


class AsciiFloatField(forms.FloatField):
    """A number written with the digits 0-9 (Python's float() would read any script's digits)."""

    def to_python(self, value):
        if isinstance(value, str) and not value.strip().isascii():
            raise forms.ValidationError(gettext("Enter a number using the digits 0-9."), code="invalid")
        return super().to_python(value)


ANY_LANGUAGE = _("Any language")  # the language select's first choice, sent empty
UNIT_BY_COUNTRY = _("miles (km in Canada)")  # the unit select's first choice, sent empty: see unit_for


def unit_for(place: Place | None) -> Unit:
    """The unit a patient who did not choose one reads distances in: kilometres in Canada, miles elsewhere."""
    return Unit.KILOMETRES if place is not None and country_of(place) == Location.Country.CA else Unit.MILES


def _radius_help_text() -> str:
    return _("How far you will travel (default %(radius)s).") % {"radius": DEFAULT_RADIUS}


_radius_help = lazy(_radius_help_text, str)


class SearchForm(forms.Form):
    """Validates the search; `near` is cleaned into a resolved `Place`. `page` is validated here too (the page
    and the API read it), though it filters nothing."""

    page = forms.CharField(required=False)
    # The places a patient may have meant by a `near` that could not be resolved (each a link on the page).
    places_suggested: Sequence[Place] = ()

    def clean_page(self) -> int:
        page = (self.cleaned_data.get("page") or "1").strip()
        if not (page.isascii() and page.isdigit()) or int(page) < 1:
            raise forms.ValidationError(gettext("Enter a whole page number of 1 or more, using the digits 0-9."))
        return int(page)

    def clean_near(self) -> Place | None:
        text = self.cleaned_data.get("near") or ""
        if not text:
            return None
        try:
            return resolve_place(text)
        except PlaceError as error:
            self.places_suggested = error.suggestions
            raise forms.ValidationError(str(error), code="place") from error

    def clean_unit(self) -> Unit | None:
        return Unit(self.cleaned_data["unit"]) if self.cleaned_data.get("unit") else None

    def clean(self) -> dict:
        cleaned = super().clean()
        radius = cleaned.get("radius")
        if "unit" not in self.errors:
            cleaned["unit"] = cleaned.get("unit") or unit_for(cleaned.get("near"))
        unit = cleaned.get("unit") or Unit.MILES
        if "radius" in self.errors:
            return cleaned
        if radius is None:
            cleaned["radius"] = float(DEFAULT_RADIUS)
        elif radius <= 0:
            self.add_error("radius", gettext("Enter a radius greater than 0."))
        elif radius > MAX_RADIUS[unit]:
            self.add_error(
                "radius",
                gettext("Enter a radius of at most %(radius)s %(unit)s.") % {"radius": MAX_RADIUS[unit], "unit": unit},
            )
        return cleaned


class SharedFields(dict):
    """A form class's fields, which each of its forms uses as they are instead of deep-copying them (Django's
    way, for forms that change their fields: the search form never does, and its copies were 0.2 ms of every
    search). Each form still gets its own dict of them."""

    def __deepcopy__(self, memo: dict) -> dict:
        return dict(self)


class NormalChoices(BaseChoiceIterator):
    """Choices already in the form Django normalises choices to ((value, label) pairs, no groups), which
    normalize_choices() therefore takes as they are: it otherwise walks every label, 0.3 ms for the 91 named
    languages on every search."""

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)


@extend_schema_field(OpenApiTypes.STR)
class TechniqueFilter(django_filters.MultipleChoiceFilter):
    """Techniques by slug, checked against the techniques the FilterSet was given (the API documents the
    parameter as text: techniques are data, not an enum)."""


class FloatFilter(django_filters.NumberFilter):
    """A number filter that rejects NaN, infinities and digits other than 0-9."""

    field_class = AsciiFloatField


def current_slugs(data: QueryDict | dict | None, techniques: list[Technique]) -> QueryDict | dict | None:
    """The parameters with each technique slug as it is now: matched ignoring case, a renamed technique's former
    slug replaced by its current one, empty values left out (anything else is left for validation to refuse)."""
    if not isinstance(data, QueryDict) or "technique" not in data:
        return data
    current = {technique.slug.lower(): technique.slug for technique in techniques}
    for technique in techniques:
        current.update((former.slug.lower(), technique.slug) for former in technique.former_slugs.all())
    data = data.copy()
    slugs = [slug.strip() for slug in data.getlist("technique")]
    data.setlist("technique", [current.get(slug.lower(), slug) for slug in slugs if slug])
    return data


def language_lowered(data: QueryDict | dict | None) -> QueryDict | dict | None:
    """The language code as the choices write it ("ES" and " es " are Spanish)."""
    if not isinstance(data, QueryDict) or "language" not in data:
        return data
    data = data.copy()
    data["language"] = data["language"].strip().lower()
    return data


class YesNoField(forms.NullBooleanField):
    """true/false (also 1/0, yes/no, on/off as a checkbox sends it); absent or empty is None; anything else is
    an error (Django's NullBooleanField would read it as None)."""

    widget = forms.TextInput  # the page renders its own checkbox; this only reads the value

    def to_python(self, value: object) -> bool | None:
        word = str(value if value is not None else "").strip().lower()
        if word == "":
            return None
        if word in ("true", "1", "yes", "on"):
            return True
        if word in ("false", "0", "no", "off"):
            return False
        raise forms.ValidationError(gettext("Enter true or false."), code="invalid")

    def validate(self, value: bool | None) -> None:
        pass


@extend_schema_field(OpenApiTypes.BOOL)
class YesNoFilter(django_filters.Filter):
    field_class = YesNoField


# PractitionerSearch's form classes, by FilterSet class, technique choices and language (get_form_class()).
FORM_CLASSES_KEPT = 64
_form_classes: dict[tuple, type[forms.Form]] = {}
# The technique choices of the lists of techniques lately given (each held, so that its id names it alone), in
# each language: techniques_at() gives one list a version and language, whose names each cost a lookup of the
# language (35 us for 11 techniques, every search).
_choices_of: dict[tuple[int, str], tuple[list[Technique], list[tuple[str, str]]]] = {}


def technique_choices(techniques: list[Technique]) -> list[tuple[str, str]]:
    """(slug, name) of each technique, in the active language; made once for a list given again."""
    key = (id(techniques), get_language())
    kept = _choices_of.get(key)
    if kept is not None and kept[0] is techniques:
        return kept[1]
    if len(_choices_of) >= FORM_CLASSES_KEPT:
        _choices_of.clear()
    choices = [(technique.slug, technique.name) for technique in techniques]
    _choices_of[key] = (techniques, choices)
    return choices


def _filter_copied(filter_: django_filters.Filter) -> django_filters.Filter:
    copied = copy.copy(filter_)
    copied.extra = dict(filter_.extra)
    copied.__dict__.pop("_field", None)  # a field made from the class's filter would share its choices
    if copied.method is not None:
        copied.method = copied.method  # a filter `method` bound to this copy (so to this FilterSet), not the class's
    return copied


class PractitionerSearch(django_filters.FilterSet):
    near = django_filters.CharFilter(
        label=_("ZIP code, postal code or city"),
        max_length=MAX_PLACE_LENGTH,
        help_text=_('A US ZIP code, a Canadian postal code, "City, ST" or "latitude,longitude".'),
    )
    radius = FloatFilter(label=_("Distance"), help_text=_radius_help())
    unit = django_filters.ChoiceFilter(
        label=_("Unit"),
        choices=Unit.choices,
        empty_label=UNIT_BY_COUNTRY,
        error_messages={"invalid_choice": _("Choose mi (miles) or km (kilometres).")},
    )
    technique = TechniqueFilter(
        label=_("Techniques"),
        choices=[],  # the techniques given to __init__
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Practitioners offering any of the chosen techniques."),
        error_messages={"invalid_choice": _("Unknown technique: %(value)s")},
    )

    accepting_new_patients = YesNoFilter(label=_("Accepting new patients only"))
    verified = YesNoFilter(
        label=_("Verified training only"),
        help_text=_(
            "Practitioners whose training in a chosen technique (in any, if none is chosen) a moderator "
            "has checked against their certificate."
        ),
    )

    language = django_filters.ChoiceFilter(
        label=_("Language spoken"),
        choices=[],  # given by __init__, named in the request's language (not deep-copied with every FilterSet)
        empty_label=ANY_LANGUAGE,
        error_messages={"invalid_choice": _("Unknown language: %(value)s. Give a two-letter ISO 639-1 code, e.g. es.")},
    )

    class Meta:
        model = Practitioner
        fields: list[str] = []  # every filter is declared above
        form = SearchForm

    def __init__(self, data=None, *, techniques: list[Technique] | None = None) -> None:
        """`techniques`: every technique, by name (read from the database when not given)."""
        if techniques is None:
            techniques = list(Technique.objects.order_by("name").prefetch_related("former_slugs"))
        # django-filter's __init__, but each filter copied shallowly (its own `extra`, where the choices go, and no
        # field made from the class's): deep copies of the 8 filters, their lazy labels and choices, were 0.19 ms
        # of every search.
        data = language_lowered(current_slugs(data, techniques))
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = Practitioner.objects.none()
        self.request = None
        self.form_prefix = None
        self.filters = {name: _filter_copied(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = Practitioner
            filter_.parent = self
        self.techniques_by_slug = {technique.slug: technique for technique in techniques}
        self.filters["technique"].extra["choices"] = technique_choices(techniques)
        self.filters["language"].extra["choices"] = NormalChoices(language_choices_common_first())

    def get_form_class(self) -> type[forms.Form]:
        """The form class for these techniques in the active language, made once: django-filter makes a new class
        with new fields for every FilterSet (0.3 ms of every search), which the form then copies anyway."""
        key = (type(self), tuple(self.filters["technique"].extra["choices"]), get_language())
        form_class = _form_classes.get(key)
        if form_class is None:
            if len(_form_classes) >= FORM_CLASSES_KEPT:
                _form_classes.clear()  # techniques renamed or added many times since the process started
            form_class = _form_classes[key] = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
        return form_class

    @cached_property
    def search(self) -> Search:
        """The validated search (an empty one when the parameters are invalid)."""
        if not self.is_valid():
            return Search()
        cleaned = self.form.cleaned_data
        return Search(
            place=cleaned.get("near"),
            radius=cleaned.get("radius", DEFAULT_RADIUS),
            unit=cleaned.get("unit", Unit.MILES),
            techniques=sorted(
                {self.techniques_by_slug[slug] for slug in cleaned.get("technique") or []},
                key=lambda technique: technique.name,
            ),
            accepting_new_patients=cleaned.get("accepting_new_patients"),
            verified=bool(cleaned.get("verified")),
            language=cleaned.get("language") or "",
        )

    def query_string(self) -> str:
        """The validated search in a normal form, as a query string: for its page links and as its cache key
        (never the request's other parameters; the place as the patient typed it, which the page shows)."""
        search = self.search
        pairs = [("near", " ".join(self.form.data.get("near", "").split()))] if search.place else []
        pairs += [("radius", search.radius_text), ("unit", search.unit)]
        pairs += [("technique", technique.slug) for technique in search.techniques]
        if search.accepting_new_patients is not None:
            pairs.append(("accepting_new_patients", "true" if search.accepting_new_patients else "false"))
        if search.verified:
            pairs.append(("verified", "true"))
        if search.language:
            pairs.append(("language", search.language))
        return urlencode(pairs)

    def technique_options(self) -> list[tuple[str, str, bool]]:
        """The technique checkboxes as (slug, name, checked), as the patient sent them (the form's own widget
        rendered each checkbox through four templates: a quarter of the search page's rendering time)."""
        sent = set(self.form["technique"].value() or []) if self.is_bound else set()
        return [(slug, str(name), slug in sent) for slug, name in self.filters["technique"].extra["choices"]]

    def radius_options(self) -> list[tuple[str, bool]]:
        """The distance choices for the form, including a valid radius typed into the URL."""
        cleaned = getattr(self.form, "cleaned_data", {}) if self.is_bound else {}
        radius = None if "radius" in self.form.errors else cleaned.get("radius")
        current = f"{radius:g}" if radius else str(DEFAULT_RADIUS)
        values = sorted({*map(str, RADIUS_CHOICES), current}, key=float)
        return [(value, value == current) for value in values]
