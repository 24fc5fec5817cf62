"""The CSV import: every row validated first, then an upsert by external_id in one transaction."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING

from django.db import connection, models, transaction
from django.utils import timezone

from directory.answers import public_version_bump
from directory.forms import LOCATION_FIELDS, PRACTITIONER_FIELDS, ImportRowForm
from directory.geo import coordinate_rounded
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
# The databases on which the file is written as sets (COPY into staging tables, then a few statements), not
# practitioner by practitioner through the ORM.
SET_UPSERT_VENDORS = frozenset({"postgresql"})
# What the file sets of a practitioner and of a location, as ImportedPractitioner holds them.
PRACTITIONER_VALUES = [name for name in PRACTITIONER_FIELDS if name != "techniques"] + ["phone"]
LOCATION_VALUES = [*LOCATION_FIELDS, "address_line2", "placement"]
STAGING_TABLES = [
    "import_practitioner",
    "import_technique",
    "import_location",
    "import_found",
    "import_fields_changed",
    "import_technique_wanted",
    "import_technique_stored",
    "import_technique_removed",
    "import_technique_added",
    "import_location_changed",
]
COORDINATES = ("latitude", "longitude")  # staged twice: as the file gives them (compared) and rounded (written)
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
        if connection.vendor in SET_UPSERT_VENDORS:
            refreshed = _upsert_as_sets(imported, report)
        else:
            refreshed = _upsert_in_batches(imported, report)
        grid_refresh(practitioner_ids=refreshed)
        if report.created or report.updated:
            public_version_bump()
    return report


def _upsert_in_batches(imported: list[ImportedPractitioner], report: ImportReport) -> list[int]:
    """The upsert through the ORM, BATCH_SIZE practitioners at a time; returns the practitioners created (bulk
    inserts send no signals: they join the search grid after, all at once; updates joined it on save)."""
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
    return created_ids


# The set upsert (PostgreSQL) -------------------------------------------------------------------------------------
#
# The same outcome as _upsert_in_batches, in a fixed number of statements: the valid rows are copied into
# temporary tables (dropped at commit), every intermediate set is a temporary table the planner has statistics
# for (ANALYZE), and only the practitioners the file changes are written. What Django fills on save is filled
# the same way: the slug (Practitioner.save), the timestamps, the defaults of the columns the file does not
# set, a location's time zone (Location.save) and its coordinates rounded (Coordinate); the database computes
# the generated columns. Two things stay in Python, where the ORM path decides them: a location's identity
# (_location_key: Python's strip() and lower(), which PostgreSQL's btrim() and lower() do not match outside
# ASCII), and deleting the locations a file no longer lists (Location.delete() takes their photos with them).

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(text: str) -> str:
    """Text in COPY's text format (str.translate only when there is something to escape: it is the slow part)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


# How COPY's text format writes a value of each type; anything else as its str(). The type is looked up exactly (a
# bool is no int here, and a TextChoices member falls through to its str(), its value).
_COPY_FORMATS: dict[type, Callable[[object], str]] = {
    str: _copy_text,
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    int: int.__repr__,
    float: float.__repr__,  # the shortest text that reads back as the same double
}


def _copy_cell(value: object) -> str:
    """A value in COPY's text format."""
    to_text = _COPY_FORMATS.get(type(value))
    return to_text(value) if to_text else _copy_text(str(value))


def _copy(cursor, table: str, columns: list[str], rows: Iterable[Iterable[object]]) -> None:
    """COPY `rows` into `table` from one buffer."""
    buffer = io.StringIO()
    buffer.writelines("\t".join(map(_copy_cell, row)) + "\n" for row in rows)
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _column_types(model: type[models.Model], names: list[str]) -> list[str]:
    """ "column type" of each field, as the model's table has it (so a value too long fails as it would there)."""
    return [f"{name} {model._meta.get_field(name).db_type(connection)}" for name in names]


def _filled_on_save(model: type[models.Model], given: Iterable[str], now: datetime) -> tuple[list[str], list]:
    """The columns of `model` the file does not give, with what Django writes there for a new row: the field's
    default, or `now` for auto_now(_add) timestamps; generated columns are the database's own."""
    columns, params = [], []
    skipped = set(given)
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key or model_field.generated or model_field.name in skipped:
            continue
        auto = getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
        value = now if auto else model_field.get_default()
        columns.append(model_field.column)
        params.append(model_field.get_db_prep_save(value, connection))
    return columns, params


