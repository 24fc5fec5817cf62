import functools
import json
from collections.abc import Iterable

from django import template
from django.utils import formats, translation
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from directory.api.renderers import without_markup
from directory.filters import ANY_LANGUAGE
from directory.geo import Place, to_unit
from directory.hours import opening_hours_specification
from directory.languages import language_choices_common_first, language_codes
from directory.models import Location, Photo, Practitioner
from directory.phones import phone_display, phone_uri

register = template.Library()

RESULT_BIO_CHARACTERS = 140  # about one line of a result at 1280 px, two on a phone


@register.filter
def one_line(bio: str) -> str:
    """A bio's first paragraph, its spacing folded, cut at a word to RESULT_BIO_CHARACTERS with an ellipsis."""
    first = " ".join((bio or "").strip().split("\n\n")[0].split())
    if len(first) <= RESULT_BIO_CHARACTERS:
        return first
    cut = first[: RESULT_BIO_CHARACTERS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:.") + "\u2026"


@register.filter
def in_unit(kilometres: float | None, unit: str) -> float | None:
    """A distance in km shown in the patient's unit (mi or km)."""
    return None if kilometres is None else to_unit(kilometres, unit)


@register.filter
def number_shown(value: float | str | None) -> str:
    """A number as the page's language writes it, with no needless decimals: 25, 2.25 ("2,25" in French)."""
    if value in (None, ""):
        return ""
    number = float(value)
    return formats.number_format(int(number) if number.is_integer() else number)


@register.filter
def radius_shown(search: object) -> str:
    """The radius as the patient gave it (2.25 stays 2.25, 25.0 is 25), in the page's language."""
    return number_shown(search.radius)


@register.filter
def either(items: Iterable[object]) -> str:
    """Names joined with "or": "NUCCA or Blair or QSM3"."""
    names = [str(item) for item in items]
    joined = names[0] if names else ""
    for name in names[1:]:
        # Translators: between the names of techniques a search asks for: "NUCCA or Blair".
        joined = gettext("%(first)s or %(second)s") % {"first": joined, "second": name}
    return joined


@register.filter
def phone_link(phone: str) -> str:
    """The phone number as a tel: URI (RFC 3966: "tel:+1-617-555-0100;ext=12")."""
    return phone_uri(phone or "")


@register.filter
def phone(phone: str) -> str:
    """The phone number as patients read it ("(617) 555-0100 ext. 12")."""
    return phone_display(phone or "")


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced, for pagination links."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def map_data(place: Place | None, practitioners: Iterable[Practitioner], first_number: int) -> str:
    """The results as JSON for the map script: numbered like the list, with the search origin."""
    markers = []
    for number, practitioner in enumerate(practitioners, start=first_number):
        location = practitioner.listed_location
        if location is not None:
            markers.append(
                {
                    "number": number,
                    "name": practitioner.display_name,
                    "url": practitioner.listed_path,
                    "clinic": str(location),
                    "latitude": location.latitude,
                    "longitude": location.longitude,
                }
            )
    origin = None
    if place is not None:
        origin = {"label": place.label, "latitude": place.point.latitude, "longitude": place.point.longitude}
    return json_script({"origin": origin, "markers": markers}, "map-data")


@register.simple_tag(takes_context=True)
def practitioner_json_ld(
    context: template.Context, practitioner: Practitioner, locations: list[Location], portrait: Photo | None = None
) -> str:
    """schema.org Physician data for search engines, as a JSON-LD script element (`portrait`: the approved one,
    whose full size is the image)."""
    request = context["request"]

    def place_of(location: Location) -> dict:
        return {
            "@type": "MedicalClinic",
            "name": str(location),
            "telephone": location.phone or practitioner.phone or None,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": ", ".join(filter(None, [location.address_line1, location.address_line2])),
                "addressLocality": location.city,
                "addressRegion": location.state,
                "postalCode": location.postal_code,
                "addressCountry": location.country,
            },
            "geo": {"@type": "GeoCoordinates", "latitude": location.latitude, "longitude": location.longitude},
            **(
                {"openingHoursSpecification": specification}
                if (specification := opening_hours_specification(location.opening_hours, location.hours_exceptions))
                else {}
            ),
        }

    data: dict = {
        "@context": "https://schema.org",
        "@type": "Physician",
        "name": practitioner.display_name,
        "url": request.build_absolute_uri(practitioner.get_absolute_url()),
        "telephone": practitioner.phone or None,
        "email": practitioner.public_email or None,  # none while the question form stands in for it
        "sameAs": practitioner.website or None,
        "description": Truncator(practitioner.bio).chars(300) or None,
        "image": None if portrait is None else request.build_absolute_uri(portrait.url_full),
        "isAcceptingNewPatients": practitioner.accepting_new_patients,
        "knowsAbout": [technique.name for technique in practitioner.techniques.all()],
        "knowsLanguage": language_codes(practitioner.languages),
        "paymentAccepted": ", ".join(practitioner.payment_options + practitioner.insurance_plan_list) or None,
    }
    if locations:
        first = place_of(locations[0])
        data.update(address=first["address"], geo=first["geo"], location=[place_of(item) for item in locations])
    compact = {key: value for key, value in data.items() if value not in (None, [], "")}
    text = without_markup(json.dumps(compact, ensure_ascii=False))
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def language_options(chosen: str) -> str:
    """The language select's options, named in the page's language, `chosen` selected: built once per process for
    each language and choice (the names are the code's and the catalogues', which change only with a release; a
    template loop over the 91 of them was a tenth of the search page's rendering)."""
    return _language_options(translation.get_language(), chosen or "")


@functools.lru_cache(maxsize=512)
def _language_options(language: str | None, chosen: str) -> str:
    choices = [("", str(ANY_LANGUAGE)), *language_choices_common_first()]
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, mark_safe(" selected") if value == chosen else "", label) for value, label in choices),
    )
