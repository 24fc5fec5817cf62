"""The NPI registry's monthly file (NPPES `npidata_pfile_*.csv`: about 330 columns, millions of rows, several GB),
streamed. One pass checks that every row is whole, writing nothing, so a file cut short imports nothing; a second
keeps the chiropractors (individuals with a taxonomy code starting 111N) practising in the US and upserts their
unpublished listings by NPI, one batch per transaction. Each listing's `registry_values` holds what the import
wrote: a later import overwrites only the fields that still hold it, so an owner's or a moderator's edit stays.

Two passes rather than one transaction: a transaction per batch holds its row locks for milliseconds, so owners and
moderators can edit while a file of millions of rows is imported; the checking pass is the csv module's own
parsing, a fraction of the import's time. Should the import stop part-way (the database goes away), running it
again finishes it: an import is idempotent.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from typing import BinaryIO

import phonenumbers
from django.db import connection, transaction
from django.utils import timezone
from phonenumbers import PhoneNumberFormat

from directory.answers import public_version_bump
from directory.geo import Point, coordinate_rounded
from directory.grid import grid_refresh
from directory.importing import IMPORT_LOCK
from directory.models import Location, Practitioner
from directory.npi import is_valid_npi
from directory.phones import DEFAULT_REGION, PhoneError, phone_normalized
from directory.places import US_ZIP, locate_postal_code
from directory.timezones import zone_at

NPI = "NPI"
ENTITY_TYPE = "Entity Type Code"
LAST_NAME = "Provider Last Name (Legal Name)"
FIRST_NAME = "Provider First Name"
MIDDLE_NAME = "Provider Middle Name"
NAME_SUFFIX = "Provider Name Suffix Text"
CREDENTIAL = "Provider Credential Text"
ADDRESS_LINE1 = "Provider First Line Business Practice Location Address"
ADDRESS_LINE2 = "Provider Second Line Business Practice Location Address"
CITY = "Provider Business Practice Location Address City Name"
STATE = "Provider Business Practice Location Address State Name"
POSTAL_CODE = "Provider Business Practice Location Address Postal Code"
COUNTRY = "Provider Business Practice Location Address Country Code (If outside U.S.)"
PHONE = "Provider Business Practice Location Address Telephone Number"
DEACTIVATED_ON = "NPI Deactivation Date"
REACTIVATED_ON = "NPI Reactivation Date"
TAXONOMY_CODES = tuple(f"Healthcare Provider Taxonomy Code_{n}" for n in range(1, 16))
# The columns the import reads, which a file's header must have (the registry's other ~300 are ignored).
COLUMNS = (
    NPI, ENTITY_TYPE, LAST_NAME, FIRST_NAME, MIDDLE_NAME, NAME_SUFFIX, CREDENTIAL, ADDRESS_LINE1, ADDRESS_LINE2, CITY,
    STATE, POSTAL_CODE, COUNTRY, PHONE, DEACTIVATED_ON, REACTIVATED_ON, *TAXONOMY_CODES,
)  # fmt: skip

INDIVIDUAL = "1"  # Entity Type Code: 1 a person, 2 an organisation
CHIROPRACTIC = "111N"  # every chiropractic taxonomy code starts so (NUCC: 111N00000X Chiropractor and its specialties)
REGISTRY_DATE = "%m/%d/%Y"
BATCH_SIZE = 1000
PROGRESS_EVERY = 10_000  # rows between progress reports in the checking pass

# Why a row of the file gives no listing: each is counted in the report.
SKIP_ORGANISATION = "not an individual (an organisation)"
SKIP_NOT_CHIROPRACTOR = "no chiropractic taxonomy (111N)"
SKIP_OUTSIDE_US = "practice location outside the US"
SKIP_UNKNOWN_ZIP = "practice ZIP code not in the bundled postal data"
SKIP_MALFORMED = "NPI (10 digits, its check digit right) or date not as the registry writes them"
SKIP_DEACTIVATED_UNLISTED = "deactivated NPI with no listing here"
SKIP_NOT_FROM_REGISTRY = "NPI listed here without the registry file (left as it is)"
SKIP_REPEATED = "NPI repeated in the file"

PRACTITIONER_FIELDS = ("name", "credentials")
ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "state", "postal_code", "country")
PLACE_FIELDS = ("latitude", "longitude", "placement")
LOCATION_FIELDS = (*ADDRESS_FIELDS, "phone", *PLACE_FIELDS)


class RegistryFileError(Exception):
    """A file refused as a whole (empty, a column missing, a row cut short): nothing of it is imported."""


@dataclass(frozen=True, slots=True)
class ColumnIndex:
    """Where the columns the import reads are in a file's rows."""

    width: int
    npi: int
    entity_type: int
    deactivated_on: int
    reactivated_on: int
    country: int
    postal_code: int
    taxonomy_codes: Callable[[list[str]], tuple[str, ...]]
    at: dict[str, int]

    @classmethod
    def of(cls, header: list[str]) -> ColumnIndex:
        at = {name.strip(): position for position, name in enumerate(header)}
        missing = [name for name in COLUMNS if name not in at]
        if missing:
            raise RegistryFileError(f"line 1: not the registry's header; missing column(s): {', '.join(missing)}")
        return cls(
            width=len(header),
            npi=at[NPI],
            entity_type=at[ENTITY_TYPE],
            deactivated_on=at[DEACTIVATED_ON],
            reactivated_on=at[REACTIVATED_ON],
            country=at[COUNTRY],
            postal_code=at[POSTAL_CODE],
            taxonomy_codes=itemgetter(*(at[name] for name in TAXONOMY_CODES)),
            at=at,
        )


