import functools
import html
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django import template
from django.template.defaultfilters import date as date_shown
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from directory.api.renderers import without_markup
from directory.filters import ANY_LANGUAGE, PractitionerSearch
from directory.geo import Place, to_unit
from directory.hours import opening_hours_specification
from directory.languages import first_of_the_month_written, in_english, language_choices_common_first, language_codes
from directory.models import Location, Photo, Practitioner
from directory.phones import phone_display, phone_uri
from directory.templatetags.opening_hours import hours_json

register = template.Library()

RESULT_BIO_CHARACTERS = 140  # about one line of a result at 1280 px, two on a phone


@register.filter(expects_localtime=True)  # a moment as a day in the site's time zone, as Django's date filter
def date_in_words(value: object) -> str:
    """A date as a sentence writes it: "November 20, 2026" (as the hours' "Dec 24, 2026", the way North American
    English dates); in another language, as that language writes a date
    ("20 de noviembre de 2026", "20 novembre 2026", "1er janvier 2027": Django's DATE_FORMAT for it)."""
    if in_english():
        return date_shown(value, "F j, Y")
    return first_of_the_month_written(date_shown(value, "DATE_FORMAT"), getattr(value, "day", 0))


@register.filter(expects_localtime=True)
def month_in_words(value: object) -> str:
    """A date's month as a sentence writes it: "March 2027", "marzo de 2027", "mars 2027"."""
    return date_shown(value, "F Y" if in_english() else "YEAR_MONTH_FORMAT")


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
    """The current query string with some parameters replaced (and those given None left out), for pagination
    links and the places a search may have meant."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
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
    words = _card_words(translation.get_language())
    return mark_safe("\n\n" + "".join(_result_card(each, unit, link_query, words) for each in practitioners) + "\n")


@dataclass(frozen=True)
class _CardWords:
    """What every card says, in one language."""

    techniques: str
    accepting: str
    not_accepting: str
    away: str  # "%(distance)s %(unit)s away"
    speaks: str  # "Speaks %(names)s"
    verified: str  # "Training verified %(day)s"


@functools.lru_cache(maxsize=16)
def _card_words(language: str | None) -> _CardWords:
    """The cards' words in `language` (the active one), looked up once per process rather than about 40 times a
    page (each gettext() reads the thread's active language first). Every gettext stays outside f-strings:
    xgettext does not look inside them."""
    accepting, not_accepting = gettext("Accepting new patients"), gettext("Not accepting new patients")
    return _CardWords(
        techniques=gettext("Techniques"),
        accepting=f'<p class="accepting">{accepting}</p>',
        not_accepting=f'<p class="not-accepting">{not_accepting}</p>',
        away=gettext("%(distance)s %(unit)s away"),
        speaks=gettext("Speaks %(names)s"),
        verified=gettext("Training verified %(day)s"),
    )


def _escaped(value: object) -> str:
    """conditional_escape() without its lazy-string wrapper (a card escapes about 15 values): html.escape, as
    Django's escape() uses, unless the value is already HTML."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _result_card(practitioner: Practitioner, unit: str, link_query: str, words: _CardWords) -> str:
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
        away = words.away % {"distance": e(distance), "unit": e(unit)}
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
        if hours := hours_json(location):
            parts.append(f'<p class="opening-status" data-opening-hours="{e(hours)}" hidden></p>')
        parts.append("\n  ")
    parts.append("\n  ")
    if practitioner.bio:
        parts.append(f'<p class="bio">{e(one_line(practitioner.bio))}</p>')
    parts.append("\n  ")
    if languages := practitioner.language_names:
        names = ", ".join(e(name) for name in languages)
        speaks = words.speaks % {"names": names}
        parts.append(f'<p class="languages">{speaks}</p>')
    parts.append("\n  ")
    if techniques := practitioner.listed_techniques:
        tags = []
        for technique in techniques:
            badge = ""
            if technique.verified_on:
                day = e(date_in_words(technique.verified_on))
                verified = words.verified % {"day": day}
                badge = f' <span class="verified">{verified}</span>'
            tags.append(f"<li>{e(technique.name)}{badge}</li>")
        parts.append(f'\n  <ul class="tags" aria-label="{words.techniques}">{"".join(tags)}</ul>\n  ')
    parts.append("\n  ")
    parts.append(words.accepting if practitioner.accepting_new_patients else words.not_accepting)
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


@dataclass(frozen=True)
class _FormWords:
    """What the search form says, in one language."""

    form_label: str
    near_example: str
    finding: str
    refused: str
    unknown: str
    suggestions_label: str
    no_suggestions: str
    one_suggestion: str
    suggestions: str
    use_location: str
    any_of_them: str
    verified_help: str
    page_label: str
    search_label: str
    within: str  # "within %(radius)s"


@functools.lru_cache(maxsize=16)
def _form_words(language: str | None) -> _FormWords:
    """The form's words in `language` (the active one), looked up once per process (see _card_words())."""
    return _FormWords(
        form_label=gettext("Find a practitioner"),
        near_example=gettext("e.g. 02108 or Boston, MA"),
        finding=gettext("Finding your location…"),
        refused=gettext(
            "Your browser did not allow us to use your location. Type a ZIP code, postal code or city instead."
        ),
        unknown=gettext("Your location could not be found. Type a ZIP code, postal code or city instead."),
        suggestions_label=gettext("Suggested places"),
        no_suggestions=gettext("No suggestions."),
        one_suggestion=gettext("1 suggestion: use the up and down arrows to choose one."),
        suggestions=gettext("%(count)s suggestions: use the up and down arrows to choose one.") % {"count": "{count}"},
        use_location=gettext("Use my location"),
        any_of_them=gettext("any of them; leave empty for all"),
        verified_help=gettext("Training a moderator has checked against the practitioner's certificate."),
        page_label=gettext("Page:"),
        search_label=gettext("Search"),
        within=gettext("within %(radius)s"),
    )


@register.simple_tag
def search_form(filters: PractitionerSearch) -> SafeString:
    """The search form, filled in as `filters` was sent, each field with its errors.

    Written in Python rather than as a template for the same reason as result_cards(): the template took about
    1.8 ms of every search page, this 0.4 ms. The words are the msgids the template used, trusted as a template
    trusts them; every value is escaped."""
    e = _escaped
    form = filters.form
    fields = {name: form[name] for name in ("near", "radius", "unit", "technique", "language", "page")}
    fields["accepting"], fields["verified"] = form["accepting_new_patients"], form["verified"]
    errors = {name: field.errors for name, field in fields.items()}

    def has_error(name: str) -> str:
        return " has-error" if errors[name] else ""

    def error_list(name: str, element_id: str) -> str:
        if not errors[name]:
            return ""
        items = "".join(f"<li>{e(error)}</li>" for error in errors[name])
        return f'<ul class="field-errors" id="{element_id}">{items}</ul>'

    def invalid(name: str, described_by: str = "") -> str:
        if not errors[name]:
            return ""
        return ' aria-invalid="true"' + (f' aria-describedby="{described_by}"' if described_by else "")

    words = _form_words(translation.get_language())
    parts = [
        f'\n\n<form class="search-form" id="search-form" method="get" action="{e(reverse("directory:search"))}" '
        f'role="search" aria-label="{words.form_label}" novalidate\n'
        f'      data-finding-location="{words.finding}"\n      data-location-refused="{words.refused}"\n'
        f'      data-location-unknown="{words.unknown}"\n      data-suggestions-label="{words.suggestions_label}"\n'
        f'      data-no-suggestions="{words.no_suggestions}"\n      data-one-suggestion="{words.one_suggestion}"\n'
        f'      data-suggestions="{words.suggestions}">\n  '
    ]
    if non_field := form.non_field_errors():
        parts.append(f'<div class="errors" role="alert">{e(non_field)}</div>')
    near = fields["near"]
    near_value = near.value()
    near_described = " near-errors" if errors["near"] else ""
    near_invalid = ' aria-invalid="true"' if errors["near"] else ""
    parts.append(
        f'\n  <div class="field field-near{has_error("near")}">\n    <label for="id_near">{e(near.label)}</label>\n'
        f'    <input type="text" name="near" id="id_near" value="{e("" if near_value is None else near_value)}"\n'
        f'           maxlength="200" autocomplete="postal-code" inputmode="text" placeholder="{words.near_example}"\n'
        f'           aria-describedby="near-help{near_described}"{near_invalid}>\n'
        f'    <p class="help" id="near-help">{e(near.help_text)}</p>\n'
        f'    <button type="button" class="link-button" id="use-location" hidden>{words.use_location}</button>\n'
        '    <p class="location-status" id="location-status" role="status" aria-live="polite"></p>\n'
        f"    {error_list('near', 'near-errors')}\n  </div>\n"
    )
    radius_options = []
    for value, selected in filters.radius_options():
        within = words.within % {"radius": e(number_shown(value))}
        chosen = " selected" if selected else ""
        radius_options.append(f'\n        <option value="{e(value)}"{chosen}>{within}</option>\n        ')
    unit = fields["unit"]
    unit_value = unit.value()
    unit_value = "" if unit_value is None else unit_value
    unit_options = [
        f'\n        <option value="{e(value)}"{" selected" if unit_value == value else ""}>{e(label)}</option>'
        "\n        "
        for value, label in form.fields["unit"].choices
    ]
    parts.append(
        f'  <div class="field-row">\n    <div class="field{has_error("radius")}">\n'
        f'      <label for="id_radius">{e(fields["radius"].label)}</label>\n'
        f'      <select name="radius" id="id_radius"{invalid("radius", "radius-errors")}>\n        '
        f"{''.join(radius_options)}\n      </select>\n      {error_list('radius', 'radius-errors')}\n    </div>\n"
        f'    <div class="field{has_error("unit")}">\n      <label for="id_unit">{e(unit.label)}</label>\n'
        f'      <select name="unit" id="id_unit"{invalid("unit", "unit-errors")}>\n        '
        f"{''.join(unit_options)}\n      </select>\n      {error_list('unit', 'unit-errors')}\n    </div>\n  </div>\n"
    )
    technique = fields["technique"]
    technique_invalid = ' aria-invalid="true"' if errors["technique"] else ""
    checkboxes = [
        f'\n      <label class="checkbox" for="id_technique_{number}"><input type="checkbox" name="technique" '
        f'value="{e(value)}" id="id_technique_{number}"{" checked" if checked else ""}{technique_invalid}> '
        f"{e(label)}</label>\n    "
        for number, (value, label, checked) in enumerate(filters.technique_options())
    ]
    technique_described = ' aria-describedby="technique-errors"' if errors["technique"] else ""
    parts.append(
        f'  <details class="techniques-group" open>\n  <summary>{e(technique.label)} <span class="help">'
        f"({words.any_of_them})</span></summary>\n"
        f'  <fieldset class="field techniques{has_error("technique")}"{technique_described}>\n'
        f'    <legend class="visually-hidden">{e(technique.label)}</legend>\n    {"".join(checkboxes)}\n'
        f"    {error_list('technique', 'technique-errors')}\n  </fieldset>\n  </details>\n"
    )
    search = filters.search
    accepting, verified = fields["accepting"], fields["verified"]
    accepting_checked = " checked" if search.accepting_new_patients else ""
    accepting_invalid = ' aria-invalid="true" aria-describedby="accepting-errors"' if errors["accepting"] else ""
    verified_described = " verified-errors" if errors["verified"] else ""
    verified_checked = " checked" if search.verified else ""
    verified_invalid = ' aria-invalid="true"' if errors["verified"] else ""
    parts.append(
        f'  <div class="field field-language{has_error("language")}">\n'
        f'    <label for="id_language">{e(fields["language"].label)}</label>\n'
        f'    <select name="language" id="id_language"{invalid("language", "language-errors")}>\n'
        f"      {language_options(search.language)}\n    </select>\n"
        f"    {error_list('language', 'language-errors')}\n  </div>\n"
        f'  <div class="field field-checkbox{has_error("accepting")}">\n'
        f'    <label class="checkbox" for="id_accepting_new_patients"><input type="checkbox" '
        f'name="accepting_new_patients" value="true" id="id_accepting_new_patients"{accepting_checked}'
        f"{accepting_invalid}> {e(accepting.label)}</label>\n"
        f"    {error_list('accepting', 'accepting-errors')}\n  </div>\n"
        f'  <div class="field field-checkbox{has_error("verified")}">\n'
        f'    <label class="checkbox" for="id_verified"><input type="checkbox" name="verified" value="true" '
        f'id="id_verified" aria-describedby="verified-help{verified_described}"{verified_checked}{verified_invalid}> '
        f"{e(verified.label)}</label>\n"
        f'    <p class="help" id="verified-help">{words.verified_help}</p>\n'
        f"    {error_list('verified', 'verified-errors')}\n  </div>\n  "
    )
    if errors["page"]:
        page_errors = " ".join(e(error) for error in errors["page"])
        parts.append(f'<div class="errors" role="alert"><p>{words.page_label} {page_errors}</p></div>')
    parts.append(f'\n  <button type="submit" class="button">{words.search_label}</button>\n</form>\n\n')
    return mark_safe("".join(parts))


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
