"""The offline place resolver: what a patient types ("02108", "T2P 1J9", "Montréal, QC", "boston ma",
"42.36N 71.06W") becomes a point, from the postal-code centroids shipped in the `zipcodes` (US) and
`pypostalcode` (Canada) packages, which are GeoNames-derived data (CC BY 4.0). No network is used.

Cities have no coordinates of their own in those packages: a US city's centre is the mean of its ZIP codes',
a Canadian city's the mean of its postal areas' (FSAs'). Canada Post names FSAs by district ("Brampton North
Central", "Downtown Montreal East", "Calgary (Inglewood)"); the city is read out of the name, and the few
municipalities whose FSAs carry only district names are given their FSAs by CA_MUNICIPAL_FSAS.
"""

from __future__ import annotations

import bisect
import difflib
import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from django.utils.translation import gettext as _

from directory.geo import MAX_PLACE_LENGTH, AmbiguousPlace, InvalidPlace, Place, Point, UnknownPlace

US_ZIP = re.compile(r"^(?P<zip>\d{5})(?:[-\s]?\d{4})?$")
CA_POSTAL_CODE = re.compile(r"^(?P<fsa>[A-Z]\d[A-Z])(?:[-\s]?\d[A-Z]\d)?$", re.IGNORECASE)
# "Boston, MA 02108", "Calgary AB T2P 1J9": a place that ends with its code is found by the code.
TRAILING_CODE = re.compile(r"[\s,]+(?P<code>\d{5}(?:-?\d{4})?|[A-Z]\d[A-Z](?:[-\s]?\d[A-Z]\d)?)$", re.IGNORECASE)
COUNTRY_SUFFIX = re.compile(r"[\s,]+(?:usa|u\.s\.a\.?|u\.s\.?|us|united states(?: of america)?|canada)$", re.IGNORECASE)
# One coordinate: decimal degrees, or degrees-minutes-seconds, with a sign or a hemisphere letter.
_COORDINATE = (
    r"(?P<{n}sign>[+-])?(?P<{n}deg>\d{{1,3}}(?:\.\d+)?)\s*(?:°|º|deg\b)?\s*"
    r"(?:(?P<{n}min>\d{{1,2}}(?:\.\d+)?)\s*'\s*)?"
    r"(?:(?P<{n}sec>\d{{1,2}}(?:\.\d+)?)\s*(?:\"|'')\s*)?"
    r"(?P<{n}hemi>[NSEW])?"
)
COORDINATES = re.compile(
    r"^\(?\s*" + _COORDINATE.format(n="a") + r"\s*(?:[,;/]\s*|\s+)" + _COORDINATE.format(n="b") + r"\s*\)?$",
    re.IGNORECASE,
)
MILITARY_CITIES = {"apo", "fpo", "dpo"}
# ZIP codes whose point in the zipcodes package is wrong: the published centre of the place instead.
ZIP_CORRECTIONS = {"99723": Point(71.2906, -156.7886)}  # Utqiagvik: the package has 70.29 N, 111 km south
MAX_SUGGESTIONS = 10
MAX_AMBIGUOUS_LISTED = 5

