"""The search any site may embed: the box (/embed/, the one page that may be framed), the script that inserts it
(/embed.js), its colours (/embed/theme.css) and the page that builds a site owner's snippet (/embed/build/).

The box sets no cookie and reads no session: its form is GET, and its presets (place, distance, technique) are
validated by the search's own FilterSet, a value it refuses being left out rather than shown back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.db.models import TextChoices
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, translation
from django.utils.cache import patch_cache_control
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from directory.answers import public_version, techniques_at
from directory.filters import PractitionerSearch
from directory.geo import MAX_PLACE_LENGTH
from directory.languages import in_english
from directory.models import Technique

EMBED_SCRIPT = Path(__file__).resolve().parent / "static" / "directory" / "embed.js"
PRESETS = ("near", "radius", "unit", "technique")  # the search parameters a box may be preset with
BOX_SECONDS = 300  # how long a box may be cached: it changes only when techniques do
SCRIPT_SECONDS = 3600
THEME_SECONDS = 86_400  # a theme is wholly its URL's
HEADLINE = _("Find an Upper Cervical Chiropractor")
CALL_TO_ACTION = _("Start Your Search Now")
MIN_CONTRAST = 4.5  # WCAG AA for the button's text on its colour
HEX_COLOUR = re.compile(r"#?([0-9a-f]{6}|[0-9a-f]{3})", re.IGNORECASE)


def hex_colour(value: str | None) -> str | None:
    """`value` as "#rrggbb" (from rrggbb, #rgb or #RRGGBB), or None when it is no hex colour."""
    match = HEX_COLOUR.fullmatch((value or "").strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    return "#" + (digits if len(digits) == 6 else "".join(digit * 2 for digit in digits))


def _luminance(colour: str) -> float:
    channels = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    red, green, blue = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two "#rrggbb" colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Colours:
    """The button's colour and its text's: the site's own unless a readable pair is asked for."""

    accent: str = "#0b5d7a"
    accent_text: str = "#ffffff"

    @classmethod
    def from_query(cls, data: QueryDict) -> Colours:
        accent, accent_text = hex_colour(data.get("accent")), hex_colour(data.get("accent_text"))
        if accent is None and accent_text is None:
            return cls()
        asked = cls(accent or cls.accent, accent_text or cls.accent_text)
        return asked if contrast(asked.accent, asked.accent_text) >= MIN_CONTRAST else cls()

    @property
    def is_default(self) -> bool:
        return self == Colours()

    def query(self) -> str:
        """The colours as a query string, empty for the defaults (hex without "#", which a URL would escape)."""
        return "" if self.is_default else urlencode({"accent": self.accent[1:], "accent_text": self.accent_text[1:]})


def preset_search(data: QueryDict) -> PractitionerSearch:
    """The box's presets, validated by the search's FilterSet; each value it refuses is dropped (an unknown
    technique among known ones alone), so a hostile or stale preset gives the plain box, never an error."""
    presets = QueryDict(mutable=True)
    for name in PRESETS:
        presets.setlist(name, data.getlist(name)[:20])
    techniques = techniques_at(public_version())
    for _round in PRESETS:  # each round drops at least one refused parameter
        filters = PractitionerSearch(presets, techniques=techniques)
        if filters.is_valid():
            return filters
        for name in filters.form.errors:
            if name == "technique":
                known = [slug for slug in filters.form.data.getlist("technique") if slug in filters.techniques_by_slug]
                presets.setlist(name, known)
            else:
                presets.pop(name, None)
    return PractitionerSearch(QueryDict(), techniques=techniques)


def preset_technique(filters: PractitionerSearch) -> str:
    """The slug the box's technique choice starts on: the first preset technique, or "" for any."""
    techniques = filters.search.techniques
    return techniques[0].slug if techniques else ""


def allow_any_framing(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any site may put this view in a frame: CSP frame-ancestors * and no X-Frame-Options."""
    return xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(view))


@require_safe
@allow_any_framing
def embed(request: HttpRequest) -> HttpResponse:
    if "lang" in request.GET:
        return _embed_in_language(request)
    filters = preset_search(request.GET)
    context = {
        "filters": filters,
        "techniques": list(filters.techniques_by_slug.values()),
        "technique": preset_technique(filters),
        "near": " ".join(filters.form.data.get("near", "").split()) if filters.search.place else "",
        "colours": Colours.from_query(request.GET),
        # Absolute, so the results open on this site in the top window whatever page holds the frame.
        "search_url": request.build_absolute_uri(reverse("directory:search")),
        "home_url": request.build_absolute_uri(reverse("directory:home")),
        "headline": HEADLINE,
        "call_to_action": CALL_TO_ACTION,
    }
    response = render(request, "directory/embed/box.html", context)
    patch_cache_control(response, public=True, max_age=BOX_SECONDS)
    return response


def _embed_in_language(request: HttpRequest) -> HttpResponse:
    """/embed/?lang=es is the box at /es/embed/ (each language's box has one address, as every page has): a
    redirect there with the other presets, or the box at this address without `lang` when it names no language of
    the site (a refused preset is left out)."""
    presets = request.GET.copy()
    language = presets.pop("lang")[-1].strip().lower()
    query = f"?{presets.urlencode()}" if presets else ""
    if language in dict(settings.LANGUAGES):
        with translation.override(language):
            return redirect(reverse("directory:embed") + query)
    return redirect(request.path + query)


@cache
def embed_script_text() -> str:
    return EMBED_SCRIPT.read_text()


@require_safe
def embed_script(request: HttpRequest) -> HttpResponse:
    """The one-line embed's script, at a stable address site owners paste (the static file's is hashed)."""
    response = HttpResponse(embed_script_text(), content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, public=True, max_age=SCRIPT_SECONDS)
    return response


@require_safe
def embed_theme(request: HttpRequest) -> HttpResponse:
    """The box's colours as a stylesheet, so neither the box nor the builder needs inline style under the CSP."""
    colours = Colours.from_query(request.GET)
    css = f":root {{ --embed-accent: {colours.accent}; --embed-accent-text: {colours.accent_text}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=THEME_SECONDS)
    return response


class Variant(TextChoices):
    BOX = "box", _("A search box: place, distance and technique, in a frame sized to fit")
    BUTTON = "button", _("A button: a plain link to the search, no script and no frame")


# The button's look, inline so that the snippet is one self-contained link whatever the site's stylesheet.
BUTTON_STYLE = (
    "display:inline-block;padding:.7em 1.2em;border-radius:.35em;background:{accent};color:{accent_text};"
    "font:600 1rem/1.3 system-ui,sans-serif;text-decoration:none"
)


class EmbedOptions(forms.Form):
    """What a site owner chooses for their snippet; the place and technique are checked as the search checks them."""

    variant = forms.ChoiceField(
        label=_("What to put on your site"), choices=Variant.choices, initial=Variant.BOX, widget=forms.RadioSelect
    )
    technique = forms.ChoiceField(label=_("Technique chosen at first"), required=False)
    near = forms.CharField(
        label=_("Place filled in at first (optional)"),
        required=False,
        max_length=MAX_PLACE_LENGTH,
        help_text=_('Your clinic\'s ZIP code, postal code or "City, ST"; patients can change it.'),
    )
    accent = forms.CharField(label=_("Button colour"), widget=forms.TextInput(attrs={"type": "color"}))
    accent_text = forms.CharField(label=_("Button text colour"), widget=forms.TextInput(attrs={"type": "color"}))

    def __init__(self, data: QueryDict | None, *, techniques: list[Technique]) -> None:
        # Always bound: an option left out of the address (or the first visit) is its default.
        options = QueryDict(mutable=True)
        options.update({"variant": Variant.BOX, "accent": Colours.accent, "accent_text": Colours.accent_text})
        for name in self.base_fields:
            if data and name in data:
                options.setlist(name, data.getlist(name))
        super().__init__(options)
        self.techniques = techniques
        self.fields["technique"].choices = [("", gettext("Any technique"))] + [(t.slug, t.name) for t in techniques]

    def _clean_colour(self, name: str) -> str:
        colour = hex_colour(self.cleaned_data.get(name))
        if colour is None:
            raise forms.ValidationError(gettext("Enter a colour as #rrggbb, for example #0b5d7a."), code="colour")
        return colour

    def clean_accent(self) -> str:
        return self._clean_colour("accent")

    def clean_accent_text(self) -> str:
        return self._clean_colour("accent_text")

    def clean_near(self) -> str:
        near = " ".join(self.cleaned_data.get("near", "").split())
        search = PractitionerSearch({"near": near}, techniques=self.techniques)
        if near and "near" in search.form.errors:
            raise forms.ValidationError(search.form.errors["near"])
        return near

    def clean(self) -> dict:
        cleaned = super().clean()
        accent, accent_text = cleaned.get("accent"), cleaned.get("accent_text")
        if accent and accent_text and (ratio := contrast(accent, accent_text)) < MIN_CONTRAST:
            self.add_error(
                "accent_text",
                gettext(
                    "This text is hard to read on that button colour (%(ratio)s:1): choose colours with a contrast "
                    "of at least %(minimum)s:1."
                )
                % {"ratio": formats.number_format(round(ratio, 1), 1), "minimum": formats.number_format(MIN_CONTRAST)},
            )
        return cleaned

    def colours(self) -> Colours:
        return Colours(self.cleaned_data["accent"], self.cleaned_data["accent_text"])

    def presets(self) -> list[tuple[str, str]]:
        """The chosen technique and place, as the search's parameters."""
        pairs = [("technique", self.cleaned_data["technique"]), ("near", self.cleaned_data["near"])]
        return [(name, value) for name, value in pairs if value]


def box_snippet(origin: str, options: EmbedOptions) -> str:
    colours = options.colours()
    data = [(f"data-{name}", value) for name, value in options.presets()]
    if not colours.is_default:
        data += [("data-accent", colours.accent), ("data-accent-text", colours.accent_text)]
    if not in_english():  # the box in the builder's language, its frame named in it (embed.js reads both)
        data += [("data-lang", translation.get_language()), ("data-title", str(HEADLINE))]
    attributes = format_html_join("", ' {}="{}"', data)
    return format_html('<script src="{}/embed.js"{} async></script>', origin, attributes)


def button_snippet(origin: str, options: EmbedOptions) -> str:
    colours = options.colours()
    query = urlencode(options.presets())
    href = origin + reverse("directory:search") + (f"?{query}" if query else "")
    style = BUTTON_STYLE.format(accent=colours.accent, accent_text=colours.accent_text)
    return format_html('<a href="{}" style="{}">{} — {}</a>', href, style, HEADLINE, CALL_TO_ACTION)


@require_safe
def embed_builder(request: HttpRequest) -> HttpResponse:
    """ "Put this search on your site": the options, the snippet to copy and a preview (a GET form: it works
    without script; embed-builder.js refreshes the snippet and preview as options change)."""
    options = EmbedOptions(request.GET, techniques=techniques_at(public_version()))
    context = {"options": options, "headline": HEADLINE, "call_to_action": CALL_TO_ACTION}
    if options.is_valid():
        origin = request.build_absolute_uri("/").rstrip("/")
        colours = options.colours()
        box = options.cleaned_data["variant"] == Variant.BOX
        preview_query = "&".join(part for part in (urlencode(options.presets()), colours.query()) if part)
        context.update(
            box=box,
            colours=colours,
            snippet=(box_snippet if box else button_snippet)(origin, options),
            preview_query=preview_query,
            preview_url=reverse("directory:embed") + (f"?{preview_query}" if preview_query else ""),
            button_href=reverse("directory:search") + "?" + urlencode(options.presets()),
        )
    return render(request, "directory/embed/builder.html", context, status=200 if options.is_valid() else 400)