class RegistryFile:
    """A registry file opened in binary, decoded a line at a time (UTF-8, else Windows-1252, which decodes any
    byte), so that `bytes_read` can drive a progress bar over the file's size."""

    def __init__(self, binary: BinaryIO) -> None:
        self.binary = binary
        self.bytes_read = 0
        self.columns: ColumnIndex | None = None

    def _lines(self) -> Iterator[str]:
        for raw in self.binary:
            self.bytes_read += len(raw)
            try:
                text = raw.decode()
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
            yield text

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) of each data row, once the header is read into `columns`; raises RegistryFileError for a
        file without a header, a header without the registry's columns, or a row the csv module cannot read (a quote
        left open where the file ends)."""
        # Strict: the registry quotes every value and never a quote within one, so a stray quote is damage.
        reader = csv.reader(self._lines(), strict=True)
        _, header = _record(reader)
        if not header:
            raise RegistryFileError("the file is empty: no header, no rows.")
        header[0] = header[0].lstrip("\ufeff")
        self.columns = ColumnIndex.of(header)
        while True:
            line, cells = _record(reader)
            if cells is None:
                return
            if cells:  # a blank line is no row
                yield line, cells


def _record(reader: Iterator[list[str]]) -> tuple[int, list[str] | None]:
    """The next record (None at the end of the file) and the line it starts on."""
    line = reader.line_num + 1  # type: ignore[attr-defined]
    try:
        return line, next(reader, None)
    except csv.Error as error:
        raise RegistryFileError(
            f"line {line}: not readable as CSV ({error}); the file is cut short or damaged. Nothing was imported."
        ) from error


def registry_file_check(file: RegistryFile, progress: Callable[[int], None] | None = None) -> int:
    """Reads the whole file once, writing nothing: how many data rows it has. Raises RegistryFileError at the first
    row that is not whole (more or fewer cells than the header has: the last line of a file cut short)."""
    count = 0
    for line, cells in file.rows():
        if len(cells) != file.columns.width:
            raise RegistryFileError(
                f"line {line}: {len(cells)} cells where the header has {file.columns.width}; the file is cut short "
                "or damaged. Nothing was imported."
            )
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(file.bytes_read)
    if progress:
        progress(file.bytes_read)
    return count


# Names -------------------------------------------------------------------------------------------------------------

UPPER_WORDS = frozenset({"II", "III", "IV", "PO", "NE", "NW", "SE", "SW", "US", "LLC", "PC", "PA"})
ORDINAL = re.compile(r"^\d+(ST|ND|RD|TH)$")


def _word_cased(word: str) -> str:
    if ORDINAL.match(word):
        return word.lower()  # "1ST" -> 1st
    if word in UPPER_WORDS or any(character.isdigit() for character in word):
        return word  # "NE", "12B", "A-1" as they are
    cased = "".join(part[:1].upper() + part[1:] for part in re.split(r"([-'.])", word.lower()))
    if len(cased) > 3 and cased.startswith("Mc"):  # McDonald, McAllen (not "Mc" alone)
        cased = "Mc" + cased[2].upper() + cased[3:]
    return cased


def name_cased(text: str) -> str:
    """A name or address from the registry's capitals as people write it: "MCDONALD" -> McDonald, "O'BRIEN" ->
    O'Brien, "SMITH-JONES" -> Smith-Jones, "100 1ST AVE NE" -> 100 1st Ave NE. Text with small letters is kept as
    it is (whoever typed it chose its case). "MACDONALD" becomes Macdonald: Mac is not always a prefix (Macy)."""
    text = " ".join(text.split())
    if text != text.upper():
        return text
    return " ".join(_word_cased(word) for word in text.split(" ")) if text else ""


def listing_name(cells: list[str], at: dict[str, int]) -> str:
    """ "Dr. Jane Q. Smith Jr.": every listing imported is a Doctor of Chiropractic, named as the demo names them;
    the middle name as an initial."""
    middle = cells[at[MIDDLE_NAME]].strip()[:1]
    parts = [
        "Dr.",
        name_cased(cells[at[FIRST_NAME]]),
        f"{middle.upper()}." if middle.isalpha() else "",
        name_cased(cells[at[LAST_NAME]]),
        name_cased(cells[at[NAME_SUFFIX]]),
    ]
    return " ".join(part for part in parts if part)[:200]


def credentials_cleaned(text: str) -> str:
    """ "D.C." -> DC, "d.c., ccsp" -> DC, CCSP: the letters people read after the name."""
    return " ".join(text.replace(".", "").upper().split())[:100]


def postal_code_cleaned(text: str) -> str | None:
    """ "021081234" -> 02108-1234, "02108" -> 02108; None for what is no ZIP code."""
    digits = text.strip().replace("-", "").replace(" ", "")
    if not US_ZIP.match(digits) or len(digits) not in (5, 9):
        return None
    return digits if len(digits) == 5 else f"{digits[:5]}-{digits[5:]}"


def _phone(text: str) -> str:
    """The stored form of a registry phone number (phones.phone_normalized's), or "" for one that is no number."""
    text = text.strip()
    if len(text) == 10 and text.isascii() and text.isdigit():  # as the registry writes them: parsed directly, 3x faster
        number = phonenumbers.parse(text, DEFAULT_REGION)
        valid = phonenumbers.is_valid_number(number)
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL) if valid else ""
    try:
        return phone_normalized(text)
    except PhoneError:
        return ""  # better no number than a wrong one