CA_PROVINCES = {
    "Alberta": "AB",
    "British Columbia": "BC",
    "Manitoba": "MB",
    "New Brunswick": "NB",
    "Newfoundland": "NL",
    "Newfoundland and Labrador": "NL",
    "Nova Scotia": "NS",
    "Northwest Territories": "NT",
    "Northwest Territory": "NT",  # as pypostalcode spells it
    "Nunavut": "NU",
    "Nunavut Territory": "NU",
    "Ontario": "ON",
    "Prince Edward Island": "PE",
    "Quebec": "QC",
    "Québec": "QC",
    "Saskatchewan": "SK",
    "Yukon": "YT",
    "Yukon Territory": "YT",
}
US_STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico", "VI": "Virgin Islands",
    "GU": "Guam", "AS": "American Samoa", "MP": "Northern Mariana Islands",
}  # fmt: skip
# The 50 states, DC and the inhabited territories, by their USPS codes.
US_STATES = frozenset(US_STATE_NAMES)
CITY_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "port"}
# The Postal Service's abbreviations in the zipcodes package's city names (its names of at most 13 letters: "Boston
# Hts", "Long Is City"), by how often they occur; written out in the labels shown, found as typed too. Left as they
# are, meaning two things in the data: St (Saint, Sainte), Pt (Point, Port), Sta (Station, Santa), Spg (Spring,
# Springs), Hl (Hill, Hills), Cor (Corner, Corners).
USPS_ABBREVIATIONS = {
    "Spgs": "Springs", "Twp": "Township", "Bch": "Beach", "Ft": "Fort", "Hts": "Heights", "Vlg": "Village",
    "Cty": "City", "Ctr": "Center", "Hls": "Hills", "Vly": "Valley", "Mt": "Mount", "Lk": "Lake", "Jct": "Junction",
    "Pk": "Park", "Is": "Island", "Mtn": "Mountain", "Hgts": "Heights", "Fls": "Falls", "Msn": "Mission",
    "Plt": "Plantation", "Mls": "Mills", "Hbr": "Harbor", "Prt": "Port", "Crk": "Creek", "Est": "Estates",
    "Gdns": "Gardens", "Shrs": "Shores", "Grv": "Grove", "Sprgs": "Springs", "Pr": "Prairie", "Pnes": "Pines",
    "Univ": "University", "Lndg": "Landing", "Ter": "Terrace", "Rnch": "Ranch", "Uppr": "Upper", "Cy": "City",
    "Brg": "Bridge", "Isl": "Island", "Xing": "Crossing", "Sq": "Square", "Lks": "Lakes", "Rdg": "Ridge",
    "Rvr": "River", "Cors": "Corners", "Plns": "Plains", "Mnr": "Manor", "Cyn": "Canyon", "Mdws": "Meadows",
    "Ltl": "Little", "Tp": "Township", "Clg": "College", "Frst": "Forest", "Cpe": "Cape", "Natl": "National",
    "Blf": "Bluff",
}  # fmt: skip
# Abbreviations that mean this only as a name's first word ("N Hatfield"; "Is Of Springs" is Isle of Springs).
FIRST_WORD_ABBREVIATIONS = {"N": "North", "S": "South", "E": "East", "W": "West", "No": "North", "So": "South",
                            "Is": "Isle"}  # fmt: skip
# The names whose first letter is not that direction: Elizabethtown's nickname, New Martinsville, Northern Cambria,
# the Southern Ute reservation.
NOT_A_DIRECTION = frozenset({"E Town", "N Martinsvlle", "N Cambria", "S Ute Indian"})
# Words Canada Post adds to a city's name to name one of its districts ("Kitchener South Central").
DISTRICT_WORDS = {
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "central", "centre",
    "inner", "outer", "upper", "lower", "mid", "harbour", "riverbank", "downtown", "city centre",
}  # fmt: skip
# Places renamed since the postal data were made: (current name, state) -> the name the data use.
RENAMED = {("utqiagvik", "AK"): ("barrow", "Utqiagvik")}
# Names people use that the postal data spell otherwise: (name, state) -> the data's name.
ALSO_KNOWN_AS = {
    ("new york city", "NY"): "new york",
    ("manhattan", "NY"): "new york",
    ("the bronx", "NY"): "bronx",
}
# Places the postal data have no point for, at their published centre: Nunavut's postal area X0A covers Iqaluit and
# all of the territory's east, its point 750 km north of the city. From the Canadian Geographical Names Database
# (Iqaluit: key OATRP, 63°44'58" N 68°31'18" W).
PUBLISHED_CENTRES = {("Iqaluit", "NU"): Point(63.7494, -68.5217)}
# Places the postal data know only by their county (Queens' ZIP codes are named after its neighbourhoods).
COUNTY_PLACES = {("Queens", "NY"): "Queens County"}
# Municipalities whose FSAs are named after their districts only, with the FSAs (or FSA prefixes) they cover;
# also the names people use for amalgamated municipalities. From Canada Post's FSA list.
CA_MUNICIPAL_FSAS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Montréal", "QC"): ("H1", "H2", "H3", "H4"),
    ("Laval", "QC"): ("H7",),
    ("Longueuil", "QC"): ("J4G", "J4H", "J4J", "J4K", "J4L", "J4M", "J4N"),
    ("Gatineau", "QC"): ("J8L", "J8M", "J8P", "J8R", "J8T", "J8V", "J8X", "J8Y", "J8Z", "J9A", "J9H", "J9J"),
    ("Saguenay", "QC"): ("G7B", "G7G", "G7H", "G7J", "G7K", "G7N", "G7P", "G7S", "G7T", "G7X", "G7Y", "G7Z"),
    ("Lévis", "QC"): ("G6V", "G6W", "G6X", "G6Y", "G6Z", "G7A"),
    ("Saint-Jean-sur-Richelieu", "QC"): ("J2W", "J2X", "J2Y", "J3A", "J3B"),
    ("Greater Sudbury", "ON"): ("P3A", "P3B", "P3C", "P3E", "P3G", "P3L", "P3N", "P3P", "P3Y"),
    ("Chatham-Kent", "ON"): ("N7L", "N7M"),
    ("Clarington", "ON"): ("L1B", "L1C", "L1E"),
    ("Strathcona County", "AB"): ("T8A", "T8B", "T8C", "T8E", "T8G", "T8H"),
    ("Langley", "BC"): ("V1M", "V2Y", "V2Z", "V3A", "V4W"),
    ("Vaughan", "ON"): ("L4H", "L4J", "L4K", "L4L", "L6A"),
}


