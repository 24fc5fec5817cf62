"""The CSV import: every row validated first, then an upsert by external_id in one transaction."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING

from django.db import connection, transaction

from directory.answers import public_version_bump
from directory.forms import ImportRowForm
from directory.grid import grid_refresh
from directory.models import Location, Practitioner, Technique
from directory.timezones import zone_at

if TYPE_CHECKING:
    from _csv import Reader

# The file's columns are the row form's fields, in its order; the required ones are its required fields.
IMPORT_COLUMNS = list(ImportRowForm.base_fields)
REQUIRED_COLUMNS = {name for name, form_field in ImportRowForm.base_fields.items() if form_field.required}
BATCH_SIZE = 500
# PostgreSQL advisory lock taken by each import for its transaction: two imports run one after the other.
IMPORT_LOCK = 7_240_331
# The longest cell the CSV reader takes (csv's own default is 131,072 characters): far above any column's max_length,
# so that an over-long cell reaches the row form, which names its column and line; still a bound, so that one cell
# (a stray quote running to the end of the file) cannot take the memory of a file of any size.
MAX_CELL_CHARACTERS = 1_000_000


@dataclass
class ImportProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    skipped_lines: list[int] = field(default_factory=list)
    located_from_postal_code: list[tuple[int, str]] = field(default_factory=list)
    owned_lines: list[int] = field(default_factory=list)  # rows of listings an owner manages, left as they are
    unread_from: int | None = None  # the line from which the file could not be read: then nothing is imported


class UnreadableRow(Exception):
    """A row the csv module cannot read; past it, it cannot tell where the next row starts."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.problem = ImportProblem(line, message)


