"""The languages a practitioner may say they speak: ISO 639-1 codes, shown by their English names.

Django's own table of languages (django.conf.locale.LANG_INFO) names most of them; a few spoken widely in North
American clinics that Django has no translation for are added here."""

from __future__ import annotations

from django.conf.locale import LANG_INFO

_NOT_IN_DJANGO = {
    "am": "Amharic",
    "gu": "Gujarati",
    "ht": "Haitian Creole",
    "lo": "Lao",
    "nv": "Navajo",
    "ps": "Pashto",
    "so": "Somali",
    "ti": "Tigrinya",
    "tl": "Tagalog",
    "yi": "Yiddish",
    "yo": "Yoruba",
    "zh": "Chinese",
}
# Constructed or liturgical languages nobody looks for a chiropractor in.
_LEFT_OUT = {"eo", "ia", "io"}

LANGUAGE_NAMES: dict[str, str] = dict(
    sorted(
        (
            {code: info["name"] for code, info in LANG_INFO.items() if len(code) == 2 and "name" in info}
            | _NOT_IN_DJANGO
        ).items(),
        key=lambda item: item[1],
    )
)
for _code in _LEFT_OUT:
    LANGUAGE_NAMES.pop(_code, None)

LANGUAGE_CHOICES: list[tuple[str, str]] = list(LANGUAGE_NAMES.items())


# Offered first in lists: the languages most spoken at home in the United States and Canada after English.
COMMON_LANGUAGES = ("en", "es", "fr", "zh", "tl", "vi", "ar", "ko", "ru", "pt", "ht", "de", "hi", "pa", "it", "pl")


def language_choices_common_first() -> list[tuple[str, str]]:
    common = [(code, LANGUAGE_NAMES[code]) for code in COMMON_LANGUAGES]
    return common + [(code, name) for code, name in LANGUAGE_CHOICES if code not in COMMON_LANGUAGES]


def language_codes(stored: str) -> list[str]:
    """The codes a Practitioner.languages value holds, in the order the practitioner gave them."""
    return [code for code in stored.split() if code in LANGUAGE_NAMES]


def languages_stored(codes: list[str] | tuple[str, ...]) -> str:
    """Codes as Practitioner.languages keeps them: space-separated, each once. Every code is two letters, so a
    two-letter substring of the stored value is always a whole code: `languages__contains="es"` is a match on
    Spanish and nothing else."""
    return " ".join(dict.fromkeys(code for code in codes if code in LANGUAGE_NAMES))
