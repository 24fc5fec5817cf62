from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation


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
    path = request.get_full_path()
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code)
        absolute_url = request.build_absolute_uri(url)
        links.append({"code": code, "tag": language_tag(code), "name": name, "url": url, "absolute_url": absolute_url})
    translated = len({link["url"] for link in links}) == len(links)
    return {
        "language_links": links if translated else [],
        "language_current": current,
        "language_tag": language_tag(current),
    }


def language_tag(code: str) -> str:
    """The BCP 47 tag of a language code, as <html lang> and hreflang write it: "fr-ca" is "fr-CA"."""
    language, _, region = code.partition("-")
    return f"{language}-{region.upper()}" if region else language
