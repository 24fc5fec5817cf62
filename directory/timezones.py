"""The time zone a place keeps its clocks in, found offline from its coordinates (tzfpy's bundled boundaries):
the zone in which a location's opening hours are read, never the server's."""

from __future__ import annotations

from tzfpy import get_tz


def zone_at(latitude: float, longitude: float) -> str:
    """The IANA zone name at a point ("America/Chicago"); at sea, the nautical "Etc/GMT+N" zone."""
    return get_tz(longitude, latitude)
