"""Fills the directory with made-up demo practitioners around real cities, so searches show something."""

import math
import random

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.importing import practitioners_import
from directory.places import resolve_place

# (postal code, city, state, country): metropolitan areas plus remote places that test the edges of the map.
DEMO_AREAS = [
    ("02108", "Boston", "MA", "US"),
    ("10001", "New York", "NY", "US"),
    ("19103", "Philadelphia", "PA", "US"),
    ("20001", "Washington", "DC", "US"),
    ("28202", "Charlotte", "NC", "US"),
    ("30303", "Atlanta", "GA", "US"),
    ("33131", "Miami", "FL", "US"),
    ("32202", "Jacksonville", "FL", "US"),
    ("37203", "Nashville", "TN", "US"),
    ("43215", "Columbus", "OH", "US"),
    ("46204", "Indianapolis", "IN", "US"),
    ("48226", "Detroit", "MI", "US"),
    ("60601", "Chicago", "IL", "US"),
    ("55401", "Minneapolis", "MN", "US"),
    ("63101", "Saint Louis", "MO", "US"),
    ("64106", "Kansas City", "MO", "US"),
    ("73102", "Oklahoma City", "OK", "US"),
    ("75201", "Dallas", "TX", "US"),
    ("77002", "Houston", "TX", "US"),
    ("78205", "San Antonio", "TX", "US"),
    ("78701", "Austin", "TX", "US"),
    ("80202", "Denver", "CO", "US"),
    ("84101", "Salt Lake City", "UT", "US"),
    ("85004", "Phoenix", "AZ", "US"),
    ("89101", "Las Vegas", "NV", "US"),
    ("90012", "Los Angeles", "CA", "US"),
    ("92101", "San Diego", "CA", "US"),
    ("94102", "San Francisco", "CA", "US"),
    ("95113", "San Jose", "CA", "US"),
    ("97204", "Portland", "OR", "US"),
    ("98101", "Seattle", "WA", "US"),
    ("99501", "Anchorage", "AK", "US"),
    ("96813", "Honolulu", "HI", "US"),
    ("00901", "San Juan", "PR", "US"),
    ("T2P 1J9", "Calgary", "AB", "CA"),
    ("T5J 0N3", "Edmonton", "AB", "CA"),
    ("V6B 1A1", "Vancouver", "BC", "CA"),
    ("M5V 2T6", "Toronto", "ON", "CA"),
    ("K1P 1J1", "Ottawa", "ON", "CA"),
    ("H3B 1A7", "Montreal", "QC", "CA"),
    ("R3C 0A1", "Winnipeg", "MB", "CA"),
]
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
TECHNIQUE_SLUGS = ["nucca", "blair", "atlas-orthogonal", "orthospinology", "qsm3", "knee-chest", "grostic", "hio"]
JITTER_KM = 25.0


def jittered(latitude: float, longitude: float, rng: random.Random) -> tuple[float, float]:
    """A point up to JITTER_KM from the given one, in a uniformly random direction."""
    distance, bearing = rng.uniform(0.5, JITTER_KM), rng.uniform(0, 2 * math.pi)
    d_latitude = distance * math.cos(bearing) / 111.0
    d_longitude = distance * math.sin(bearing) / (111.0 * math.cos(math.radians(latitude)))
    return round(latitude + d_latitude, 5), round(longitude + d_longitude, 5)


def demo_rows(per_area: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    number = 0
    for postal_code, city, state, country in DEMO_AREAS:
        centre = resolve_place(postal_code).point
        for _ in range(rng.randint(max(1, per_area - 2), per_area + 2)):
            number += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            techniques = rng.sample(TECHNIQUE_SLUGS, rng.choice([1, 1, 2, 2, 3]))
            practitioner = {
                "external_id": f"demo-{number:04d}",
                "name": f"Dr. {first} {last}",
                "credentials": rng.choice(["DC", "DC", "DC, DCM", "DC, DACNB"]),
                "email": f"{first}.{last}@example.com".lower().replace("'", ""),
                "website": f"https://example.com/{first}-{last}".lower().replace("'", ""),
                "techniques": ";".join(techniques),
                "accepting_new_patients": rng.choice(["yes", "yes", "yes", "no"]),
                "status": "pending" if rng.random() < 0.05 else "published",
            }
            for branch in range(rng.choice([1, 1, 1, 2])):
                latitude, longitude = jittered(centre.latitude, centre.longitude, rng)
                rows.append(
                    {
                        **practitioner,
                        "clinic_name": f"{rng.choice(CLINIC_WORDS)} Chiropractic {city}"
                        + (" (second office)" if branch else ""),
                        "phone": f"555-01{rng.randint(0, 99):02d}",
                        "address_line1": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
                        "city": city,
                        "state": state,
                        "postal_code": postal_code,
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
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo directory: {report.created} practitioners created, {report.updated} updated, "
                f"{report.unchanged} unchanged."
            )
        )
