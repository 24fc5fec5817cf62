"""Points, places and distances: what a resolved place is (the resolver is places.py), the bounding box and
the geodesic distance expression.

Distances on the WGS-84 ellipsoid use Lambert's formula for long lines, written as database expressions so
that filtering, ordering and paging happen in SQL on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import F, FloatField, Func, Q, TextChoices
from django.utils.translation import gettext_lazy as _

KM_PER_MILE = 1.609344
WGS84_A_KM = 6378.137
WGS84_F = 1 / 298.257223563
# The smallest radius of curvature of the WGS-84 ellipsoid (meridional, at the equator): an angle computed
# with it is never smaller than the real one, so a bounding box built from it never misses a point.
SMALLEST_RADIUS_KM = WGS84_A_KM * (1 - WGS84_F * (2 - WGS84_F))
BOX_MARGIN = 1.01
BANDS_PER_DEGREE = 10
# The search grid (directory/grid.py explains its size): cells of 1/50 degree, numbered row by row from the
# south pole and the antimeridian; a row has one column more than 360 degrees hold, for longitude 180 itself.
GRID_CELLS_PER_DEGREE = 50
GRID_COLUMNS = 360 * GRID_CELLS_PER_DEGREE + 1
MAX_LISTED_BANDS = 64
MAX_PLACE_LENGTH = 200
COORDINATE_DECIMALS = 9


class PlaceError(ValueError):
    """A place the patient typed that cannot be resolved; the message is shown to them, and `suggestions` holds
    the places they may have meant, likeliest first (none where nothing comes close)."""

    def __init__(self, message: str, suggestions: Sequence[Place] = ()) -> None:
        super().__init__(message)
        self.suggestions = list(suggestions)


class UnknownPlace(PlaceError):
    """Well-formed, but not in the bundled postal-code data."""


class InvalidPlace(PlaceError):
    """Not a form of place the resolver understands, or coordinates out of range."""


class AmbiguousPlace(PlaceError):
    """A city name several places share; `suggestions` holds the likeliest, best first."""


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Place:
    point: Point
    label: str
    is_coordinates: bool = False  # typed as coordinates (or "use my location"), not as a named place
    note: str = field(default="", compare=False)  # what the patient should know about it (an approximation)

    def coarse(self) -> Place:
        """The place no finer than a named area: coordinates rounded to 0.1 degree (about 11 km)."""
        if not self.is_coordinates:
            return self
        point = Point(round(self.point.latitude, 1), round(self.point.longitude, 1))
        return Place(point, f"Near {point.latitude:.1f}, {point.longitude:.1f}", is_coordinates=True)


def latitude_band(latitude: float) -> int:
    """The 0.1-degree (about 11 km) band of latitude a point lies in; the database keeps the same per location."""
    return math.floor(latitude * BANDS_PER_DEGREE)


def latitude_bands(min_latitude: float, max_latitude: float) -> list[int]:
    """The latitude bands (see `latitude_band`) between two latitudes, with one to spare on each side."""
    return list(range(latitude_band(min_latitude) - 1, latitude_band(max_latitude) + 2))


@dataclass(frozen=True)
class BoundingBox:
    min_latitude: float
    max_latitude: float
    longitude_ranges: tuple[tuple[float, float], ...]
    # The latitude bands the box overlaps, named when there are at most MAX_LISTED_BANDS (else empty), and their
    # range (first, last). Kept, not derived, so that directory.compiled can compile the filter with stand-ins.
    bands: Sequence[int] = ()
    band_range: tuple[int, int] = (0, 0)

    def as_q(self, prefix: str = "") -> Q:
        """The box as a filter on a location's fields (optionally behind a relation prefix).

        A narrow box names its latitude bands, so the (latitude_band, longitude) index reads one short
        longitude range per band instead of a whole band of the continent; a tall box reads a band range.
        """
        latitude, longitude, band = f"{prefix}latitude", f"{prefix}longitude", f"{prefix}latitude_band"
        if self.bands:
            q = Q(**{f"{band}__any": self.bands})
        else:
            q = Q(**{f"{band}__gte": self.band_range[0], f"{band}__lte": self.band_range[1]})
        q &= Q(**{f"{latitude}__gte": self.min_latitude, f"{latitude}__lte": self.max_latitude})
        longitudes = Q()
        for low, high in self.longitude_ranges:
            longitudes |= Q(**{f"{longitude}__gte": low, f"{longitude}__lte": high})
        return q & longitudes


def _box(min_latitude: float, max_latitude: float, longitude_ranges: tuple[tuple[float, float], ...]) -> BoundingBox:
    bands = latitude_bands(min_latitude, max_latitude)
    listed = bands if len(bands) <= MAX_LISTED_BANDS else []
    return BoundingBox(min_latitude, max_latitude, longitude_ranges, listed, (bands[0], bands[-1]))


def bounding_box(origin: Point, radius_km: float) -> BoundingBox:
    """A latitude/longitude box that contains every point within `radius_km` of `origin`."""
    angle = radius_km / SMALLEST_RADIUS_KM * BOX_MARGIN
    span = math.degrees(angle) + 1e-6
    min_latitude, max_latitude = origin.latitude - span, origin.latitude + span
    if angle >= math.pi / 2 or min_latitude <= -90 or max_latitude >= 90:
        return _box(max(min_latitude, -90), min(max_latitude, 90), ((-180.0, 180.0),))
    ratio = math.sin(angle) / math.cos(math.radians(origin.latitude))
    if ratio >= 1:
        return _box(min_latitude, max_latitude, ((-180.0, 180.0),))
    half_width = math.degrees(math.asin(ratio)) * BOX_MARGIN + 1e-6
    west, east = origin.longitude - half_width, origin.longitude + half_width
    if west < -180:
        ranges = ((west + 360, 180.0), (-180.0, east))
    elif east > 180:
        ranges = ((west, 180.0), (-180.0, east - 360))
    else:
        ranges = ((west, east),)
    return _box(min_latitude, max_latitude, ranges)


def coordinate_rounded(degrees: float) -> float:
    """A latitude or longitude to COORDINATE_DECIMALS places (0.1 mm), as the database keeps a location's.

    A coordinate of 1e-200 degrees is a typed zero; kept as it is, its vector's components would be so small
    that their products underflow, which PostgreSQL refuses with an error instead of rounding to zero."""
    return round(degrees, COORDINATE_DECIMALS)


def sphere_vector(point: Point) -> tuple[float, float, float]:
    """The point as a unit vector on the auxiliary sphere of reduced latitude (what Lambert's formula uses)."""
    beta = math.atan((1 - WGS84_F) * math.tan(math.radians(coordinate_rounded(point.latitude))))
    longitude = math.radians(coordinate_rounded(point.longitude))
    return math.cos(beta) * math.cos(longitude), math.cos(beta) * math.sin(longitude), math.sin(beta)


class GeodesicDistance(Func):
    """The geodesic distance in km from a point (its `vector`, see sphere_vector) to a row's point, by Lambert's
    formula on WGS-84.

    Accurate to metres over continental distances (the tests check it against geopy's geodesic). It reads the
    row's stored unit vector (`sphere_x`, `sphere_y`, `sphere_z`, generated by the database from latitude and
    longitude), so each row costs a few multiplications, one ASIN and three square roots:
      h = sin^2(sigma/2) = |v - v0|^2 / 4 = (1 - v.v0) / 2;  sin(P)cos(Q) = (z0 + z) / 2;
      cos(P)sin(Q) = (z - z0) / 2.
    The origin's vector is given as parameters, so the SQL's text is the same for every origin (see
    directory.compiled).
    """

    output_field = FloatField()

    def __init__(self, vector: tuple[float, float, float], prefix: str = "") -> None:
        super().__init__(F(f"{prefix}sphere_x"), F(f"{prefix}sphere_y"), F(f"{prefix}sphere_z"))
        self.vector = vector

    def as_sql(self, compiler, connection, **extra_context) -> tuple[str, list]:
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()]
        if any(params for _, params in compiled):
            raise ValueError("GeodesicDistance measures to plain columns, not to computed values")
        x, y, z = (sql for sql, _ in compiled)
        # The origin's coordinates are written as markers first, then each marker becomes a parameter (in
        # parentheses: a negative one after "-" would otherwise read "- -1", an SQL comment).
        x0, y0, z0 = ORIGIN_MARKERS
        least, greatest = ("MIN", "MAX") if connection.vendor == "sqlite" else ("LEAST", "GREATEST")
        # For unit vectors |v - v0|^2 = 2 - 2 v.v0, so h = (1 - v.v0) / 2. At (or within a hair of) the origin
        # rounding can take it a hair below zero: SQRT of that is an error on PostgreSQL and NULL on SQLite (the
        # listing at the searched place went missing), so h is clamped to [0, 1]. The rounding costs at most
        # 0.1 m near the origin. (The chord's sum of squares, |v - v0|^2 / 4, never goes below zero but costs
        # 40% more per row.)
        h = f"{greatest}({least}((1 - ({x} * {x0} + {y} * {y0} + {z} * {z0})) / 2, 1.0), 0.0)"
        sigma = f"(2 * ASIN(SQRT({h})))"
        sin_sigma = f"(2 * SQRT({h} * (1 - {h})))"
        sum_z, difference_z = f"(({z0} + {z}) / 2)", f"(({z} - {z0}) / 2)"
        lambert_x = f"(({sigma} - {sin_sigma}) * {sum_z} * {sum_z} / NULLIF(1 - {h}, 0))"
        lambert_y = f"(({sigma} + {sin_sigma}) * {difference_z} * {difference_z} / NULLIF({h}, 0))"
        correction = f"(COALESCE({lambert_x}, 0) + COALESCE({lambert_y}, 0))"
        sql = f"({WGS84_A_KM!r} * ({sigma} - {WGS84_F / 2!r} * {correction}))"
        parts = _ORIGIN_MARKER.split(sql)  # text, marker, text, marker, ...
        params = [self.vector[ORIGIN_MARKERS.index(marker)] for marker in parts[1::2]]
        return "(%s)".join(parts[::2]), params