def _staging_create(cursor) -> None:
    practitioner_columns = ", ".join(_column_types(Practitioner, PRACTITIONER_VALUES))
    location_columns = ", ".join(_column_types(Location, [*LOCATION_VALUES, "time_zone"]))
    cursor.execute(
        f"""
        CREATE TEMP TABLE import_practitioner (
            position integer PRIMARY KEY, external_id text NOT NULL, slug text NOT NULL, {practitioner_columns},
            id bigint, owned boolean NOT NULL DEFAULT false, created boolean NOT NULL DEFAULT false
        ) ON COMMIT DROP;
        CREATE TEMP TABLE import_technique (
            position integer NOT NULL, rank integer NOT NULL, technique_id bigint NOT NULL
        ) ON COMMIT DROP;
        CREATE TEMP TABLE import_location (
            position integer NOT NULL, rank integer NOT NULL, location_id bigint, {location_columns},
            latitude_given double precision NOT NULL, longitude_given double precision NOT NULL
        ) ON COMMIT DROP
        """
    )


def _existing_locked(cursor, imported: list[ImportedPractitioner]) -> dict[int, tuple[int, bool]]:
    """Copies the practitioners into staging and locks those that exist (so that an owner who claims one
    meanwhile is seen, and the listing left alone); {position: (id, owned)} of those."""
    _copy(
        cursor,
        "import_practitioner",
        ["position", "external_id", "slug", *PRACTITIONER_VALUES],
        (
            (
                position,
                item.external_id,
                Practitioner.slug_for(item.values["name"]),
                *(item.values[name] for name in PRACTITIONER_VALUES),
            )
            for position, item in enumerate(imported)
        ),
    )
    cursor.execute("ANALYZE import_practitioner")
    practitioner = Practitioner._meta.db_table
    cursor.execute(
        f"SELECT s.position, p.id, p.owner_id IS NOT NULL FROM import_practitioner s "
        f"JOIN {practitioner} p ON p.external_id = s.external_id ORDER BY p.id FOR UPDATE OF p"
    )
    existing = {position: (pk, owned) for position, pk, owned in cursor.fetchall()}
    cursor.execute(
        f"UPDATE import_practitioner s SET id = p.id, owned = p.owner_id IS NOT NULL FROM {practitioner} p "
        "WHERE p.external_id = s.external_id"
    )
    # The practitioners to compare with the file, with statistics of their own (import_practitioner's were
    # taken before the ids were known).
    cursor.execute(
        "CREATE TEMP TABLE import_found ON COMMIT DROP AS "
        "SELECT position, id FROM import_practitioner WHERE id IS NOT NULL AND NOT owned; "
        "ALTER TABLE import_found ADD PRIMARY KEY (position); ANALYZE import_found"
    )
    return existing


def _locations_matched(cursor, existing: dict[int, tuple[int, bool]]) -> tuple[dict[int, dict], list[int]]:
    """The locations of the unowned practitioners found, as the ORM path keys them: {practitioner id: {key:
    location id}} (of locations sharing a key, the last by pk), and their ids."""
    by_practitioner: dict[int, dict] = {pk: {} for pk, owned in existing.values() if not owned}
    cursor.execute(
        f"SELECT l.id, l.practitioner_id, {', '.join(f'l.{name}' for name in LOCATION_IDENTITY)} "
        f"FROM {Location._meta.db_table} l JOIN import_found f ON f.id = l.practitioner_id ORDER BY l.id"
    )
    ids = []
    for pk, practitioner_id, *identity in cursor.fetchall():
        by_practitioner[practitioner_id][_location_key(dict(zip(LOCATION_IDENTITY, identity, strict=True)))] = pk
        ids.append(pk)
    return by_practitioner, ids


