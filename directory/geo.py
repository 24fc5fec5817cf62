"""Places and distances: the offline place resolver and the geodesic distance expression.

A patient types a place ("02108", "T2P 1J9", "Boston, MA", "42.36,-71.06"); `resolve_place` turns it into a
point using postal-code centroids shipped in the `zipcodes` (US) and `pypostalcode` (Canada) packages, which
are GeoNames-derived data (CC BY 4.0). No network is used.

Distances on the WGS-84 ellipsoid use Lambert's formula for long lines, written as database expressions so
that filtering, ordering and paging happen in SQL on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import math
import re
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.db.models import Expression, F, FloatField, Q, Value
from django.db.models.functions import ASin, ATan, Coalesce, Cos, Least, NullIf, Power, Radians, Sin, Sqrt, Tan

KM_PER_MILE = 1.609344
WGS84_A_KM = 6378.137
WGS84_F = 1 / 298.257223563
# The smallest radius of curvature of the WGS-84 ellipsoid (meridional, at the equator): an angle computed
# with it is never smaller than the real one, so a bounding box built from it never misses a point.
SMALLEST_RADIUS_KM = WGS84_A_KM * (1 - WGS84_F * (2 - WGS84_F))
BOX_MARGIN = 1.01
MAX_PLACE_LENGTH = 200


class PlaceError(ValueError):
    """A place the patient typed that cannot be resolved; the message is shown to them."""


class UnknownPlace(PlaceError):
    """Well-formed, but not in the bundled postal-code data."""


class InvalidPlace(PlaceError):
    """Not a form of place the resolver understands, or coordinates out of range."""


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Place:
    point: Point
    label: str


@dataclass(frozen=True)
class BoundingBox:
    min_latitude: float
    max_latitude: float
    longitude_ranges: tuple[tuple[float, float], ...]

    def as_q(self, prefix: str = "") -> Q:
        """The box as a filter on `latitude`/`longitude` fields (optionally behind a relation prefix)."""
        latitude, longitude = f"{prefix}latitude", f"{prefix}longitude"
        q = Q(**{f"{latitude}__gte": self.min_latitude, f"{latitude}__lte": self.max_latitude})
        longitudes = Q()
        for low, high in self.longitude_ranges:
            longitudes |= Q(**{f"{longitude}__gte": low, f"{longitude}__lte": high})
        return q & longitudes


US_ZIP = re.compile(r"^(?P<zip>\d{5})(?:[-\s]?\d{4})?$")
CA_POSTAL_CODE = re.compile(r"^(?P<fsa>[A-Z]\d[A-Z])(?:\s?\d[A-Z]\d)?$", re.IGNORECASE)
COORDINATES = re.compile(r"^(?P<lat>[+-]?\d{1,3}(?:\.\d+)?)\s*,\s*(?P<lon>[+-]?\d{1,3}(?:\.\d+)?)$")
CITY_STATE = re.compile(r"^(?P<city>[^,]+),\s*(?P<state>[A-Za-z]{2})$")

CA_PROVINCES = {
    "Alberta": "AB",
    "British Columbia": "BC",
    "Manitoba": "MB",
    "New Brunswick": "NB",
    "Newfoundland": "NL",
    "Newfoundland and Labrador": "NL",
    "Nova Scotia": "NS",
    "Northwest Territories": "NT",
    "Nunavut": "NU",
    "Nunavut Territory": "NU",
    "Ontario": "ON",
    "Prince Edward Island": "PE",
    "Quebec": "QC",
    "Saskatchewan": "SK",
    "Yukon": "YT",
    "Yukon Territory": "YT",
}
CITY_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "port"}
TRAILING_DIRECTIONS = re.compile(r"\s+(north|south|east|west|northeast|northwest|southeast|southwest|central)$")


def normalize_city(name: str) -> str:
    """A city name folded for lookup: no accents, case or punctuation; St/Ft/Mt spelled out."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    return " ".join(CITY_ABBREVIATIONS.get(word, word) for word in words)


