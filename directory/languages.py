"""The languages a practitioner may say they speak: ISO 639-1 codes, stored and keyed by their English names and
shown in the page's language (language_name).

Django's own table of languages (django.conf.locale.LANG_INFO) names most of them, and Django's own catalogue
translates those names; a few spoken widely in North American clinics that Django has no translation for are
added here, with msgids of ours."""

from __future__ import annotations

import functools
import unicodedata

from django.conf.locale import LANG_INFO
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

_NOT_IN_DJANGO = {
    "am": gettext_noop("Amharic"),
    "gu": gettext_noop("Gujarati"),
    "ht": gettext_noop("Haitian Creole"),
    "lo": gettext_noop("Lao"),
    "nv": gettext_noop("Navajo"),
    "ps": gettext_noop("Pashto"),
    "so": gettext_noop("Somali"),
    "ti": gettext_noop("Tigrinya"),
    "tl": gettext_noop("Tagalog"),
    "yi": gettext_noop("Yiddish"),
    "yo": gettext_noop("Yoruba"),
    "zh": gettext_noop("Chinese"),
}
# Names in LANG_INFO that Django's catalogue does not translate as they stand ("Norwegian Bokmal" is "Norwegian
# Bokmål" there; "Norwegian" is not there at all), or translates as something else: in Spanish "Azerbaiyán" is the
# country, "Africano" an adjective, "Turcomanos" a people, "Nynorsk" drops the "Norwegian", "Luxenburgués" is
# misspelt and "Gaélico Escocés" capitalised mid-name; in French "Mongole" is the feminine adjective. Named by
# our catalogue, which is read before Django's.
_NAMED_HERE = {
    "af": gettext_noop("Afrikaans"),
    "az": gettext_noop("Azerbaijani"),
    "gd": gettext_noop("Scottish Gaelic"),
    "lb": gettext_noop("Luxembourgish"),
    "mn": gettext_noop("Mongolian"),
    "nb": gettext_noop("Norwegian Bokmål"),
    "nn": gettext_noop("Norwegian Nynorsk"),
    "no": gettext_noop("Norwegian"),
    "tk": gettext_noop("Turkmen"),
}
# Constructed or liturgical languages nobody looks for a chiropractor in.
_LEFT_OUT = {"eo", "ia", "io"}

LANGUAGE_NAMES: dict[str, str] = dict(
    sorted(
        (
            {code: info["name"] for code, info in LANG_INFO.items() if len(code) == 2 and "name" in info}
            | _NOT_IN_DJANGO
            | _NAMED_HERE
        ).items(),
        key=lambda item: item[1],
    )
)
for _code in _LEFT_OUT:
    LANGUAGE_NAMES.pop(_code, None)

LANGUAGE_CHOICES: list[tuple[str, str]] = list(LANGUAGE_NAMES.items())


# Offered first in lists: the languages most spoken at home in the United States and Canada after English.
COMMON_LANGUAGES = ("en", "es", "fr", "zh", "tl", "vi", "ar", "ko", "ru", "pt", "ht", "de", "hi", "pa", "it", "pl")


def language_name(code: str) -> str:
    """A language's name in the active language ("" for a code not listed): Django's catalogue translates the
    names of LANG_INFO, ours the others."""
    name = LANGUAGE_NAMES.get(code)
    return gettext(name) if name else ""


def in_english() -> bool:
    """Whether the active language is English (or none is active)."""
    return (translation.get_language() or "en").startswith("en")


def first_of_the_month_written(text: str, day: int) -> str:
    """A date in the active language's DATE_FORMAT, with the first of a month as French writes it: "1er janvier
    2027", not "1 janvier 2027" (Django's format has no French ordinal). Other languages' dates are unchanged."""
    if day == 1 and (translation.get_language() or "").startswith("fr") and text.startswith("1 "):
        return "1er" + text[1:]
    return text


# The page languages whose grammar writes a language's name in lower case within a sentence ("habla inglés",
# "parle anglais"); Django's catalogue names languages capitalised, as a list of them shows them.
LOWER_CASE_NAMES_IN = ("es", "fr")


def language_name_in_sentence(code: str) -> str:
    """A language's name as a sentence in the active language writes it: "English" in English, "inglés" in
    Spanish, "anglais" in French."""
    name = language_name(code)
    if (translation.get_language() or "en").split("-")[0] in LOWER_CASE_NAMES_IN:
        return name[:1].lower() + name[1:]
    return name


def language_choices_common_first() -> list[tuple[str, str]]:
    """The choices for a language select, named in the active language: the common ones first, then the others
    in the order of their names (call it at request time)."""
    return list(_choices_in(translation.get_language()))


@functools.lru_cache(maxsize=16)
def _choices_in(language: str | None) -> tuple[tuple[str, str], ...]:
    """language_choices_common_first() in `language` (the active one): named and sorted once per process, not
    on every search (it was a millisecond of each)."""
    common = [(code, language_name(code)) for code in COMMON_LANGUAGES]
    others = sorted(
        ((code, language_name(code)) for code in LANGUAGE_NAMES if code not in COMMON_LANGUAGES),
        key=lambda choice: _sort_key(choice[1]),
    )
    return tuple(common + others)


def _sort_key(name: str) -> str:
    """Names sorted as a reader expects: "Élamite" among the Es, not after the Zs."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def language_codes(stored: str) -> list[str]:
    """The codes a Practitioner.languages value holds, in the order the practitioner gave them."""
    return [code for code in stored.split() if code in LANGUAGE_NAMES]


def languages_stored(codes: list[str] | tuple[str, ...]) -> str:
    """Codes as Practitioner.languages keeps them: space-separated, each once. Every code is two letters, so a
    two-letter substring of the stored value is always a whole code: `languages__contains="es"` is a match on
    Spanish and nothing else."""
    return " ".join(dict.fromkeys(code for code in codes if code in LANGUAGE_NAMES))