def _staging_fill(
    cursor, imported: list[ImportedPractitioner], existing: dict[int, tuple[int, bool]], report: ImportReport
) -> list[int]:
    """Copies the techniques and locations of the practitioners to write (each location of one found matched
    with the one it updates) and reports the owned listings' lines; returns the locations to delete."""
    stored, _ = _locations_matched(cursor, existing)
    techniques, locations, stale = [], [], []
    for position, item in enumerate(imported):
        pk, owned = existing.get(position, (None, False))
        if owned:
            report.owned_lines.extend(item.lines)
            continue
        techniques.extend((position, rank, technique.pk) for rank, technique in enumerate(item.techniques))
        known = stored.get(pk, {})
        wanted = set()
        for rank, values in enumerate(item.locations):
            key = _location_key(values)
            wanted.add(key)
            latitude, longitude = values["latitude"], values["longitude"]
            locations.append(
                (
                    position,
                    rank,
                    known.get(key),
                    *(values[name] for name in LOCATION_VALUES if name not in COORDINATES),
                    coordinate_rounded(latitude),
                    coordinate_rounded(longitude),
                    zone_at(latitude, longitude),
                    latitude,
                    longitude,
                )
            )
        stale += [location for key, location in known.items() if key not in wanted]
    _copy(cursor, "import_technique", ["position", "rank", "technique_id"], techniques)
    others = [name for name in LOCATION_VALUES if name not in COORDINATES]
    columns = ["position", "rank", "location_id", *others, "latitude", "longitude", "time_zone"]
    _copy(cursor, "import_location", [*columns, "latitude_given", "longitude_given"], locations)
    cursor.execute("ANALYZE import_technique; ANALYZE import_location")
    return stale


def _create_as_set(cursor, now: datetime) -> list[int]:
    """Inserts the practitioners not found, then their techniques and locations, in the file's order."""
    practitioner, through = Practitioner._meta.db_table, Practitioner.techniques.through._meta.db_table
    given = ["external_id", "slug", *PRACTITIONER_VALUES]
    defaults, params = _filled_on_save(Practitioner, given, now)
    cursor.execute(
        f"""
        WITH created AS (
            INSERT INTO {practitioner} ({", ".join(given + defaults)})
            SELECT {", ".join(f"s.{name}" for name in given)}, {", ".join(["%s"] * len(params))}
            FROM import_practitioner s WHERE s.id IS NULL ORDER BY s.position
            RETURNING id, external_id
        )
        UPDATE import_practitioner s SET id = c.id, created = true FROM created c WHERE c.external_id = s.external_id
        RETURNING s.id
        """,
        params,
    )
    created = sorted(pk for (pk,) in cursor.fetchall())
    cursor.execute(
        f"INSERT INTO {through} (practitioner_id, technique_id) SELECT s.id, t.technique_id "
        "FROM import_practitioner s JOIN import_technique t ON t.position = s.position WHERE s.created "
        "ORDER BY s.position, t.rank"
    )
    _locations_insert(cursor, "(SELECT position, id FROM import_practitioner WHERE created)")
    return created


def _locations_insert(cursor, practitioners: str) -> None:
    """Inserts the staged locations of `practitioners` (a table of position, id) that match no stored one."""
    given = [*LOCATION_VALUES, "time_zone"]
    defaults, params = _filled_on_save(Location, ["practitioner", *given], timezone.now())
    cursor.execute(
        f"""
        INSERT INTO {Location._meta.db_table} (practitioner_id, {", ".join(given + defaults)})
        SELECT s.id, {", ".join(f"l.{name}" for name in given)}, {", ".join(["%s"] * len(params))}
        FROM {practitioners} s JOIN import_location l ON l.position = s.position
        WHERE l.location_id IS NULL ORDER BY s.position, l.rank
        """,
        params,
    )