def csv_rows(file: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a CSV file (header on line 1) by the line each starts on; raises UnreadableRow at a row that
    cannot be read."""
    csv.field_size_limit(MAX_CELL_CHARACTERS)  # process-wide: the csv module has no limit per reader
    reader = csv.reader(file)
    _, header = _record(reader)
    while True:
        line, cells = _record(reader)
        if cells is None:
            return
        if cells:  # a blank line is no row
            yield line, dict(zip(header or [], cells, strict=False))


def _record(reader: Reader) -> tuple[int, list[str] | None]:
    """The next record of a CSV file (None at its end) and the line it starts on."""
    line = reader.line_num + 1
    try:
        return line, next(reader, None)
    except csv.Error as error:
        too_long = "field larger than field limit" in str(error)  # the csv module's one error for it
        reason = f"a cell is longer than {MAX_CELL_CHARACTERS:,} characters" if too_long else f"not CSV ({error})"
        raise UnreadableRow(line, f"{reason}; the file cannot be read past it.") from error


@dataclass
class ImportedPractitioner:
    """The valid rows of one external_id: the practitioner's values and one location per row."""

    external_id: str
    values: dict
    techniques: list[Technique]
    locations: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    @classmethod
    def from_row(cls, line: int, form: ImportRowForm) -> ImportedPractitioner:
        values = form.practitioner_values()
        techniques = values.pop("techniques")
        # The practitioner's own phone: practitioner_phone when given, else the first row's phone.
        values["phone"] = form.cleaned_data["practitioner_phone"] or form.cleaned_data["phone"]
        imported = cls(form.cleaned_data["external_id"], values, techniques)
        imported.add(line, form)
        return imported

    def add(self, line: int, form: ImportRowForm) -> None:
        self.locations.append(form.location_values())
        self.lines.append(line)

    def conflict_with(self, form: ImportRowForm) -> str | None:
        """Why a further row of this practitioner cannot join it, if it cannot."""
        key = _location_key(form.location_values())
        for line, location in zip(self.lines, self.locations, strict=True):
            if _location_key(location) == key:
                return f"the same location as line {line}"
        known = {**self.values, "techniques": self.techniques}
        differing = [name for name, value in form.practitioner_values().items() if known[name] != value]
        if differing:
            return f"{', '.join(differing)} differ from line {self.lines[0]} for external_id {self.external_id}"
        return None


def _techniques_by_name() -> dict[str, Technique]:
    lookup: dict[str, Technique] = {}
    techniques = list(Technique.objects.prefetch_related("former_slugs"))
    for technique in techniques:  # a renamed technique's former slugs, unless a current name or slug is the same
        lookup.update((former.slug.lower(), technique) for former in technique.former_slugs.all())
    for technique in techniques:
        lookup[technique.name.lower()] = technique
        lookup[technique.slug.lower()] = technique
    return lookup


# A cell starting with one of these runs as a formula in a spreadsheet: an export writes it after a quote (as
# it does a cell that starts with a quote), and the import reads such a cell back without that quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_neutralised(text: str) -> str:
    """Text as an exported cell, which a spreadsheet shows and never runs."""
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def cell_read(text: str) -> str:
    """A cell as the text it stands for (what cell_neutralised wrote, read back unchanged)."""
    return text[1:] if text.startswith("'") and text[1:].startswith((*FORMULA_STARTS, "'")) else text


def missing_columns(columns: Iterable[str]) -> list[str]:
    """The required columns a CSV header lacks."""
    return sorted(REQUIRED_COLUMNS - {column.strip() for column in columns})


def _cells(row: dict[str | None, object]) -> dict[str, str]:
    """A CSV row's known columns as stripped text (a missing cell is empty)."""
    return {column: cell_read(str(row.get(column) or "").strip()).strip() for column in IMPORT_COLUMNS}


def _read_to_the_end(rows: Iterable[tuple[int, dict]], report: ImportReport) -> Iterator[tuple[int, dict]]:
    """The rows, until one cannot be read: that one is a problem in the report, and no row after it is read."""
    try:
        yield from rows
    except UnreadableRow as unreadable:
        report.problems.append(unreadable.problem)
        report.unread_from = unreadable.problem.line


def practitioners_validate(
    *, rows: Iterable[tuple[int, dict]], progress: Callable[[], None] | None = None
) -> tuple[list[ImportedPractitioner], ImportReport]:
    """Validates every row (file line numbers given) and groups them by external_id; writes nothing."""
    form = ImportRowForm(techniques_by_name=_techniques_by_name())
    report = ImportReport()
    groups: dict[str, ImportedPractitioner] = {}
    invalid_ids: set[str] = set()
    for line, row in _read_to_the_end(rows, report):
        if progress:
            progress()
        cells = _cells(row)
        external_id = cells["external_id"]
        if not form.validate(cells):
            for name, errors in form.errors.items():
                label = "row" if name == "__all__" else name
                report.problems.extend(ImportProblem(line, f"{label}: {error}") for error in errors)
            invalid_ids.add(external_id)
            report.skipped_lines.append(line)
            continue
        if form.located_from_postal_code:
            report.located_from_postal_code.append((line, form.cleaned_data["postal_code"]))
        group = groups.get(external_id)
        if group is None:
            groups[external_id] = ImportedPractitioner.from_row(line, form)
        elif conflict := group.conflict_with(form):
            report.problems.append(ImportProblem(line, conflict))
            invalid_ids.add(external_id)
            report.skipped_lines.append(line)
        else:
            group.add(line, form)
    for external_id in invalid_ids & groups.keys():
        report.skipped_lines.extend(groups.pop(external_id).lines)
    report.skipped_lines.sort()
    return list(groups.values()), report


LOCATION_IDENTITY = ("clinic_name", "address_line1", "city", "postal_code")


def _location_key(values: dict) -> tuple[str, ...]:
    """What makes two rows of one practitioner the same location (so a re-import updates it in place)."""
    return tuple(str(values[name]).strip().lower() for name in LOCATION_IDENTITY)


def _batches(items: list, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _create_practitioners(imported: list[ImportedPractitioner]) -> list[int]:
    practitioners = [
        Practitioner(external_id=item.external_id, slug=Practitioner.slug_for(item.values["name"]), **item.values)
        for item in imported
    ]
    Practitioner.objects.bulk_create(practitioners)
    through = Practitioner.techniques.through
    through.objects.bulk_create(
        through(practitioner_id=practitioner.pk, technique_id=technique.pk)
        for practitioner, item in zip(practitioners, imported, strict=True)
        for technique in item.techniques
    )
    Location.objects.bulk_create(
        Location(practitioner_id=practitioner.pk, time_zone=zone_at(values["latitude"], values["longitude"]), **values)
        for practitioner, item in zip(practitioners, imported, strict=True)
        for values in item.locations
    )
    return [practitioner.pk for practitioner in practitioners]


def _update_practitioner(practitioner: Practitioner, item: ImportedPractitioner) -> bool:
    """Brings one practitioner in line with the file; returns whether anything changed."""
    changed = False
    if any(getattr(practitioner, name) != value for name, value in item.values.items()):
        for name, value in item.values.items():
            setattr(practitioner, name, value)
        practitioner.save()
        changed = True
    if {technique.pk for technique in practitioner.techniques.all()} != {technique.pk for technique in item.techniques}:
        practitioner.techniques.set(item.techniques)
        changed = True
    existing = {
        _location_key({name: getattr(location, name) for name in LOCATION_IDENTITY}): location
        for location in practitioner.locations.all()
    }
    wanted = {_location_key(values): values for values in item.locations}
    for key, values in wanted.items():
        location = existing.get(key)
        if location is None:
            Location.objects.create(practitioner=practitioner, **values)
            changed = True
        elif any(getattr(location, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(location, name, value)
            location.save()
            changed = True
    stale = [location.pk for key, location in existing.items() if key not in wanted]
    if stale:
        Location.objects.filter(pk__in=stale).delete()
        changed = True
    return changed


def _imports_serialize() -> None:
    """Makes a second import wait for the first to commit and then read what it wrote, so the same file imported
    twice at once creates its listings once (the second finds them unchanged). SQLite takes one writer at a time
    by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def practitioners_import(
    *, rows: Iterable[tuple[int, dict]], skip_invalid: bool = False, progress: Callable[[], None] | None = None
) -> ImportReport:
    """Validates every row, then upserts by external_id in one transaction; nothing is written if any row is
    invalid, unless `skip_invalid` (then every practitioner with an invalid row is left out), nor if the file could
    not be read to its end (a row left unread may be another location of a listing read). A listing that an owner
    manages is never overwritten: its rows are reported in `owned_lines`."""
    imported, report = practitioners_validate(rows=rows, progress=progress)
    if report.problems and (not skip_invalid or report.unread_from is not None):
        return report
    with transaction.atomic():
        _imports_serialize()
        created_ids: list[int] = []
        for batch in _batches(imported, BATCH_SIZE):
            # Locked, so that an owner who claims a listing meanwhile is seen (and the listing left alone).
            existing = Practitioner.objects.select_for_update(of=("self",)).filter(
                external_id__in=[item.external_id for item in batch]
            )
            by_id = {p.external_id: p for p in existing.prefetch_related("techniques", "locations")}
            new = [item for item in batch if item.external_id not in by_id]
            created_ids += _create_practitioners(new)
            report.created += len(new)
            for item in batch:
                if item.external_id in by_id:
                    if by_id[item.external_id].owner_id is not None:
                        report.owned_lines.extend(item.lines)
                    elif _update_practitioner(by_id[item.external_id], item):
                        report.updated += 1
                    else:
                        report.unchanged += 1
        # Bulk inserts send no signals: the new listings join the search grid here, all at once (updates joined
        # it on save).
        grid_refresh(practitioner_ids=created_ids)
        if report.created or report.updated:
            public_version_bump()
    return report
