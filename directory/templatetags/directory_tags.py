import functools
import html
import json
from collections.abc import Iterable

from django import template
from django.template.defaultfilters import date as date_shown
from django.template.defaultfilters import floatformat
from django.utils import formats, translation
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from directory.api.renderers import without_markup
from directory.filters import ANY_LANGUAGE
from directory.geo import Place, to_unit
from directory.hours import hours_data, opening_hours_specification
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
def result_cards(context: template.Context, practitioners: Iterable[Practitioner], unit: str = "") -> SafeString:
    """The result cards of `practitioners` (one `<li>` each), measured in `unit` where a search measured them, each
    linking to its profile with the page's `query`.

    Written in Python rather than as a template: a search page shows 20 cards, on which Django's template engine
    spent about 7 ms, a quarter of a cold search page; this code takes 1.5 ms (docs/performance.md). The words
    are the msgids the template used, trusted as a template trusts them; every value is escaped as a template
    variable is."""
    query = context.get("query") or ""
    link_query = f"?{_escaped(query)}" if query else ""
    techniques_label = gettext("Techniques")
    # (gettext outside the f-strings: xgettext does not look inside them.)
    accepting, not_accepting = gettext("Accepting new patients"), gettext("Not accepting new patients")
    accepting_shown = (f'<p class="accepting">{accepting}</p>', f'<p class="not-accepting">{not_accepting}</p>')
    cards = [_result_card(each, unit, link_query, techniques_label, accepting_shown) for each in practitioners]
    return mark_safe("\n\n" + "".join(cards) + "\n")


def _escaped(value: object) -> str:
    """conditional_escape() without its lazy-string wrapper (a card escapes about 15 values): html.escape, as
    Django's escape() uses, unless the value is already HTML."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _result_card(
    practitioner: Practitioner, unit: str, link_query: str, techniques_label: str, accepting: tuple[str, str]
) -> str:
    e = _escaped
    portrait = practitioner.listed_portrait
    location = practitioner.listed_location
    parts = ['\n<li class="result">\n  ']
    if portrait:
        thumb = e(portrait.url_thumb)
        parts.append(
            f'<img class="result-portrait" src="{thumb}" srcset="{thumb} 1x, {e(portrait.url_card)} 2x" '
            f'width="{portrait.thumb_width}" height="{portrait.thumb_height}" alt="{e(portrait.alt_text)}" '
            'loading="lazy">'
        )
    parts.append(
        f'\n  <h3><a href="{e(practitioner.listed_path)}{link_query}">{e(practitioner.display_name)}</a></h3>\n  '
    )
    distance_km = getattr(practitioner, "distance_km", None)
    if distance_km is not None:
        distance = floatformat(in_unit(distance_km, unit), 1)
        away = gettext("%(distance)s %(unit)s away") % {"distance": e(distance), "unit": e(unit)}
        parts.append(f'<p class="distance">{away}</p>')
    parts.append("\n  ")
    if location:
        clinic = f'<span class="clinic">{e(location.clinic_name)}</span><br>' if location.clinic_name else ""
        parts.append(
            f'\n  <p class="location">{clinic}{e(location.address_line1)}, {e(location.city)}, {e(location.state)} '
            f"{e(location.postal_code)}</p>\n  "
        )
        if number := location.phone or practitioner.phone:
            uri = phone_uri(number)
            shown = f'<a href="{e(uri)}">{e(phone_display(number))}</a>' if uri else e(number)
            parts.append(f'<p class="phone">{shown}</p>')
        parts.append("\n  ")
        hours = hours_data(location.opening_hours, location.hours_exceptions, location.time_zone)
        if hours is not None:
            hours_text = e(json.dumps(hours, separators=(",", ":")))
            parts.append(f'<p class="opening-status" data-opening-hours="{hours_text}" hidden></p>')
        parts.append("\n  ")
    parts.append("\n  ")
    if practitioner.bio:
        parts.append(f'<p class="bio">{e(one_line(practitioner.bio))}</p>')
    parts.append("\n  ")
    if languages := practitioner.language_names:
        names = ", ".join(e(name) for name in languages)
        speaks = gettext("Speaks %(names)s") % {"names": names}
        parts.append(f'<p class="languages">{speaks}</p>')
    parts.append("\n  ")
    if techniques := practitioner.listed_techniques:
        tags = []
        for technique in techniques:
            badge = ""
            if technique.verified_on:
                day = e(date_shown(technique.verified_on, "j F Y"))
                verified = gettext("Training verified %(day)s") % {"day": day}
                badge = f' <span class="verified">{verified}</span>'
            tags.append(f"<li>{e(technique.name)}{badge}</li>")
        parts.append(f'\n  <ul class="tags" aria-label="{techniques_label}">{"".join(tags)}</ul>\n  ')
    parts.append("\n  ")
    parts.append(accepting[0] if practitioner.accepting_new_patients else accepting[1])
    parts.append("\n</li>\n")
    return "".join(parts)


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