def _differences(cursor) -> None:
    """Materialises what differs from the file among the unowned practitioners found, each set a temporary
    table with statistics (a planner guessing the size of these sets once made a re-import take 50 s)."""
    practitioner, location = Practitioner._meta.db_table, Location._meta.db_table
    through = Practitioner.techniques.through._meta.db_table
    fields = " OR ".join(f"p.{name} IS DISTINCT FROM s.{name}" for name in PRACTITIONER_VALUES)
    location_values = [name for name in LOCATION_VALUES if name not in COORDINATES]
    location_fields = " OR ".join(
        [f"d.{name} IS DISTINCT FROM l.{name}" for name in location_values]
        + ["d.latitude IS DISTINCT FROM l.latitude_given", "d.longitude IS DISTINCT FROM l.longitude_given"]
    )
    cursor.execute(
        f"""
        CREATE TEMP TABLE import_fields_changed ON COMMIT DROP AS
            SELECT f.position, f.id FROM import_found f JOIN import_practitioner s ON s.position = f.position
            JOIN {practitioner} p ON p.id = f.id WHERE {fields};
        CREATE TEMP TABLE import_technique_wanted ON COMMIT DROP AS
            SELECT f.id AS practitioner_id, i.technique_id FROM import_technique i
            JOIN import_found f ON f.position = i.position;
        CREATE TEMP TABLE import_technique_stored ON COMMIT DROP AS
            SELECT t.practitioner_id, t.technique_id FROM {through} t JOIN import_found f ON f.id = t.practitioner_id;
        ANALYZE import_technique_wanted; ANALYZE import_technique_stored;
        CREATE TEMP TABLE import_technique_removed ON COMMIT DROP AS
            SELECT * FROM import_technique_stored EXCEPT SELECT * FROM import_technique_wanted;
        CREATE TEMP TABLE import_technique_added ON COMMIT DROP AS
            SELECT * FROM import_technique_wanted EXCEPT SELECT * FROM import_technique_stored;
        CREATE TEMP TABLE import_location_changed ON COMMIT DROP AS
            SELECT l.location_id, f.id AS practitioner_id FROM import_location l
            JOIN import_found f ON f.position = l.position
            JOIN {location} d ON d.id = l.location_id
            WHERE {location_fields};
        ANALYZE import_fields_changed; ANALYZE import_technique_removed; ANALYZE import_technique_added;
        ANALYZE import_location_changed
        """
    )


def _changes_write(cursor, now: datetime) -> None:
    """Writes the differences _differences() found, and inserts the new locations of the practitioners found."""
    practitioner, location = Practitioner._meta.db_table, Location._meta.db_table
    through = Practitioner.techniques.through._meta.db_table
    assigned = ", ".join(f"{name} = s.{name}" for name in ["slug", *PRACTITIONER_VALUES])
    location_assigned = ", ".join(f"{name} = l.{name}" for name in [*LOCATION_VALUES, "time_zone"])
    cursor.execute(
        f"""
        UPDATE {practitioner} p SET {assigned}, updated_at = %s
        FROM import_fields_changed c JOIN import_practitioner s ON s.position = c.position WHERE p.id = c.id;
        DELETE FROM {through} t USING import_technique_removed r
        WHERE t.practitioner_id = r.practitioner_id AND t.technique_id = r.technique_id;
        INSERT INTO {through} (practitioner_id, technique_id)
        SELECT practitioner_id, technique_id FROM import_technique_added ORDER BY practitioner_id, technique_id;
        UPDATE {location} d SET {location_assigned}
        FROM import_location_changed c JOIN import_location l ON l.location_id = c.location_id
        WHERE d.id = c.location_id
        """,
        [now],
    )
    _locations_insert(cursor, "import_found")


def _changed_practitioners(cursor, stale: list[int]) -> list[int]:
    """The practitioners found whose row, techniques or locations differ from the file (stale: the locations to
    delete), read before anything is written."""
    cursor.execute(
        """
        SELECT id FROM import_fields_changed
        UNION SELECT practitioner_id FROM import_technique_removed
        UNION SELECT practitioner_id FROM import_technique_added
        UNION SELECT practitioner_id FROM import_location_changed
        UNION SELECT f.id FROM import_location l JOIN import_found f ON f.position = l.position
            WHERE l.location_id IS NULL
        UNION SELECT practitioner_id FROM {location} WHERE id = ANY(%s)
        """.replace("{location}", Location._meta.db_table),
        [stale],
    )
    return [pk for (pk,) in cursor.fetchall()]


def _upsert_as_sets(imported: list[ImportedPractitioner], report: ImportReport) -> list[int]:
    """The upsert as sets (PostgreSQL), with _upsert_in_batches' outcome and report; returns the practitioners
    created or changed, for the search grid (these writes send no signals)."""
    now = timezone.now()
    with connection.cursor() as cursor:
        _staging_create(cursor)
        existing = _existing_locked(cursor, imported)
        stale = _staging_fill(cursor, imported, existing, report)
        _differences(cursor)
        changed = _changed_practitioners(cursor, stale)
        created = _create_as_set(cursor, now)
        _changes_write(cursor, now)
        # Dropped now, not only at commit: an import inside a caller's transaction commits nothing itself.
        cursor.execute(f"DROP TABLE {', '.join(STAGING_TABLES)}")
    Location.objects.filter(pk__in=stale).delete()  # with their photos, as the ORM path deletes them
    found = sum(1 for _, owned in existing.values() if not owned)
    report.created, report.updated, report.unchanged = len(created), len(changed), found - len(changed)
    return created + changed