class NoLocation(UnknownPlace):
    """A real postal code that has no place on the map (military mail, a few unique codes)."""


def fold(text: str) -> str:
    """Text as the resolver reads it: compatibility forms (full-width letters and digits) made plain, any
    Unicode decimal digit made ASCII, dashes and quotes made plain, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"[\u2018\u2019\u02bc\u2032`\u00b4]", "'", text)  # quotes, primes (minutes), accents
    text = re.sub(r"[\u201c\u201d\u2033]", '"', text)
    return " ".join(text.split())


def plain(name: str) -> str:
    """A name folded for lookup: no accents, case, apostrophes or punctuation."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace("'", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def normalize_city(name: str) -> str:
    """A city name folded for lookup (see plain), with St/Ste/Ft/Mt spelled out."""
    return " ".join(CITY_ABBREVIATIONS.get(word, word) for word in plain(name).split())


def spelled_out(name: str) -> str:
    """A US city's name with the Postal Service's abbreviations written out: "N Boston Hts" -> North Boston Heights."""
    first, *rest = name.split() or [name]
    if rest and first in FIRST_WORD_ABBREVIATIONS and name not in NOT_A_DIRECTION:
        first = FIRST_WORD_ABBREVIATIONS[first]
    return " ".join(USPS_ABBREVIATIONS.get(word, word) for word in (first, *rest))


def canadian_city(fsa_name: str) -> str:
    """The city an FSA's name names: "Calgary (City Centre)" -> Calgary, "Brampton North Central" -> Brampton,
    "Downtown Montreal East" -> Montreal, "Quebec City Mid-Riverbank" -> Quebec City."""
    name = re.sub(r"-\s+", "-", fsa_name.split("(")[0]).strip().rstrip("-").strip()
    words = name.split()
    if words and words[0].lower() == "downtown":
        words = words[1:]
    while len(words) > 1 and all(part.lower() in DISTRICT_WORDS for part in words[-1].split("-")):
        words = words[:-1]
    return " ".join(words)


REGIONS: dict[str, str] = {
    **{plain(name): code for code, name in US_STATE_NAMES.items()},
    **{plain(name): code for name, code in CA_PROVINCES.items()},
    **{code.lower(): code for code in (*US_STATES, *CA_PROVINCES.values())},
}
MAX_REGION_WORDS = max(len(name.split()) for name in REGIONS)


