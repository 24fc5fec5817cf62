"""Placing a clinic from its address: a geocoder speaking Nominatim's /search API when GEOCODER_URL is set,
else (or when it fails) the postal code's centre from the bundled data. Errors form a small hierarchy that the
location form turns into field errors; nothing here guesses a point silently."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from geopy.adapters import URLLibAdapter
from geopy.distance import geodesic
from geopy.exc import GeopyError
from geopy.geocoders import Nominatim

from directory.geo import Point
from directory.models import Location
from directory.places import locate_postal_code

logger = logging.getLogger(__name__)

# A geocoded point farther than this from its postal code's centre is another place of the same name.
MAX_KM_FROM_POSTAL_CODE = 50.0
NOT_FOUND = "not-found"
NOT_FOUND_CACHE_SECONDS = 24 * 3600


class PlacementError(Exception):
    """An address could not be placed by some means."""


class GeocoderUnavailable(PlacementError):
    """The geocoder did not answer in time, or answered with an error."""


class AddressNotFound(PlacementError):
    """The geocoder answered, and knows no such address (or only one far from the postal code)."""


class AddressNotPlaced(PlacementError):
    """Neither the geocoder nor the bundled postal-code data can place the address: the owner must correct it."""


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    postal_code: str
    country: str  # "US" or "CA"

    def cache_key(self) -> str:
        text = "|".join(part.strip().lower() for part in (self.street, self.city, self.state, self.postal_code))
        return "geocode:" + hashlib.sha256(f"{self.country}|{text}".encode()).hexdigest()


@dataclass(frozen=True)
class Placed:
    point: Point
    placement: Location.Placement

    @property
    def is_approximate(self) -> bool:
        return self.placement == Location.Placement.POSTAL_CODE


@lru_cache(maxsize=4)
def nominatim(url: str, user_agent: str, timeout: int) -> Nominatim:
    parts = urlsplit(url)
    domain = parts.netloc + parts.path.rstrip("/")
    # The standard library's transport: one attempt per request (requests' adapter retries a timeout twice, which
    # would keep a practitioner waiting three times GEOCODER_TIMEOUT).
    return Nominatim(
        user_agent=user_agent, domain=domain, scheme=parts.scheme, timeout=timeout, adapter_factory=URLLibAdapter
    )


def wait_for_turn() -> None:
    """At most one request per GEOCODER_MIN_INTERVAL_SECONDS across every process sharing the cache."""
    interval = settings.GEOCODER_MIN_INTERVAL_SECONDS
    if interval <= 0:
        return
    deadline = time.monotonic() + settings.GEOCODER_TIMEOUT
    while not cache.add("geocoder:turn", 1, timeout=interval):
        if time.monotonic() > deadline:
            raise GeocoderUnavailable("The geocoder is busy.")
        time.sleep(0.05)


def geocode(address: Address) -> Point:
    """The address's point from the geocoder (answers cached); raises GeocoderUnavailable or AddressNotFound."""
    cached = cache.get(address.cache_key())
    if cached == NOT_FOUND:
        raise AddressNotFound(f"No match for {address.street}, {address.city}.")
    if cached is not None:
        return Point(*cached)
    wait_for_turn()
    query = {
        "street": address.street,
        "city": address.city,
        "state": address.state,
        "postalcode": address.postal_code,
        "country": address.country,
    }
    geocoder = nominatim(settings.GEOCODER_URL, settings.GEOCODER_USER_AGENT, settings.GEOCODER_TIMEOUT)
    try:
        found = geocoder.geocode(query, exactly_one=True, country_codes=[address.country.lower()])
    except GeopyError as error:
        raise GeocoderUnavailable(f"The geocoder failed: {error}") from error
    if found is None:
        cache.set(address.cache_key(), NOT_FOUND, NOT_FOUND_CACHE_SECONDS)
        raise AddressNotFound(f"No match for {address.street}, {address.city}.")
    point = Point(found.latitude, found.longitude)
    cache.set(address.cache_key(), (point.latitude, point.longitude), settings.GEOCODER_CACHE_SECONDS)
    return point


def place_address(address: Address) -> Placed:
    """Where the clinic is: the geocoded address, else its postal code's centre (approximate)."""
    centre = locate_postal_code(address.postal_code, address.country)
    if settings.GEOCODER_URL:
        try:
            point = geocode(address)
        except PlacementError as error:
            logger.warning("Placing %s by its postal code: %s", address.postal_code, error)
        else:
            if centre is None or km_between(point, centre) <= MAX_KM_FROM_POSTAL_CODE:
                return Placed(point, Location.Placement.ADDRESS)
            logger.warning("Geocoded %s lies far from postal code %s; using the code", address, address.postal_code)
    if centre is None:
        raise AddressNotPlaced(
            _(
                "We could not find this address, and postal code %(postal_code)s is not in our postal-code data. "
                "Check the postal code and the country."
            )
            % {"postal_code": address.postal_code}
        )
    return Placed(centre, Location.Placement.POSTAL_CODE)


def km_between(first: Point, second: Point) -> float:
    return geodesic((first.latitude, first.longitude), (second.latitude, second.longitude)).km