def canadian_city(fsa_name: str) -> str:
    """Canada Post FSA names look like "Calgary (City Centre)" or "Abbotsford East": keep the city."""
    name = fsa_name.split("(")[0].strip()
    name = re.sub(r"^downtown\s+", "", name, flags=re.IGNORECASE)
    return TRAILING_DIRECTIONS.sub("", name, count=1) if " " in name else name


@dataclass
class PlaceIndex:
    zip_codes: dict[str, Place]
    fsas: dict[str, Place]
    cities: dict[tuple[str, str], Place]


def _mean_place(points: list[Point], label: str) -> Place:
    latitudes, longitudes = zip(*((p.latitude, p.longitude) for p in points), strict=True)
    return Place(Point(round(sum(latitudes) / len(points), 5), round(sum(longitudes) / len(points), 5)), label)


@cache
def place_index() -> PlaceIndex:
    """Every ZIP code, FSA and city with a centroid, built once per process from the bundled packages."""
    import pypostalcode.settings
    import zipcodes

    normalized: dict[str, str] = {}
    zip_codes: dict[str, Place] = {}
    city_points: dict[tuple[str, str], list[Point]] = defaultdict(list)
    city_labels: dict[tuple[str, str], str] = {}
    for row in zipcodes.list_all():
        latitude, longitude = float(row["lat"] or 0), float(row["long"] or 0)
        if latitude == 0 and longitude == 0:
            continue  # military and a few retired ZIP codes have no location
        point = Point(latitude, longitude)
        zip_codes[row["zip_code"]] = Place(point, f"{row['zip_code']} ({row['city']}, {row['state']})")
        city = row["city"]
        if city not in normalized:
            normalized[city] = normalize_city(city)
        key = (normalized[city], row["state"])
        city_points[key].append(point)
        city_labels.setdefault(key, f"{city}, {row['state']}")

    fsas: dict[str, Place] = {}
    with sqlite3.connect(f"file:{pypostalcode.settings.db_location}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT fsa, city, province, latitude, longitude FROM PostalCodes").fetchall()
    for fsa, name, province, latitude, longitude in rows:
        code = CA_PROVINCES.get(province, province)
        point = Point(float(latitude), float(longitude))
        city = canadian_city(name)
        fsas[fsa.upper()] = Place(point, f"{fsa.upper()} ({city}, {code})")
        key = (normalize_city(city), code)
        city_points[key].append(point)
        city_labels.setdefault(key, f"{city}, {code}")

    cities = {key: _mean_place(points, city_labels[key]) for key, points in city_points.items()}
    return PlaceIndex(zip_codes=zip_codes, fsas=fsas, cities=cities)


def parse_coordinates(latitude_text: str, longitude_text: str) -> Point:
    latitude, longitude = float(latitude_text), float(longitude_text)
    if not -90 <= latitude <= 90:
        raise InvalidPlace("Latitude must be between -90 and 90.")
    if not -180 <= longitude <= 180:
        raise InvalidPlace("Longitude must be between -180 and 180.")
    return Point(latitude, longitude)


def resolve_place(text: str) -> Place:
    """The place a patient typed: a US ZIP (or ZIP+4), a Canadian postal code, "City, ST" or "lat,lon"."""
    query = " ".join(text.split())
    if not query:
        raise InvalidPlace("Enter a ZIP code, a city or a location.")
    if len(query) > MAX_PLACE_LENGTH:
        raise InvalidPlace(f"Enter at most {MAX_PLACE_LENGTH} characters.")
    index = place_index()
    if match := US_ZIP.match(query):
        zip_code = match["zip"]
        if zip_code not in index.zip_codes:
            raise UnknownPlace(f"No such ZIP code: {zip_code}")
        return index.zip_codes[zip_code]
    if match := CA_POSTAL_CODE.match(query):
        fsa = match["fsa"].upper()
        if fsa not in index.fsas:
            raise UnknownPlace(f"No such Canadian postal code: {query.upper()}")
        return index.fsas[fsa]
    if match := COORDINATES.match(query):
        point = parse_coordinates(match["lat"], match["lon"])
        return Place(point, f"{point.latitude:.4f}, {point.longitude:.4f}")
    if match := CITY_STATE.match(query):
        key = (normalize_city(match["city"]), match["state"].upper())
        if key not in index.cities:
            raise UnknownPlace(f"No such city: {match['city'].strip()}, {match['state'].upper()}")
        return index.cities[key]
    raise InvalidPlace(
        'Enter a ZIP code (02108), a Canadian postal code (T2P 1J9), a city ("Boston, MA") '
        'or coordinates ("42.36,-71.06").'
    )


