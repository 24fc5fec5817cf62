"""What a revision would change: field by field, against the published listing, techniques and locations too."""

from __future__ import annotations

from directory.models import Technique
from practice.listing import listing_values
from practice.models import Revision

Change = list[str]  # [what, published, proposed]


def _locations(locations: list[dict]) -> str:
    return "; ".join(
        f"{location['clinic_name'] or location['address_line1']}, {location['address_line1']}, {location['city']} "
        f"{location['state']} {location['postal_code']}, phone {location['phone'] or 'none'} "
        f"({location['latitude']:.5f}, {location['longitude']:.5f})"
        for location in locations
    )


def revision_changes(revision: Revision) -> list[Change]:
    """Each difference between the live listing and the revision's proposal, as text (not yet escaped)."""
    live, proposed = listing_values(revision.practitioner), revision.proposed
    changes = [
        [name, str(live["practitioner"].get(name, "")), str(value)]
        for name, value in proposed["practitioner"].items()
        if live["practitioner"].get(name) != value
    ]
    if live["techniques"] != proposed["techniques"]:
        names = dict(Technique.objects.values_list("pk", "name"))
        changes.append(
            [
                "techniques",
                ", ".join(names.get(pk, "(deleted technique)") for pk in live["techniques"]),
                ", ".join(names.get(pk, "(deleted technique)") for pk in proposed["techniques"]),
            ]
        )
    if live["locations"] != proposed["locations"]:
        changes.append(["locations", _locations(live["locations"]), _locations(proposed["locations"])])
    return changes
