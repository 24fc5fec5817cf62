from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """The map tile settings every page with a map passes to its script, and the address people write to for help."""
    return {
        "map_tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "contact_email": settings.CONTACT_EMAIL,
    }
