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

from django.db.models import F, FloatField, Func, Q, TextChoices

KM_PER_MILE = 1.609344
WGS84_A_KM = 6378.137
WGS84_F = 1 / 298.257223563
# The smallest radius of curvature of the WGS-84 ellipsoid (meridional, at the equator): an angle computed
# with it is never smaller than the real one, so a bounding box built from it never misses a point.
SMALLEST_RADIUS_KM = WGS84_A_KM * (1 - WGS84_F * (2 - WGS84_F))
BOX_MARGIN = 1.01
BANDS_PER_DEGREE = 10
MAX_LISTED_BANDS = 64
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
    is_coordinates: bool = False  # typed as coordinates (or "use my location"), not as a named place

    def coarse(self) -> Place:
        """The place no finer than a named area: coordinates rounded to 0.1 degree (about 11 km)."""
        if not self.is_coordinates:
            return self
        point = Point(round(self.point.latitude, 1), round(self.point.longitude, 1))
        return Place(point, f"Near {point.latitude:.1f}, {point.longitude:.1f}", is_coordinates=True)


def latitude_band(latitude: float) -> int:
    """The 0.1-degree (about 11 km) band of latitude a point lies in; the database keeps the same per location."""
    return math.floor(latitude * BANDS_PER_DEGREE)


@dataclass(frozen=True)
class BoundingBox:
    min_latitude: float
    max_latitude: float
    longitude_ranges: tuple[tuple[float, float], ...]

    def latitude_bands(self) -> list[int]:
        """The latitude bands (see `latitude_band`) the box overlaps, with one to spare on each side."""
        return list(range(latitude_band(self.min_latitude) - 1, latitude_band(self.max_latitude) + 2))

    def as_q(self, prefix: str = "") -> Q:
        """The box as a filter on a location's fields (optionally behind a relation prefix).

        A narrow box names its latitude bands, so the (latitude_band, longitude) index reads one short
        longitude range per band instead of a whole band of the continent; a tall box reads a band range.
        """
        latitude, longitude, band = f"{prefix}latitude", f"{prefix}longitude", f"{prefix}latitude_band"
        bands = self.latitude_bands()
        if len(bands) <= MAX_LISTED_BANDS:
            q = Q(**{f"{band}__in": bands})
        else:
            q = Q(**{f"{band}__gte": bands[0], f"{band}__lte": bands[-1]})
        q &= Q(**{f"{latitude}__gte": self.min_latitude, f"{latitude}__lte": self.max_latitude})
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
# The 50 states, DC and the inhabited territories, by their USPS codes.
US_STATES = frozenset([
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
    "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
    "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "VI", "GU", "AS", "MP",
])  # fmt: skip
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
        return Place(point, f"{point.latitude:.4f}, {point.longitude:.4f}", is_coordinates=True)
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


def sphere_vector(point: Point) -> tuple[float, float, float]:
    """The point as a unit vector on the auxiliary sphere of reduced latitude (what Lambert's formula uses)."""
    beta = math.atan((1 - WGS84_F) * math.tan(math.radians(point.latitude)))
    longitude = math.radians(point.longitude)
    return math.cos(beta) * math.cos(longitude), math.cos(beta) * math.sin(longitude), math.sin(beta)


class GeodesicDistance(Func):
    """The geodesic distance in km from `origin` to a row's point, by Lambert's formula on WGS-84.

    Accurate to metres over continental distances (the tests check it against geopy's geodesic). It reads the
    row's stored unit vector (`sphere_x`, `sphere_y`, `sphere_z`, generated by the database from latitude and
    longitude), so each row costs a few multiplications, one ASIN and three square roots:
      h = sin^2(sigma/2) = |v - v0|^2 / 4 = (1 - v.v0) / 2;  sin(P)cos(Q) = (z0 + z) / 2;
      cos(P)sin(Q) = (z - z0) / 2.
    """

    output_field = FloatField()

    def __init__(self, origin: Point, prefix: str = "") -> None:
        super().__init__(F(f"{prefix}sphere_x"), F(f"{prefix}sphere_y"), F(f"{prefix}sphere_z"))
        self.origin = origin

    def as_sql(self, compiler, connection, **extra_context) -> tuple[str, list]:
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()]
        if any(params for _, params in compiled):
            raise ValueError("GeodesicDistance measures to plain columns, not to computed values")
        x, y, z = (sql for sql, _ in compiled)
        # The constants are floats computed here, never text from a request; the parentheses keep "- -1"
        # from becoming an SQL comment.
        x0, y0, z0 = (f"({value!r})" for value in sphere_vector(self.origin))
        least = "MIN" if connection.vendor == "sqlite" else "LEAST"
        # For unit vectors |v - v0|^2 = 2 - 2 v.v0, so h = (1 - v.v0) / 2 (to well under a millimetre here).
        h = f"{least}((1 - ({x} * {x0} + {y} * {y0} + {z} * {z0})) / 2, 1.0)"
        sigma = f"(2 * ASIN(SQRT({h})))"
        sin_sigma = f"(2 * SQRT({h} * (1 - {h})))"
        sum_z, difference_z = f"(({z0} + {z}) / 2)", f"(({z} - {z0}) / 2)"
        lambert_x = f"(({sigma} - {sin_sigma}) * {sum_z} * {sum_z} / NULLIF(1 - {h}, 0))"
        lambert_y = f"(({sigma} + {sin_sigma}) * {difference_z} * {difference_z} / NULLIF({h}, 0))"
        correction = f"(COALESCE({lambert_x}, 0) + COALESCE({lambert_y}, 0))"
        return f"({WGS84_A_KM!r} * ({sigma} - {WGS84_F / 2!r} * {correction}))", []


def distance_km(origin: Point, prefix: str = "") -> GeodesicDistance:
    """The distance in km from `origin` to a location (behind a relation `prefix`), from its stored vector."""
    return GeodesicDistance(origin, prefix)


class Unit(TextChoices):
    """The unit a patient measures distance in; the one place "mi" and "km" are spelled."""

    MILES = "mi", "miles"
    KILOMETRES = "km", "kilometres"


def to_unit(kilometres: float, unit: str) -> float:
    return kilometres / KM_PER_MILE if unit == Unit.MILES else kilometres


def to_km(value: float, unit: str) -> float:
    return value * KM_PER_MILE if unit == Unit.MILES else value
