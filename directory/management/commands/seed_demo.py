"""Fills the directory with made-up demo practitioners around real cities, so searches show something."""

import math
import random
from collections import defaultdict
from functools import cache

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from directory.answers import public_version_bump
from directory.geo import Place
from directory.hours import day_parsed, exceptions_parsed, week_from_days
from directory.importing import practitioners_import
from directory.models import Location
from directory.places import place_index, resolve_place

# (postal code, area code): metropolitan areas plus remote places that test the edges of the map. Each demo
# practitioner is placed near one, at an address in the ZIP code or postal area its pin falls in, with a phone
# number in the city's real area code and the 555-0100 to 555-0199 range kept for fiction.
DEMO_AREAS = [
    ("02108", 617), ("10001", 212), ("19103", 215), ("20001", 202), ("28202", 704), ("30303", 404),
    ("33131", 305), ("32202", 904), ("37203", 615), ("43215", 614), ("46204", 317), ("48226", 313),
    ("60601", 312), ("55401", 612), ("63101", 314), ("64106", 816), ("73102", 405), ("75201", 214),
    ("77002", 713), ("78205", 210), ("78701", 512), ("80202", 303), ("84101", 801), ("85004", 602),
    ("89101", 702), ("90012", 213), ("92101", 619), ("94102", 415), ("95113", 408), ("97204", 503),
    ("98101", 206), ("99501", 907), ("96813", 808), ("00901", 787), ("T2P 1J9", 403), ("T5J 0N3", 780),
    ("V6B 1A1", 604), ("M5V 2T6", 416), ("K1P 1J1", 613), ("H3B 1A7", 514), ("R3C 0A1", 204),
]  # fmt: skip
FIRST_NAMES = [
    "Amelia", "Benjamin", "Camila", "Daniel", "Elena", "Fatima", "Gabriel", "Hannah", "Isaac", "Julia", "Kenji",
    "Laura", "Marcus", "Nadia", "Oliver", "Priya", "Quinn", "Rosa", "Samuel", "Teresa", "Umar", "Victoria",
    "William", "Ximena", "Yusuf", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Abbott", "Bennett", "Castillo", "Donovan", "Eriksen", "Fischer", "Garcia", "Holloway", "Ibarra", "Jensen",
    "Kowalski", "Lindqvist", "Morales", "Nakamura", "O'Connell", "Patel", "Quintero", "Rasmussen", "Sullivan",
    "Thompson", "Underwood", "Vasquez", "Whitaker", "Young", "Zimmerman",
]  # fmt: skip
STREETS = ["Main Street", "Oak Avenue", "Maple Drive", "Park Boulevard", "Cedar Lane", "Lakeview Road", "Elm Street"]
CLINIC_WORDS = ["Atlas", "Upper Cervical", "Align", "Balance", "Keystone", "Summit", "Harmony"]
TECHNIQUES = {
    "nucca": "NUCCA", "blair": "Blair", "atlas-orthogonal": "Atlas Orthogonal", "orthospinology": "Orthospinology",
    "qsm3": "QSM3", "knee-chest": "Knee Chest", "grostic": "Grostic", "hio": "HIO",
}  # fmt: skip
BIOS = [
    "Dr. {last} has practised {technique} in {city} since {year}, after training with its instructors.",
    "{technique} corrections of the atlas for families in {city}; Dr. {last} has done little else since {year}.",
    "Dr. {first} {last} opened the practice in {year} and sees patients with headaches, vertigo and neck pain.",
    "Gentle {technique} care, with X-ray analysis on site. Practising in {city} since {year}.",
]
JITTER_KM = 12.0
# Weeks as practitioners type them (directory.hours reads them); None: a listing that says nothing about hours.
DEMO_WEEKS = [
    {"monday": "9:00-12:30, 14:30-18:00", "tuesday": "14:00-19:00", "wednesday": "9:00-12:30, 14:30-18:00",
     "thursday": "14:00-19:00", "friday": "9:00-12:30, 14:30-18:00", "saturday": "9:00-12:00"},
    {**{day: "8:00-12:00, 14:00-18:00" for day in ("monday", "tuesday", "wednesday", "thursday")},
     "friday": "8:00-12:00"},
    {"monday": "7:30-11:30, 15:00-18:30", "tuesday": "7:30-11:30, 15:00-18:30", "wednesday": "7:30-11:30",
     "thursday": "7:30-11:30, 15:00-18:30", "saturday": "8:00-11:00"},
    {day: "9 am-5:30 pm" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
    None,
]  # fmt: skip
# The year-end closures, as a practitioner types them ({year}: the year the demo is seeded in).
DEMO_EXCEPTIONS = "{year}-12-24 to {year}-12-26: closed\n{year}-12-31: 9:00-12:00\n{next_year}-01-01: closed"


def jittered(latitude: float, longitude: float, rng: random.Random) -> tuple[float, float]:
    """A point up to JITTER_KM from the given one, in a uniformly random direction."""
    distance, bearing = rng.uniform(0.5, JITTER_KM), rng.uniform(0, 2 * math.pi)
    d_latitude = distance * math.cos(bearing) / 111.0
    d_longitude = distance * math.sin(bearing) / (111.0 * math.cos(math.radians(latitude)))
    return round(latitude + d_latitude, 5), round(longitude + d_longitude, 5)


@cache
def postal_grid() -> dict[tuple[int, int], list[tuple[str, Place]]]:
    """Every ZIP code and FSA by the whole degree its centre lies in, for finding the one nearest a pin."""
    index = place_index()
    grid: dict[tuple[int, int], list[tuple[str, Place]]] = defaultdict(list)
    for code, place in [*index.zip_codes.items(), *index.fsas.items()]:
        grid[(math.floor(place.point.latitude), math.floor(place.point.longitude))].append((code, place))
    return grid


def nearest_postal_code(latitude: float, longitude: float, country: str) -> tuple[str, str, str]:
    """(postal code, city, state) of the ZIP code or postal area whose centre is nearest to the point."""
    cells = [(math.floor(latitude) + a, math.floor(longitude) + b) for a in (-1, 0, 1) for b in (-1, 0, 1)]
    candidates = [
        (code, place)
        for cell in cells
        for code, place in postal_grid().get(cell, [])
        if code.isdigit() == (country == "US")
    ]
    code, place = min(
        candidates,
        key=lambda item: (
            (item[1].point.latitude - latitude) ** 2
            + ((item[1].point.longitude - longitude) * math.cos(math.radians(latitude))) ** 2
        ),
    )
    city, state = place.label.split(" (", 1)[1].rstrip(")").rsplit(", ", 1)
    return code, city, state


def demo_hours(rng: random.Random, year: int) -> tuple[dict, list[dict]]:
    """(opening_hours, hours_exceptions) for a demo location: one of DEMO_WEEKS, with the year-end closures."""
    week = rng.choice(DEMO_WEEKS)
    if week is None:
        return {}, []
    opening_hours = week_from_days({day: day_parsed(text) for day, text in week.items()})
    return opening_hours, exceptions_parsed(DEMO_EXCEPTIONS.format(year=year, next_year=year + 1))


def demo_hours_set(seed: int) -> None:
    """Gives the demo locations their hours (the import's CSV has no column for them), the same for a seed."""
    rng, year = random.Random(seed), timezone.localdate().year
    locations = list(Location.objects.filter(practitioner__external_id__startswith="demo-").order_by("pk"))
    for location in locations:
        location.opening_hours, location.hours_exceptions = demo_hours(rng, year)
    with transaction.atomic():
        Location.objects.bulk_update(locations, ["opening_hours", "hours_exceptions"], batch_size=500)
        public_version_bump()


def demo_names(rng: random.Random) -> list[tuple[str, str]]:
    """Every first and last name pair once, shuffled: no two demo practitioners share a name."""
    names = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    return names


def demo_rows(per_area: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    names = iter(demo_names(rng))
    rows: list[dict[str, str]] = []
    number = 0
    for postal_code, area_code in DEMO_AREAS:
        centre = resolve_place(postal_code)
        country = "US" if postal_code[0].isdigit() else "CA"
        for _ in range(rng.randint(max(1, per_area - 2), per_area + 2)):
            number += 1
            first, last = next(names)
            techniques = rng.sample(list(TECHNIQUES), rng.choice([1, 1, 2, 2, 3]))
            city = centre.label.split(" (", 1)[1].split(",")[0]
            bio = rng.choice(BIOS).format(
                first=first, last=last, technique=TECHNIQUES[techniques[0]], city=city, year=rng.randint(1995, 2022)
            )
            practitioner = {
                "external_id": f"demo-{number:04d}",
                "name": f"Dr. {first} {last}",
                "credentials": rng.choice(["DC", "DC", "DC, DCM", "DC, DACNB"]),
                "bio": bio,
                "email": f"{first}.{last}@example.com".lower().replace("'", ""),
                "website": f"https://example.com/{first}-{last}".lower().replace("'", ""),
                "techniques": ";".join(techniques),
                "accepting_new_patients": rng.choice(["yes", "yes", "yes", "no"]),
                "status": "pending" if number > 1 and rng.random() < 0.05 else "published",  # demo-0001: published
            }
            for branch in range(rng.choice([1, 1, 1, 2])):
                latitude, longitude = jittered(centre.point.latitude, centre.point.longitude, rng)
                code, town, state = nearest_postal_code(latitude, longitude, country)
                extension = f" ext. {rng.randint(10, 39)}" if rng.random() < 0.1 else ""
                rows.append(
                    {
                        **practitioner,
                        "clinic_name": f"{rng.choice(CLINIC_WORDS)} Chiropractic {town}"
                        + (" (second office)" if branch else ""),
                        "phone": f"({area_code}) 555-01{rng.randint(0, 99):02d}{extension}",
                        "address_line1": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
                        "city": town,
                        "state": state,
                        "postal_code": code
                        if country == "US"
                        else f"{code} {rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVXY')}{rng.randint(1, 9)}",
                        "country": country,
                        "latitude": str(latitude),
                        "longitude": str(longitude),
                    }
                )
    return rows


class Command(BaseCommand):
    help = "Fill the directory with made-up demo practitioners around real US and Canadian cities (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-area", type=int, default=7, help="About how many practitioners per city.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same data.")

    def handle(self, *args, per_area: int, seed: int, **options) -> None:
        rows = demo_rows(per_area, seed)
        report = practitioners_import(rows=enumerate(rows, start=2))
        if report.problems:
            raise CommandError("; ".join(map(str, report.problems)))
        demo_hours_set(seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo directory: {report.created} practitioners created, {report.updated} updated, "
                f"{report.unchanged} unchanged."
            )
        )
