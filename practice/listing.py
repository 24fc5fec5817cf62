"""A listing's editable values in one shape, shared by the edit form, the pending revision and its approval.

{"practitioner": {field: value}, "techniques": [technique ids, ascending],
 "locations": [{"id": location id or None, field: value}]}"""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from directory.forms import LOCATION_FIELDS as IMPORTED_LOCATION_FIELDS
from directory.geo import Point, Unit, to_unit
from directory.hours import exceptions_in_words, week_in_words
from directory.languages import LANGUAGE_NAMES, language_codes
from directory.models import Location, Practitioner, Technique
from practice.geocoding import km_between

PRACTITIONER_FIELDS = (
    *("name", "credentials", "npi", "email", "phone", "website", "bio", "languages"),
    *("insurance_plans", "accepts_cash", "accepts_hsa_fsa", "offers_payment_plans", "first_visit_fee"),
)
# The import's location columns, where the pin came from, and the opening hours (directory.hours).
LOCATION_FIELDS = (*IMPORTED_LOCATION_FIELDS, "placement", "opening_hours", "hours_exceptions")


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


PIN_FIELDS = ("latitude", "longitude")


def _label(model: type, name: str) -> str:
    """A field as a person reads it ("Accepting new patients", "Postal code"), not as the code names it."""
    return capfirst(model._meta.get_field(name).verbose_name)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)


def _value_shown(name: str, value: object) -> str:
    """A practitioner's value as the profile words it: languages by name, the fee in dollars."""
    if name == "languages":
        return ", ".join(LANGUAGE_NAMES[code] for code in language_codes(str(value or "")))
    if name == "first_visit_fee" and value is not None and value != "":
        return f"${value}"
    return _shown(value)


def _location_value_shown(name: str, value: object) -> str:
    """A location's value as the profile words it: the hours by day ("Mon 9:00 am-12:30 pm; ...")."""
    if name == "opening_hours":
        return week_in_words(value or {})
    if name == "hours_exceptions":
        return exceptions_in_words(value or []) or _("None")
    return _shown(value)


def _location_line(location: dict) -> str:
    name = location["clinic_name"] or location["address_line1"]
    where = f"{location['address_line1']}, {location['city']} {location['state']} {location['postal_code']}"
    return where if name == location["address_line1"] else f"{name}, {where}"


def _pin_moved(before: dict, after: dict) -> list[str]:
    """[what, where it was, how far it moved], in the desk's miles and in km."""
    km = km_between(Point(before["latitude"], before["longitude"]), Point(after["latitude"], after["longitude"]))
    was = f"{before['latitude']:.5f}, {before['longitude']:.5f}"
    return ["Pin", was, f"moved {to_unit(km, Unit.MILES):.1f} mi ({km:.1f} km) to {after['latitude']:.5f}, "
            f"{after['longitude']:.5f}"]  # fmt: skip


def _location_changes(before: list[dict], after: list[dict], fields: tuple[str, ...]) -> list[list[str]]:
    """Locations field by field: each numbered as the edit form numbers it (its place in the listing), added,
    removed, or changed on `fields` (the pin shown as the distance it moved)."""
    earlier = {location["id"]: location for location in before if location["id"] is not None}
    kept = {location["id"] for location in after if location["id"] in earlier}
    changes = []
    for number, location in enumerate(after, start=1):
        old = earlier.get(location["id"]) if location["id"] is not None else None
        if old is None:
            changes.append(
                [
                    _("Location %(number)s") % {"number": number},
                    "",
                    _("Added: %(location)s") % {"location": _location_line(location)},
                ]
            )
            continue
        for name in fields:
            # A proposal made before a field existed leaves it as it is (practice.services._apply).
            if name not in PIN_FIELDS and name in location and old.get(name) != location[name]:
                label = _label(Location, name)
                if name == "placement":
                    old_value, new_value = (Location.Placement(v).label for v in (old[name], location[name]))
                else:
                    old_value, new_value = (
                        _location_value_shown(name, old.get(name)),
                        _location_value_shown(name, location[name]),
                    )
                changes.append(
                    [
                        _("Location %(number)s: %(field)s") % {"number": number, "field": label.lower()},
                        old_value,
                        new_value,
                    ]
                )
        if set(PIN_FIELDS) <= set(fields) and any(old[name] != location[name] for name in PIN_FIELDS):
            what, was, moved = _pin_moved(old, location)
            changes.append([f"Location {number}: {what.lower()}", was, moved])
    for number, location in enumerate(before, start=1):
        if location["id"] not in kept:
            changes.append([_("Location %(number)s (removed)") % {"number": number}, _location_line(location), ""])
    return changes


def listing_changes(
    before: dict, after: dict, *, location_fields: tuple[str, ...] = LOCATION_FIELDS
) -> list[list[str]]:
    """Each difference between two listings in the proposal's shape, as [what, before, after] text (not yet
    escaped), each named as a person reads it: the practitioner's fields by label, then "Techniques", then
    the locations field by field (compared on `location_fields`). The desk's diff of a revision, the audit of a
    correction made in the admin and the owner's "changed meanwhile" notice all read it."""
    changes = [
        [_label(Practitioner, name), _value_shown(name, before["practitioner"].get(name)), _value_shown(name, value)]
        for name, value in after["practitioner"].items()
        if before["practitioner"].get(name) != value
    ]
    if sorted(before["techniques"]) != sorted(after["techniques"]):
        names = dict(Technique.objects.values_list("pk", "name"))
        named = [
            ", ".join(names.get(pk, _("(deleted technique)")) for pk in values["techniques"])
            for values in (before, after)
        ]
        changes.append([_("Techniques"), *named])
    return changes + _location_changes(before["locations"], after["locations"], location_fields)
