import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, translate_url
from django.utils import translation
from django.utils.encoding import escape_uri_path, iri_to_uri


def site(request: HttpRequest) -> dict:
    """The map tile settings every page with a map passes to its script, and the address people write to for help."""
    return {
        "map_tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "contact_email": settings.CONTACT_EMAIL,
    }


def languages(request: HttpRequest) -> dict:
    """This page in each of the site's languages: the language switcher's links and the head's hreflang
    alternates. Each keeps the query string (a search stays the same search); a page that is not in every language
    (the desk, an address that matches nothing) gets no alternates."""
    current = translation.get_language()
    path, query = escape_uri_path(request.path), request.META.get("QUERY_STRING", "")
    links = []
    for code, name in settings.LANGUAGES:
        if len(path) <= TRANSLATED_PATH_LENGTH:
            url = _translated_path(path, code, current, get_script_prefix(), get_urlconf())
        else:
            url = translate_url(path, code)
        url = f"{url}?{iri_to_uri(query)}" if query else url
        absolute_url = request.build_absolute_uri(url)
        links.append({"code": code, "tag": language_tag(code), "name": name, "url": url, "absolute_url": absolute_url})
    translated = len({link["url"] for link in links}) == len(links)
    return {
        "language_links": links if translated else [],
        "language_current": current,
        "language_tag": language_tag(current),
    }


# The paths kept: the site's own are short (a profile's is under 100 characters); anyone can ask for a long one.
TRANSLATED_PATH_LENGTH = 200


@functools.lru_cache(maxsize=4096)
def _translated_path(path: str, code: str, current: str, script_prefix: str, urlconf: str | None) -> str:
    """translate_url() of a path without its query, kept for each path, language, language it was resolved in
    (i18n_patterns match the active language's prefix), script prefix and URLconf: its resolve() and reverse()
    took about 0.15 ms a language, three times on every page."""
    return translate_url(path, code)


def language_tag(code: str) -> str:
    """The BCP 47 tag of a language code, as <html lang> and hreflang write it: "fr-ca" is "fr-CA"."""
    language, _, region = code.partition("-")
    return f"{language}-{region.upper()}" if region else language
