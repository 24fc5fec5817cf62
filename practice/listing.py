"""A listing's editable values in one shape, shared by the edit form, the pending revision and its approval.

{"practitioner": {field: value}, "techniques": [technique ids, ascending],
 "locations": [{"id": location id or None, field: value}]}"""

from __future__ import annotations

from directory.forms import LOCATION_FIELDS as IMPORTED_LOCATION_FIELDS
from directory.models import Location, Practitioner, Technique

PRACTITIONER_FIELDS = ("name", "credentials", "email", "phone", "website", "bio")
# The import's location columns, and where the pin came from.
LOCATION_FIELDS = (*IMPORTED_LOCATION_FIELDS, "placement")


def location_values(location: Location) -> dict:
    return {"id": location.pk, **{name: getattr(location, name) for name in LOCATION_FIELDS}}


def listing_values(practitioner: Practitioner) -> dict:
    """The live listing in the proposal's shape."""
    return {
        "practitioner": {name: getattr(practitioner, name) for name in PRACTITIONER_FIELDS},
        "techniques": sorted(technique.pk for technique in practitioner.techniques.all()),
        "locations": [location_values(location) for location in practitioner.locations.order_by("pk")],
    }


def differs(proposed: dict, practitioner: Practitioner) -> bool:
    """Whether approving `proposed` would change what patients see."""
    return proposed != listing_values(practitioner)


def listing_version(practitioner: Practitioner, pending_id: int | None) -> str:
    """What an edit form was filled from: the listing as last saved and the edit awaiting review, if any. A form
    sent back with another version was filled before someone else (a moderator, or the owner in another window)
    changed the listing."""
    return f"{practitioner.updated_at.timestamp():.6f}-{pending_id or 0}"


# What a location is where a person reads it: a notice compares locations on these, not on the pin.
ADDRESS_FIELDS = ("clinic_name", "address_line1", "city", "state", "postal_code", "country", "phone")


def _locations_text(locations: list[dict]) -> str:
    return "; ".join(
        f"{location['clinic_name'] or location['address_line1']}, {location['address_line1']}, {location['city']} "
        f"{location['state']} {location['postal_code']}, phone {location['phone'] or 'none'} "
        f"({location['latitude']:.5f}, {location['longitude']:.5f})"
        for location in locations
    )


def listing_changes(
    before: dict, after: dict, *, location_fields: tuple[str, ...] = LOCATION_FIELDS
) -> list[list[str]]:
    """Each difference between two listings in the proposal's shape, as [what, before, after] text (not yet
    escaped): the practitioner's fields by name, then "techniques" and "locations" (compared on
    `location_fields`). The desk's diff of a revision and the owner's "changed meanwhile" notice both read it."""
    changes = [
        [name, str(before["practitioner"].get(name, "")), str(value)]
        for name, value in after["practitioner"].items()
        if before["practitioner"].get(name) != value
    ]
    if sorted(before["techniques"]) != sorted(after["techniques"]):
        names = dict(Technique.objects.values_list("pk", "name"))
        named = [
            ", ".join(names.get(pk, "(deleted technique)") for pk in values["techniques"]) for values in (before, after)
        ]
        changes.append(["techniques", *named])

    def compared(values: dict) -> list[list]:
        return [[location[name] for name in location_fields] for location in values["locations"]]

    if compared(before) != compared(after):
        changes.append(["locations", _locations_text(before["locations"]), _locations_text(after["locations"])])
    return changes
