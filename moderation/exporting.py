"""The CSV export: every listing in exactly the import's columns, one row per location, so that importing an
export into an empty database gives the same directory."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from django.db.models import Prefetch, Q, QuerySet

from directory.forms import LOCATION_FIELDS, PRACTITIONER_FIELDS
from directory.importing import IMPORT_COLUMNS, cell_neutralised
from directory.models import Location, Practitioner, Technique
from moderation.services import external_ids_assign

EXPORT_FILE_NAME = "practitioners.csv"
NUMBER_COLUMNS = {"latitude", "longitude"}  # written as numbers, which a spreadsheet never runs


def _practitioner_cell(practitioner: Practitioner, name: str) -> str:
    if name == "techniques":
        return ";".join(technique.name for technique in practitioner.techniques.all())
    if name == "accepting_new_patients":
        return "yes" if practitioner.accepting_new_patients else "no"
    return str(getattr(practitioner, name))


def _location_cell(location: Location, name: str) -> str:
    value = getattr(location, name)
    return repr(value) if name in NUMBER_COLUMNS else str(value)


def export_rows(practitioners: Iterable[Practitioner]) -> Iterator[dict[str, str]]:
    """One row per location (a listing without one still gets a row), in the columns the import reads back:
    the practitioner's values on every row, the location's on its own; cells neutralised against formulas."""
    for practitioner in practitioners:
        shared = {name: _practitioner_cell(practitioner, name) for name in PRACTITIONER_FIELDS}
        shared["external_id"] = practitioner.external_id
        locations = list(practitioner.locations.all()) or [None]
        for number, location in enumerate(locations):
            row = dict(shared)
            if location is not None:
                row.update({name: _location_cell(location, name) for name in (*LOCATION_FIELDS, "address_line2")})
                if number == 0 and practitioner.phone != location.phone:
                    row["practitioner_phone"] = practitioner.phone  # the import's default is the first row's phone
            yield {
                column: value if column in NUMBER_COLUMNS else cell_neutralised(value)
                for column in IMPORT_COLUMNS
                for value in [row.get(column, "")]
            }


def exportable(practitioners: QuerySet[Practitioner]) -> QuerySet[Practitioner]:
    return practitioners.order_by("pk").prefetch_related(
        Prefetch("techniques", queryset=Technique.objects.order_by("name")),
        Prefetch("locations", queryset=Location.objects.order_by("pk")),
    )


def export_write(
    *, file: TextIO, practitioners: QuerySet[Practitioner], progress: Callable[[], None] | None = None
) -> int:
    """Writes the listings as CSV, giving each without an external id a stable one first; `progress` is called
    once per listing. Returns how many rows were written."""
    external_ids_assign(practitioners=practitioners.filter(Q(external_id__isnull=True) | Q(external_id="")))
    writer = csv.DictWriter(file, fieldnames=IMPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    written = 0
    for practitioner in exportable(practitioners).iterator(chunk_size=500):
        for row in export_rows([practitioner]):
            writer.writerow(row)
            written += 1
        if progress:
            progress()
    return written