@dataclass
class City:
    place: Place
    weight: int  # how many postal codes it has: the likelier of two places of the same name is the larger
    alias: bool = False  # known only by another name the post office accepts for some of its ZIP codes


@dataclass
class PlaceIndex:
    zip_codes: dict[str, Place]
    fsas: dict[str, Place]
    cities: dict[tuple[str, str], City]  # (normalized name, region code)
    unplaced_zips: dict[str, tuple[str, str]]  # ZIP codes without coordinates: (city key, state)
    military_zips: frozenset[str]
    names: list[str]  # every normalized city name, sorted (for suggestions by prefix)
    zip_list: list[str]  # every placed ZIP code, sorted (the same)
    fsa_list: list[str]  # every FSA, sorted
    by_name: dict[str, list[City]]  # normalized name -> its cities, likeliest first


def _joined(name: str) -> str:
    """A name's lone letters joined to their word, as an apostrophe joins them: "o fallon" -> "ofallon",
    "saint john s" -> "saint johns"."""
    joined = re.sub(r"\b([a-z]) (?=[a-z]{2})", r"\1", name)
    return re.sub(r"(?<=[a-z]{2}) ([a-z])\b", r"\1", joined)


def _us_names(rows: list[dict]) -> tuple[dict[str, tuple[str, str]], dict[tuple[str, str], tuple[str, str]]]:
    """Each city name in the ZIP code rows -> (the name written out, its key); and each (key as the data abbreviate
    it, state) -> (key, state), by which "Boston Hts, OH" finds Boston Heights."""
    names: dict[str, tuple[str, str]] = {}
    shortened: dict[str, str] = {}  # the names with an abbreviation -> the key as abbreviated
    abbreviated: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rows:
        for name in (row["city"], *(row["acceptable_cities"] or ())):
            if name not in names:
                written = spelled_out(name)
                names[name] = (written, normalize_city(written))
                if (short := normalize_city(name)) != names[name][1]:
                    shortened[name] = short
            if name in shortened:
                abbreviated[(shortened[name], row["state"])] = (names[name][1], row["state"])
    return names, abbreviated


def _mean_place(points: list[Point], label: str) -> Place:
    latitudes, longitudes = zip(*((p.latitude, p.longitude) for p in points), strict=True)
    return Place(Point(round(sum(latitudes) / len(points), 5), round(sum(longitudes) / len(points), 5)), label)


def _municipality_of(fsa: str) -> tuple[str, str] | None:
    for (name, province), prefixes in CA_MUNICIPAL_FSAS.items():
        if fsa.startswith(prefixes):
            return name, province
    return None


