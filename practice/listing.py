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
