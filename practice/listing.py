"""A listing's editable values in one shape, shared by the edit form, the pending revision and its approval.

{"practitioner": {field: value}, "techniques": [technique ids, ascending],
 "locations": [{"id": location id or None, field: value}]}"""

from __future__ import annotations

from directory.forms import LOCATION_FIELDS as IMPORTED_LOCATION_FIELDS
from directory.models import Location, Practitioner

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


ADDRESS_FIELDS = ("clinic_name", "address_line1", "city", "state", "postal_code", "country", "phone")


def listing_differences(proposed: dict, current: dict, labels: dict[str, str]) -> list[str]:
    """Where `current` differs from `proposed` (both in the proposal's shape), one line each as the owner reads
    it: "Phone: (617) 555-0199", "Techniques: Blair, NUCCA", "Location 2: 1 Elm St, Boston, MA 02108"."""
    from directory.models import Technique

    lines = []
    for name in PRACTITIONER_FIELDS:
        if proposed["practitioner"][name] != current["practitioner"][name]:
            lines.append(f"{labels[name]}: {current['practitioner'][name] or '(empty)'}")
    if sorted(proposed["techniques"]) != sorted(current["techniques"]):
        names = Technique.objects.filter(pk__in=current["techniques"]).order_by("name").values_list("name", flat=True)
        lines.append(f"Techniques: {', '.join(names) or '(none)'}")
    count = max(len(proposed["locations"]), len(current["locations"]))
    for index in range(count):
        mine = proposed["locations"][index] if index < len(proposed["locations"]) else None
        now = current["locations"][index] if index < len(current["locations"]) else None
        if mine is not None and now is not None and all(mine[name] == now[name] for name in ADDRESS_FIELDS):
            continue
        if now is None:
            lines.append(f"Location {index + 1}: (none)")
        else:
            place = f"{now['city']}, {now['state']} {now['postal_code']}"
            lines.append(
                f"Location {index + 1}: {now['clinic_name'] or now['address_line1']}, {now['address_line1']}, {place}"
            )
    return lines