@cache
def place_index() -> PlaceIndex:
    """Every ZIP code, FSA and city with a centroid, built once per process from the bundled packages."""
    import pypostalcode.settings
    import zipcodes

    zip_codes: dict[str, Place] = {}
    unplaced: dict[str, tuple[str, str]] = {}
    military: set[str] = set()
    city_points: dict[tuple[str, str], list[Point]] = defaultdict(list)
    city_labels: dict[tuple[str, str], str] = {}
    counties = {(county, state): name for (name, state), county in COUNTY_PLACES.items()}
    county_points: dict[tuple[str, str], list[Point]] = defaultdict(list)
    alias_points: dict[tuple[str, str], list[Point]] = defaultdict(list)
    alias_labels: dict[tuple[str, str], str] = {}
    zip_rows = zipcodes.list_all()
    names, abbreviated = _us_names(zip_rows)
    for row in zip_rows:
        city, name = names[row["city"]]
        key = (name, row["state"])
        latitude, longitude = float(row["lat"] or 0), float(row["long"] or 0)
        if row["zip_code_type"] == "MILITARY" or name in MILITARY_CITIES:
            military.add(row["zip_code"])
            continue
        if latitude == 0 and longitude == 0:
            unplaced[row["zip_code"]] = key
            continue
        point = ZIP_CORRECTIONS.get(row["zip_code"]) or Point(latitude, longitude)
        zip_codes[row["zip_code"]] = Place(point, f"{row['zip_code']} ({city}, {row['state']})")
        if (county := counties.get((row["county"], row["state"]))) is not None:
            county_points[(county, row["state"])].append(point)
        # Other names the post office accepts ("Lakewood" for ZIP codes it calls Denver), by key: "Boston Hts" and
        # "Boston Heights" are one name, and count the ZIP code once.
        aliases: dict[str, str] = {}
        for other in row["acceptable_cities"] or ():
            aliases.setdefault(names[other][1], names[other][0])
        for other_name, other in aliases.items():
            other_key = (other_name, row["state"])
            alias_points[other_key].append(point)
            alias_labels.setdefault(other_key, f"{other}, {row['state']}")
        city_points[key].append(point)
        city_labels.setdefault(key, f"{city}, {row['state']}")

    fsas: dict[str, Place] = {}
    with sqlite3.connect(f"file:{pypostalcode.settings.db_location}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT fsa, city, province, latitude, longitude FROM PostalCodes").fetchall()
    for fsa, name, province, latitude, longitude in rows:
        fsa, code = fsa.upper(), CA_PROVINCES.get(province, province)
        point = Point(float(latitude), float(longitude))
        municipality = _municipality_of(fsa)
        city = canadian_city(name)
        if municipality is not None:
            city, code = municipality
        fsas[fsa] = Place(point, f"{fsa} ({city}, {code})")
        key = (normalize_city(city), code)
        city_points[key].append(point)
        city_labels.setdefault(key, f"{city}, {code}")

    cities = {key: City(_mean_place(points, city_labels[key]), len(points)) for key, points in city_points.items()}
    for (name, code), city in list(cities.items()):
        # "Quebec City", "Langley City", "Langley Township": also found by the bare name, when it is free.
        bare = re.sub(r" (city|township)$", "", name)
        if bare != name and (bare, code) not in cities:
            cities[(bare, code)] = city
    for key, points in alias_points.items():  # the post office's other names, where no city has the name
        if key not in cities:
            cities[key] = City(_mean_place(points, alias_labels[key]), len(points), alias=True)
    for (name, code), data_name in ALSO_KNOWN_AS.items():
        if (data_name, code) in cities:
            cities.setdefault((name, code), cities[(data_name, code)])
    for (name, code), points in county_points.items():
        cities.setdefault((normalize_city(name), code), City(_mean_place(points, f"{name}, {code}"), len(points)))
    for (name, code), point in PUBLISHED_CENTRES.items():
        cities.setdefault((normalize_city(name), code), City(Place(point, f"{name}, {code}"), 1))
    for (name, code), (data_name, current) in RENAMED.items():
        if (data_name, code) in cities:
            old = cities[(data_name, code)]
            cities[(name, code)] = City(Place(old.place.point, f"{current}, {code}"), old.weight)
    for typed, key in abbreviated.items():  # "Boston Hts, OH", as the data abbreviate it
        if key in cities:
            cities.setdefault(typed, cities[key])
    for (name, code), city in list(cities.items()):
        # "O Fallon", "Coeur D Alene", "St. John's": also found as typed with an apostrophe ("O'Fallon").
        joined = _joined(name)
        if joined != name and (joined, code) not in cities:
            cities[(joined, code)] = city
    by_name: dict[str, list[City]] = defaultdict(list)
    for (name, _region), city in cities.items():
        by_name[name].append(city)
    for found in by_name.values():
        found.sort(key=lambda city: (city.alias, -city.weight, city.place.label))
    return PlaceIndex(
        zip_codes=zip_codes,
        fsas=fsas,
        cities=cities,
        unplaced_zips=unplaced,
        military_zips=frozenset(military),
        names=sorted(by_name),
        zip_list=sorted(zip_codes),
        fsa_list=sorted(fsas),
        by_name=dict(by_name),
    )