def locate_postal_code(postal_code: str, country: str) -> Point | None:
    """The centroid of a US ZIP or Canadian postal code, or None when the bundled data lacks it."""
    index = place_index()
    code = " ".join(postal_code.split()).upper()
    if country == "US" and (match := US_ZIP.match(code)):
        place = index.zip_codes.get(match["zip"])
    elif country == "CA" and (match := CA_POSTAL_CODE.match(code)):
        place = index.fsas.get(match["fsa"].upper())
    else:
        place = None
    return place.point if place else None


def bounding_box(origin: Point, radius_km: float) -> BoundingBox:
    """A latitude/longitude box that contains every point within `radius_km` of `origin`."""
    angle = radius_km / SMALLEST_RADIUS_KM * BOX_MARGIN
    span = math.degrees(angle) + 1e-6
    min_latitude, max_latitude = origin.latitude - span, origin.latitude + span
    if angle >= math.pi / 2 or min_latitude <= -90 or max_latitude >= 90:
        return BoundingBox(max(min_latitude, -90), min(max_latitude, 90), ((-180.0, 180.0),))
    ratio = math.sin(angle) / math.cos(math.radians(origin.latitude))
    if ratio >= 1:
        return BoundingBox(min_latitude, max_latitude, ((-180.0, 180.0),))
    half_width = math.degrees(math.asin(ratio)) * BOX_MARGIN + 1e-6
    west, east = origin.longitude - half_width, origin.longitude + half_width
    if west < -180:
        ranges = ((west + 360, 180.0), (-180.0, east))
    elif east > 180:
        ranges = ((west, 180.0), (-180.0, east - 360))
    else:
        ranges = ((west, east),)
    return BoundingBox(min_latitude, max_latitude, ranges)


def _float(value: float) -> Value:
    return Value(float(value), output_field=FloatField())


def _squared(expression: Expression) -> Expression:
    return Power(expression, 2)


def distance_km(origin: Point, prefix: str = "") -> Expression:
    """The geodesic distance in km from `origin` to the row's point, by Lambert's formula on WGS-84.

    Accurate to a few metres over continental distances (checked against geopy's geodesic in the tests).
    """
    latitude, longitude = F(f"{prefix}latitude"), F(f"{prefix}longitude")
    beta1 = math.atan((1 - WGS84_F) * math.tan(math.radians(origin.latitude)))
    beta2 = ATan(_float(1 - WGS84_F) * Tan(Radians(latitude)))
    half_dlat = (beta2 - _float(beta1)) / _float(2)
    half_dlon = (Radians(longitude) - _float(math.radians(origin.longitude))) / _float(2)
    # h = haversine of the central angle between the reduced latitudes, h = sin^2(sigma/2)
    h = Least(
        _squared(Sin(half_dlat)) + _float(math.cos(beta1)) * Cos(beta2) * _squared(Sin(half_dlon)),
        _float(1.0),
    )
    sigma = _float(2) * ASin(Sqrt(h))
    sin_sigma = _float(2) * Sqrt(h * (_float(1) - h))
    p = (beta2 + _float(beta1)) / _float(2)
    x = (sigma - sin_sigma) * _squared(Sin(p)) * _squared(Cos(half_dlat)) / NullIf(_float(1) - h, _float(0))
    y = (sigma + sin_sigma) * _squared(Cos(p)) * _squared(Sin(half_dlat)) / NullIf(h, _float(0))
    correction = Coalesce(x, _float(0)) + Coalesce(y, _float(0))
    return _float(WGS84_A_KM) * (sigma - _float(WGS84_F / 2) * correction)


def to_unit(kilometres: float, unit: str) -> float:
    return kilometres / KM_PER_MILE if unit == "mi" else kilometres


def to_km(value: float, unit: str) -> float:
    return value * KM_PER_MILE if unit == "mi" else value