def _deactivated_on(cells: list[str], at: ColumnIndex) -> date | None:
    """The day the NPI was deactivated, unless it was reactivated since (ValueError for a date not MM/DD/YYYY)."""
    deactivated = cells[at.deactivated_on].strip()
    if not deactivated:
        return None
    on = datetime.strptime(deactivated, REGISTRY_DATE).date()
    reactivated = cells[at.reactivated_on].strip()
    if reactivated and datetime.strptime(reactivated, REGISTRY_DATE).date() >= on:
        return None
    return on


# Rows --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegistryListing:
    """A chiropractor's listing as the registry file gives it."""

    npi: str
    name: str
    credentials: str
    location: dict[str, object]

    def registry_values(self, location_id: int | None) -> dict:
        return {"name": self.name, "credentials": self.credentials, "location": {"id": location_id, **self.location}}


@dataclass(frozen=True, slots=True)
class Deactivation:
    npi: str
    on: date


def registry_entry(cells: list[str], at: ColumnIndex) -> RegistryListing | Deactivation | str:
    """What one row of the file gives: a listing, a deactivation, or why it gives neither."""
    npi = cells[at.npi].strip()
    try:
        deactivated_on = _deactivated_on(cells, at)
    except ValueError:
        return SKIP_MALFORMED
    if not is_valid_npi(npi):
        return SKIP_MALFORMED
    if deactivated_on is not None:
        return Deactivation(npi, deactivated_on)
    if cells[at.entity_type] != INDIVIDUAL:
        return SKIP_ORGANISATION
    if f"|{CHIROPRACTIC}" not in "|" + "|".join(at.taxonomy_codes(cells)):  # any code starting 111N; no loop
        return SKIP_NOT_CHIROPRACTOR
    if cells[at.country].strip() not in ("", "US"):
        return SKIP_OUTSIDE_US
    postal_code = postal_code_cleaned(cells[at.postal_code])
    point = postal_code and locate_postal_code(postal_code, "US")
    if not point:
        return SKIP_UNKNOWN_ZIP
    return RegistryListing(
        npi=npi,
        name=listing_name(cells, at.at),
        credentials=credentials_cleaned(cells[at.at[CREDENTIAL]]),
        location=_location_values(cells, at.at, postal_code, point),
    )