def _degrees(match: re.Match, n: str, positive: str, negative: str, limit: int) -> float:
    degrees = float(match[f"{n}deg"])
    minutes, seconds = float(match[f"{n}min"] or 0), float(match[f"{n}sec"] or 0)
    if minutes >= 60 or seconds >= 60 or ((minutes or seconds) and not degrees.is_integer()):
        raise InvalidPlace(_("Minutes and seconds must be below 60, after whole degrees."))
    value = degrees + minutes / 60 + seconds / 3600
    hemisphere = (match[f"{n}hemi"] or "").upper()
    if hemisphere and hemisphere not in (positive, negative):
        raise InvalidPlace(_("Give the latitude (N or S) first and the longitude (E or W) second."))
    if hemisphere and match[f"{n}sign"]:
        raise InvalidPlace(_("Give a coordinate a sign or a hemisphere letter (N, S, E, W), not both."))
    if match[f"{n}sign"] == "-" or hemisphere == negative:
        value = -value
    if not -limit <= value <= limit:
        message = (
            _("Latitude must be between -%(limit)s and %(limit)s.")
            if positive == "N"
            else _("Longitude must be between -%(limit)s and %(limit)s.")
        )
        raise InvalidPlace(message % {"limit": limit})
    return value


def parse_coordinates(match: re.Match) -> Point:
    first, second = (match["ahemi"] or "").upper(), (match["bhemi"] or "").upper()
    a, b = "a", "b"
    if first in ("E", "W") and second in ("N", "S"):  # "71.06W 42.36N": longitude first, said so
        a, b = "b", "a"
    return Point(_degrees(match, a, "N", "S", 90), _degrees(match, b, "E", "W", 180))


def _zip_place(zip_code: str, index: PlaceIndex) -> Place:
    if zip_code in index.zip_codes:
        return index.zip_codes[zip_code]
    if zip_code in index.military_zips:
        raise NoLocation(
            _(
                "%(zip_code)s is a military (APO/FPO/DPO) ZIP code, which has no place on the map: "
                "type the city you are in, or your ZIP code there."
            )
            % {"zip_code": zip_code}
        )
    if zip_code in index.unplaced_zips:
        key = index.unplaced_zips[zip_code]
        city = index.cities.get(key)
        if city is None:
            raise NoLocation(
                _("ZIP code %(zip_code)s has no location in our postal data: type your city instead.")
                % {"zip_code": zip_code}
            )
        return Place(
            city.place.point,
            f"{zip_code} ({city.place.label})",
            note=_(
                "ZIP code %(zip_code)s has no location of its own in our data: searching from the centre of %(city)s."
            )
            % {"zip_code": zip_code, "city": city.place.label},
        )
    raise UnknownPlace(_("No such ZIP code: %(zip_code)s") % {"zip_code": zip_code})


def _postal_code_place(text: str) -> Place | None:
    """The place of a ZIP code or Canadian postal code, or None when `text` is neither."""
    index = place_index()
    compact = text.replace(" ", "")
    if match := US_ZIP.match(text) or US_ZIP.match(compact):
        return _zip_place(match["zip"], index)
    if match := CA_POSTAL_CODE.match(text) or CA_POSTAL_CODE.match(compact):
        fsa = match["fsa"].upper()
        if fsa not in index.fsas:
            raise UnknownPlace(_("No such Canadian postal code: %(code)s") % {"code": text.upper()})
        return index.fsas[fsa]
    return None


def _split_region(text: str) -> tuple[str, str | None]:
    """("Boston", "MA") from "Boston, MA", "boston ma", "Boston, Massachusetts" or "Calgary Alberta"; the
    whole text and None when it names no state or province."""
    if "," in text:
        city, _comma, region = text.rpartition(",")
        code = _region_code(region)
        if code is None and region.strip():
            raise UnknownPlace(_("Unknown state or province: %(region)s") % {"region": region.strip()})
        return city.strip(" ,"), code
    words = text.split()
    for size in range(min(MAX_REGION_WORDS, len(words) - 1), 0, -1):
        code = _region_code(" ".join(words[-size:]))
        if code is not None:
            return " ".join(words[:-size]), code
    return text, None


def _region_code(text: str) -> str | None:
    """The code of the state or province `text` names, by code or name; "D.C." and "B.C." are codes too."""
    name = plain(text)
    if len(name) == 3 and name[1] == " ":  # the dots of "D.C." became a space: "d c"
        name = name[::2]
    return REGIONS.get(name)