# Stand-ins for the origin's x, y and z while GeodesicDistance writes its SQL: characters no column name has.
ORIGIN_MARKERS = ("\x00x0\x00", "\x00y0\x00", "\x00z0\x00")
_ORIGIN_MARKER = re.compile("(\x00[xyz]0\x00)")


def distance_km(origin: Point, prefix: str = "") -> GeodesicDistance:
    """The distance in km from `origin` to a location (behind a relation `prefix`), from its stored vector."""
    return GeodesicDistance(sphere_vector(origin), prefix)


@dataclass(frozen=True)
class Circle:
    """What a search near a place measures from: the origin's vector, the radius and a box that holds the circle.
    Its values are what the search's SQL takes as parameters (directory.compiled)."""

    vector: tuple[float, float, float]
    radius_km: float
    box: BoundingBox

    @classmethod
    def around(cls, origin: Point, radius_km: float) -> Circle:
        return cls(sphere_vector(origin), radius_km, bounding_box(origin, radius_km))


class Unit(TextChoices):
    """The unit a patient measures distance in; the one place "mi" and "km" are spelled."""

    MILES = "mi", _("miles")
    KILOMETRES = "km", _("kilometres")


def to_unit(kilometres: float, unit: str) -> float:
    return kilometres / KM_PER_MILE if unit == Unit.MILES else kilometres


def to_km(value: float, unit: str) -> float:
    return value * KM_PER_MILE if unit == Unit.MILES else value