def _location_values(cells: list[str], at: dict[str, int], postal_code: str, point: Point) -> dict[str, object]:
    """The practice location's Location fields, placed at the centre of its ZIP code."""
    return {
        "address_line1": name_cased(cells[at[ADDRESS_LINE1]])[:200],
        "address_line2": name_cased(cells[at[ADDRESS_LINE2]])[:200],
        "city": name_cased(cells[at[CITY]])[:100],
        "state": cells[at[STATE]].strip().upper()[:50],
        "postal_code": postal_code,
        "country": Location.Country.US.value,
        "phone": _phone(cells[at[PHONE]]),
        "latitude": coordinate_rounded(point.latitude),
        "longitude": coordinate_rounded(point.longitude),
        "placement": Location.Placement.POSTAL_CODE.value,
    }


# The import ----------------------------------------------------------------------------------------------------------


@dataclass
class RegistryReport:
    rows: int = 0
    kept: int = 0  # chiropractors practising in the US, at a known ZIP code
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0  # listings newly marked deactivated
    skipped: Counter[str] = field(default_factory=Counter)


def _entries(file: RegistryFile, report: RegistryReport) -> Iterator[RegistryListing | Deactivation]:
    for _, cells in file.rows():
        report.rows += 1
        entry = registry_entry(cells, file.columns)
        if isinstance(entry, str):
            report.skipped[entry] += 1
            continue
        if isinstance(entry, RegistryListing):
            report.kept += 1
        yield entry


def registry_import(
    *, file: RegistryFile, progress: Callable[[int], None] | None = None, batch_size: int = BATCH_SIZE
) -> RegistryReport:
    """Creates or updates the listings of the file's chiropractors by NPI and marks deactivated NPIs, a batch per
    transaction. Check the file first (registry_file_check): this writes each batch as it reads it."""
    report = RegistryReport()
    entries = _entries(file, report)
    while batch := list(islice(entries, batch_size)):
        _batch_write(batch, report)
        if progress:
            progress(file.bytes_read)
    return report