def _city_place(text: str) -> Place:
    index = place_index()
    city, region = _split_region(text)
    name = normalize_city(city)
    if not name:
        raise InvalidPlace(_('Enter a city with its state or province, as in "Boston, MA".'))
    if region is not None:
        found = index.cities.get((name, region))
        if found is None:
            # A typo of a city there first ("Bostn, MA"), then the cities of that name elsewhere.
            elsewhere = [candidate.place for candidate in index.by_name.get(name, [])[:3]]
            others = _unique([*_cities_spelled_like(name, region), *elsewhere])[:MAX_AMBIGUOUS_LISTED]
            raise UnknownPlace(
                _elsewhere(_("No such city: %(city)s, %(region)s") % {"city": city, "region": region}, others),
                others,
            )
        return found.place
    candidates = index.by_name.get(name, [])
    primary = [candidate for candidate in candidates if not candidate.alias]
    if len(primary) == 1 or len(candidates) == 1:
        return (primary or candidates)[0].place
    if not candidates:
        if close := list(_cities_spelled_like(name, None)):
            listed = ", ".join(place.label for place in close)
            raise UnknownPlace(
                _("No such place: %(city)s. Did you mean %(places)s?") % {"city": city, "places": listed}, close
            )
        raise UnknownPlace(
            _(
                "No such place: %(city)s. Enter a ZIP code (02108), a postal code (T2P 1J9) or a city with its state "
                'or province ("Boston, MA").'
            )
            % {"city": city}
        )
    likeliest = [candidate.place for candidate in candidates[:MAX_AMBIGUOUS_LISTED]]
    listed = ", ".join(place.label for place in likeliest)
    more = " ..." if len(candidates) > MAX_AMBIGUOUS_LISTED else ""
    raise AmbiguousPlace(
        _("%(city)s: did you mean %(places)s? Add the state or province.") % {"city": city, "places": listed + more},
        likeliest,
    )


# How alike (difflib's ratio) a city's name must be to a name typed to be offered as the one meant: "bostn" and
# "boston" 0.91, "pittsburg" and "pittsburgh" 0.95, "san fransisco" and "san francisco" 0.92; "boston" and
# "bolton" 0.83 too, which is why a typo is offered, never taken.
SPELLED_ALIKE = 0.8
LENGTH_SLACK = 3  # letters more or fewer than the name typed, at most, of a name so alike
# Names shorter than this are not read as typos: "abc" is 0.86 alike "abac" (Abac, GA), but nobody meant it.
TYPO_LETTERS = 5


@lru_cache(maxsize=1024)
def _cities_spelled_like(name: str, region: str | None) -> tuple[Place, ...]:
    """Up to 3 cities (in `region`, if given) whose folded name is spelled nearly as `name`, likeliest first: for
    a typo. Only names with the same first letter and about the same length are compared (a few hundred, a few
    milliseconds); cached, as one typo is asked again while it is typed (suggestions) and when it is searched."""
    if len(name.replace(" ", "")) < TYPO_LETTERS:
        return ()
    index = place_index()
    alike = [
        key
        for key in _prefixed(index.names, name[:1], len(index.names))
        if abs(len(key) - len(name)) <= LENGTH_SLACK and (region is None or (key, region) in index.cities)
    ]
    matches = difflib.get_close_matches(name, alike, n=3, cutoff=SPELLED_ALIKE)
    if region is not None:
        return tuple(index.cities[(key, region)].place for key in matches)
    return tuple(_unique(index.by_name[key][0].place for key in matches))


def _unique(places: Iterable[Place]) -> list[Place]:
    """`places` without repeats (the first of each label), in order."""
    unique: dict[str, Place] = {}
    for place in places:
        unique.setdefault(place.label, place)
    return list(unique.values())


def _elsewhere(message: str, others: list[Place]) -> str:
    """`message` with "Did you mean ...?" offering `others` (the places spelled nearly so, or of that name
    elsewhere), if there are any."""
    if not others:
        return _("%(message)s.") % {"message": message}
    labels = ", ".join(place.label for place in others)
    return _("%(message)s. Did you mean %(places)s?") % {"message": message, "places": labels}