def _imports_serialize() -> None:
    """Two imports at once take turns batch by batch, so that each sees the listings the other created."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def _batch_write(batch: Iterable[RegistryListing | Deactivation], report: RegistryReport) -> None:
    by_npi: dict[str, RegistryListing | Deactivation] = {}
    for entry in batch:
        if entry.npi in by_npi:
            report.skipped[SKIP_REPEATED] += 1
        else:
            by_npi[entry.npi] = entry
    with transaction.atomic():
        _imports_serialize()
        # Locked, so that an owner's edit made meanwhile is seen (and kept), not overwritten.
        existing = {p.npi: p for p in Practitioner.objects.select_for_update(of=("self",)).filter(npi__in=by_npi)}
        location_ids = [p.registry_values["location"]["id"] for p in existing.values() if p.registry_values]
        locations = Location.objects.in_bulk(location_ids)
        changed: list[Practitioner] = []
        moved: list[Location] = []
        new: list[RegistryListing] = []
        for npi, entry in by_npi.items():
            listing = existing.get(npi)
            if isinstance(entry, Deactivation):
                _deactivation_apply(listing, entry, report, changed)
            elif listing is None:
                new.append(entry)
            elif listing.registry_values is None:
                report.skipped[SKIP_NOT_FROM_REGISTRY] += 1
            else:
                location = locations.get(listing.registry_values["location"]["id"])
                _listing_update(listing, location, entry, report, changed, moved)
        _listings_create(new)
        report.created += len(new)
        _changes_save(changed, moved)


def _deactivation_apply(
    listing: Practitioner | None, deactivation: Deactivation, report: RegistryReport, changed: list[Practitioner]
) -> None:
    if listing is None:
        report.skipped[SKIP_DEACTIVATED_UNLISTED] += 1
    elif listing.registry_deactivated_on == deactivation.on:
        report.unchanged += 1
    else:
        listing.registry_deactivated_on = deactivation.on
        changed.append(listing)
        report.deactivated += 1


def _unedited_set(instance: object, previous: dict, values: dict, names: Iterable[str]) -> bool:
    """Sets each field of `names` that still holds what the import wrote before (nobody edited it) to its value in
    `values`; returns whether any changed."""
    changed = False
    for name in names:
        current = getattr(instance, name)
        if current == previous.get(name) and current != values[name]:
            setattr(instance, name, values[name])
            changed = True
    return changed


def _listing_update(
    listing: Practitioner,
    location: Location | None,
    entry: RegistryListing,
    report: RegistryReport,
    changed: list[Practitioner],
    moved: list[Location],
) -> None:
    previous = listing.registry_values
    updated = _unedited_set(listing, previous, _practitioner_values(entry), PRACTITIONER_FIELDS)
    if location is not None:
        readdressed = _unedited_set(location, previous["location"], entry.location, (*ADDRESS_FIELDS, "phone"))
        # A published listing stays where patients found it unless its address changed (a newer postal-data centre
        # for the same address does not move it); an unpublished one follows the data.
        placed = (readdressed or listing.status != Practitioner.Status.PUBLISHED) and _unedited_set(
            location, previous["location"], entry.location, PLACE_FIELDS
        )
        if readdressed or placed:
            moved.append(location)
    values = entry.registry_values(previous["location"]["id"])
    if updated or values != previous or listing.registry_deactivated_on is not None:
        listing.registry_values = values
        listing.registry_deactivated_on = None  # active in this file: reactivated since it was marked
        changed.append(listing)
        report.updated += 1
    else:
        report.unchanged += 1


def _practitioner_values(entry: RegistryListing) -> dict:
    return {"name": entry.name, "credentials": entry.credentials}


def _listings_create(new: list[RegistryListing]) -> None:
    if not new:
        return
    practitioners = Practitioner.objects.bulk_create(
        Practitioner(
            npi=entry.npi,
            name=entry.name,
            slug=Practitioner.slug_for(entry.name),
            credentials=entry.credentials,
            status=Practitioner.Status.PENDING,
        )
        for entry in new
    )
    locations = Location.objects.bulk_create(
        Location(
            practitioner=practitioner,
            time_zone=zone_at(entry.location["latitude"], entry.location["longitude"]),
            **entry.location,
        )
        for practitioner, entry in zip(practitioners, new, strict=True)
    )
    # What was written, with the location it was written to (known once created): one more query per batch.
    for practitioner, location, entry in zip(practitioners, locations, new, strict=True):
        practitioner.registry_values = entry.registry_values(location.pk)
    Practitioner.objects.bulk_update(practitioners, ["registry_values"])


def _changes_save(changed: list[Practitioner], moved: list[Location]) -> None:
    if not changed and not moved:
        return
    now = timezone.now()
    for practitioner in changed:
        practitioner.slug = Practitioner.slug_for(practitioner.name)
        practitioner.updated_at = now
    Practitioner.objects.bulk_update(
        changed, [*PRACTITIONER_FIELDS, "slug", "registry_values", "registry_deactivated_on", "updated_at"]
    )
    for location in moved:
        location.time_zone = zone_at(location.latitude, location.longitude)
    Location.objects.bulk_update(moved, [*LOCATION_FIELDS, "time_zone"])
    grid_refresh(practitioner_ids={location.practitioner_id for location in moved})  # bulk updates send no signals
    if any(practitioner.status == Practitioner.Status.PUBLISHED for practitioner in changed):
        public_version_bump()