CANADIAN_REGIONS = frozenset(CA_PROVINCES.values())
REGION_AT_END = re.compile(r"\b([A-Z]{2})\)?$")  # every named place's label ends with its state or province


def country_of(place: Place) -> str | None:
    """ "CA" or "US" for a named place (from the province or state its label ends with); None for coordinates."""
    match = None if place.is_coordinates else REGION_AT_END.search(place.label)
    if match is None:
        return None
    return "CA" if match[1] in CANADIAN_REGIONS else "US"


def resolve_place(text: str) -> Place:
    """The place a patient typed: a ZIP code (ZIP+4 too), a Canadian postal code, coordinates in any common
    form, or a city (with its state or province as code or name, or alone when only one place has its name)."""
    query = fold(text)
    if not query:
        raise InvalidPlace(_("Enter a ZIP code, a city or a location."))
    if len(query) > MAX_PLACE_LENGTH:
        raise InvalidPlace(_("Enter at most %(count)s characters.") % {"count": MAX_PLACE_LENGTH})
    query = COUNTRY_SUFFIX.sub("", query).strip(" ,") or query
    if (place := _postal_code_place(query)) is not None:
        return place
    if match := COORDINATES.match(query):
        point = parse_coordinates(match)
        return Place(point, f"{point.latitude:.4f}, {point.longitude:.4f}", is_coordinates=True)
    if match := TRAILING_CODE.search(query):
        return _postal_code_place(match["code"]) or _city_place(query[: match.start()])
    if re.search(r"[a-z]", query, re.IGNORECASE) is None:
        raise InvalidPlace(
            _(
                'Enter a ZIP code (02108), a Canadian postal code (T2P 1J9), a city ("Boston, MA") '
                'or coordinates ("42.36,-71.06").'
            )
        )
    return _city_place(query)


def suggest_places(text: str, limit: int = MAX_SUGGESTIONS) -> list[Place]:
    """Up to `limit` places starting with what was typed, best first: ZIP codes or postal areas for a code,
    cities otherwise (an exact name first, then the larger)."""
    query = fold(text)[:MAX_PLACE_LENGTH]
    index = place_index()
    compact = query.replace(" ", "").replace("-", "").upper()  # "02108-12", "T2P-1"
    if compact.isdigit():
        return [index.zip_codes[code] for code in _prefixed(index.zip_list, compact[:5], limit)]
    if re.fullmatch(r"[A-Z]\d[A-Z]?(\d[A-Z]?\d?)?", compact):
        return [index.fsas[code] for code in _prefixed(index.fsa_list, compact[:3], limit)]
    city, region = _split_region(query) if "," in query else (query, None)
    return list(_city_suggestions(normalize_city(city), region, limit))


@lru_cache(maxsize=4096)
def _city_suggestions(name: str, region: str | None, limit: int) -> tuple[Place, ...]:
    """Cities whose name starts with `name` (in `region`, if given): an exact name first, then the larger; where
    none does, the cities spelled nearly so (a typo: "bostn"). Cached: a one-letter prefix ranks thousands of
    cities, and everyone types the same first letters."""
    if not name:
        return ()
    index = place_index()
    ranked = sorted(
        (key != name, -candidate.weight, candidate.place.label, candidate.place)
        for key in _prefixed(index.names, name, len(index.names))
        for candidate in index.by_name[key]
        if region is None or candidate.place.label.endswith(f", {region}")
    )
    return tuple(_unique(place for *_ranks, place in ranked))[:limit] or _cities_spelled_like(name, region)[:limit]


def _prefixed(keys: list[str], prefix: str, limit: int) -> list[str]:
    """The first `limit` of the sorted `keys` that start with `prefix` (two binary searches, no scan)."""
    start = bisect.bisect_left(keys, prefix)
    end = bisect.bisect_left(keys, prefix + "\U0010ffff", lo=start)
    return keys[start : min(end, start + limit)]


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
