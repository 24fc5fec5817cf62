"""python manage.py import_nppes FILE: the NPI registry's monthly file seeds unpublished listings.

The sample file, tests/data/npidata_pfile_sample.csv, has the registry's real header row: its 330 columns in the
order of Exhibit 2-1 ("Data File Layout") of CMS's "NPPES Data Dissemination - Readme" (updated February 1, 2025),
with "Other Provider Identifier Issuer_N" as the files spell it, cross-checked with the layout in
github.com/semerj/nppes-postgres (nppes_layout.csv). tests/data/README.md lists what each of its rows exercises.
"""

import csv
import datetime
import io
from pathlib import Path

import pytest
import zipcodes
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import Location, Practitioner, PublicVersion
from directory.npi import NPI_PREFIX, luhn_check_digit
from directory.nppes import RegistryFile, registry_import
from tests.factories import LocationFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "npidata_pfile_sample.csv"
SMITH, OBRIEN, PHYSICIAN, ORGANISATION, TORONTO, DEACTIVATED, UNKNOWN_ZIP, MCDONALD, UNLISTED, MCDONALD_LEE = (
    "1000000012", "1000000020", "1000000038", "1000000046", "1000000053", "1000000061", "1000000079",
    "1000000087", "1000000095", "1000000103",
)  # fmt: skip
KEPT = {SMITH, OBRIEN, MCDONALD, MCDONALD_LEE}
WRITES = ("INSERT", "UPDATE", "DELETE")


def run_import(path: Path) -> str:
    out = io.StringIO()
    call_command("import_nppes", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def published_centre(zip_code: str) -> tuple[float, float]:
    """The ZIP code's coordinates as the zipcodes package publishes them (the independent reference)."""
    [row] = zipcodes.matching(zip_code)
    return float(row["lat"]), float(row["long"])


def header() -> list[str]:
    with SAMPLE.open(newline="", encoding="utf-8") as file:
        return next(csv.reader(file))


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def write_registry_file(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    """A file as the registry writes it: every value quoted, absent ones empty."""
    columns = columns or header()
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=columns, quoting=csv.QUOTE_ALL, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def changed_sample(path: Path, npi: str, **changes: str) -> Path:
    rows = sample_rows()
    for row in rows:
        if row["NPI"] == npi:
            row.update(changes)
    return write_registry_file(path, rows)


def npi(number: int) -> str:
    body = f"2{number:08d}"
    return body + str(luhn_check_digit(NPI_PREFIX + body))


def chiropractor(number: int, zip_code: str = "02108") -> dict[str, str]:
    return {
        "NPI": npi(number),
        "Entity Type Code": "1",
        "Provider Last Name (Legal Name)": f"ATLAS{number}",
        "Provider First Name": "ADA",
        "Provider Credential Text": "DC",
        "Provider First Line Business Practice Location Address": f"{number} MAIN ST",
        "Provider Business Practice Location Address City Name": "BOSTON",
        "Provider Business Practice Location Address State Name": "MA",
        "Provider Business Practice Location Address Postal Code": zip_code,
        "Provider Business Practice Location Address Telephone Number": "6175550100",
        "Healthcare Provider Taxonomy Code_1": "111N00000X",
    }


def snapshot() -> tuple[list[dict], list[dict]]:
    return list(Practitioner.objects.order_by("pk").values()), list(Location.objects.order_by("pk").values())


class TestTheSampleFile:
    def test_it_has_the_registrys_330_columns(self):
        columns = header()
        assert len(columns) == len(set(columns)) == 330
        assert columns[:2] == ["NPI", "Entity Type Code"]
        assert columns[-1] == "Certification Date"

    def test_its_chiropractors_practising_in_the_us_become_pending_listings(self):
        out = run_import(SAMPLE)
        listings = Practitioner.objects.all()
        assert set(listings.values_list("npi", flat=True)) == KEPT
        assert {(p.status, p.owner_id) for p in listings} == {(Practitioner.Status.PENDING, None)}
        assert not Practitioner.objects.published().exists()
        assert "Read 10 rows" in out
        assert "kept 4 chiropractors" in out
        assert "4 created, 0 updated, 0 unchanged, 0 marked deactivated" in out

    def test_patients_never_find_them(self, client):
        run_import(SAMPLE)
        page = client.get(reverse("directory:search"), {"near": "02108", "radius": "100"})
        assert page.status_code == 200
        assert "Smith" not in page.content.decode()
        assert Practitioner.objects.published().count() == 0

    def test_each_row_that_gives_no_listing_is_counted_by_its_reason(self):
        out = run_import(SAMPLE)
        assert "skipped 1: no chiropractic taxonomy (111N)" in out
        assert "skipped 1: not an individual (an organisation)" in out
        assert "skipped 1: practice location outside the US" in out
        assert "skipped 1: practice ZIP code not in the bundled postal data" in out
        assert "skipped 2: deactivated NPI with no listing here" in out
        assert not Practitioner.objects.filter(npi__in=[PHYSICIAN, ORGANISATION, TORONTO, UNKNOWN_ZIP]).exists()

    def test_a_chiropractic_taxonomy_in_any_of_the_fifteen_places_counts(self):
        run_import(SAMPLE)
        assert Practitioner.objects.filter(npi=OBRIEN).exists()  # 111N in Healthcare Provider Taxonomy Code_3

    def test_names_credentials_addresses_and_phones_are_written_as_people_read_them(self):
        run_import(SAMPLE)
        by_npi = {p.npi: p for p in Practitioner.objects.prefetch_related("locations")}
        assert [by_npi[n].display_name for n in (SMITH, OBRIEN, MCDONALD, MCDONALD_LEE)] == [
            "Dr. Jane Q. Smith, DC",
            "Dr. Patrick O'Brien, DC",
            "Dr. Angus R. McDonald, DC",
            "Dr. Mary Ann McDonald-Lee Jr., DC, CCSP",
        ]
        assert by_npi[SMITH].slug == "dr-jane-q-smith"
        smith = by_npi[SMITH].locations.get()
        assert (smith.address_line1, smith.address_line2, smith.city, smith.state, smith.postal_code) == (
            "1 Beacon St",
            "Ste 200",
            "Boston",
            "MA",
            "02108-1234",
        )
        assert smith.phone == "(617) 555-0100"
        assert by_npi[OBRIEN].locations.get().address_line1 == "100 Main St, Unit 4"  # a quoted comma
        assert by_npi[MCDONALD_LEE].locations.get().phone == ""

    def test_each_listing_is_placed_at_the_published_centre_of_its_zip_code(self):
        run_import(SAMPLE)
        for location in Location.objects.select_related("practitioner"):
            assert location.placement == Location.Placement.POSTAL_CODE
            assert location.is_approximate
            assert (location.latitude, location.longitude) == published_centre(location.postal_code[:5])
        assert Location.objects.get(practitioner__npi=SMITH).postal_code == "02108-1234"  # ZIP+4, placed by its ZIP

    def test_a_deactivated_npi_marks_its_listing_and_deletes_nothing(self):
        listing = PractitionerFactory(npi=DEACTIVATED)
        LocationFactory(practitioner=listing)
        version = PublicVersion.objects.get(pk=1).number
        out = run_import(SAMPLE)
        listing.refresh_from_db()
        assert listing.registry_deactivated_on == datetime.date(2024, 5, 15)
        assert listing.status == Practitioner.Status.PUBLISHED
        assert listing.locations.count() == 1
        assert "1 marked deactivated" in out
        assert "skipped 1: deactivated NPI with no listing here" in out
        assert not Practitioner.objects.filter(npi=UNLISTED).exists()
        assert PublicVersion.objects.get(pk=1).number > version  # it changed a published listing

    def test_a_reactivated_npi_is_imported_and_its_mark_lifted(self):
        run_import(SAMPLE)
        Practitioner.objects.filter(npi=MCDONALD).update(registry_deactivated_on=datetime.date(2020, 1, 2))
        run_import(SAMPLE)
        assert Practitioner.objects.get(npi=MCDONALD).registry_deactivated_on is None

    def test_a_listing_given_its_npi_by_hand_is_left_as_it_is(self):
        listing = PractitionerFactory(npi=SMITH, name="Dr. Jane Smith", status=Practitioner.Status.PENDING)
        before = snapshot()
        out = run_import(SAMPLE)
        assert Practitioner.objects.get(pk=listing.pk).name == "Dr. Jane Smith"
        assert Practitioner.objects.get(pk=listing.pk).registry_values is None
        assert [p for p in snapshot()[0] if p["id"] == listing.pk] == before[0]
        assert "skipped 1: NPI listed here without the registry file (left as it is)" in out


class TestImportingAgain:
    def test_the_same_file_again_changes_nothing_and_writes_nothing(self):
        PractitionerFactory(npi=DEACTIVATED)
        run_import(SAMPLE)
        before = snapshot()
        with CaptureQueriesContext(connection) as queries:
            out = run_import(SAMPLE)
        assert snapshot() == before
        assert [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)] == []
        assert "0 created, 0 updated, 5 unchanged, 0 marked deactivated" in out

    def test_an_owners_edit_is_kept_while_what_nobody_edited_follows_the_registry(self, tmp_path):
        run_import(SAMPLE)
        listing = Practitioner.objects.get(npi=SMITH)
        listing.owner = UserFactory()
        listing.name = "Dr. Jane Smith-Walker"
        listing.save()
        changed = changed_sample(
            tmp_path / "next.csv",
            SMITH,
            **{
                "Provider Last Name (Legal Name)": "SMITH-JONES",
                "Provider Business Practice Location Address City Name": "CHARLESTOWN",
            },
        )
        out = run_import(changed)
        listing.refresh_from_db()
        location = listing.locations.get()
        assert listing.name == "Dr. Jane Smith-Walker"
        assert location.city == "Charlestown"
        assert listing.registry_values["name"] == "Dr. Jane Q. Smith-Jones"
        assert listing.status == Practitioner.Status.PENDING
        assert "0 created, 1 updated, 3 unchanged" in out
        # The next import with the same registry name still keeps the owner's.
        run_import(changed)
        listing.refresh_from_db()
        assert listing.name == "Dr. Jane Smith-Walker"

    def test_a_moderators_pin_is_kept_when_the_registrys_address_changes(self, tmp_path):
        run_import(SAMPLE)
        Location.objects.filter(practitioner__npi=OBRIEN).update(
            latitude=39.80172, longitude=-89.64371, placement=Location.Placement.PIN
        )
        run_import(changed_sample(tmp_path / "next.csv", OBRIEN, **{
            "Provider First Line Business Practice Location Address": "200 MAIN ST",
        }))  # fmt: skip
        location = Location.objects.get(practitioner__npi=OBRIEN)
        assert location.address_line1 == "200 Main St"
        assert (location.latitude, location.longitude, location.placement) == (39.80172, -89.64371, "pin")

    def test_a_new_address_moves_a_listing_to_its_zip_code(self, tmp_path):
        run_import(SAMPLE)
        run_import(changed_sample(tmp_path / "next.csv", SMITH, **{
            "Provider Business Practice Location Address Postal Code": "021291234",
            "Provider Business Practice Location Address City Name": "CHARLESTOWN",
        }))  # fmt: skip
        location = Location.objects.get(practitioner__npi=SMITH)
        assert (location.postal_code, location.city) == ("02129-1234", "Charlestown")
        assert (location.latitude, location.longitude) == published_centre("02129")

    def test_a_published_listing_moves_only_with_its_address(self):
        run_import(SAMPLE)
        # As if the postal data had another centre for these ZIP codes when the listings were imported.
        for npi_ in (SMITH, OBRIEN):
            listing = Practitioner.objects.get(npi=npi_)
            listing.registry_values["location"]["latitude"] = round(
                listing.registry_values["location"]["latitude"] + 0.01, 6
            )
            listing.save()
            Location.objects.filter(practitioner=listing).update(
                latitude=listing.registry_values["location"]["latitude"]
            )
        Practitioner.objects.filter(npi=SMITH).update(status=Practitioner.Status.PUBLISHED)
        version = PublicVersion.objects.get(pk=1).number
        run_import(SAMPLE)
        published = Location.objects.get(practitioner__npi=SMITH)
        pending = Location.objects.get(practitioner__npi=OBRIEN)
        assert published.latitude == pytest.approx(published_centre("02108")[0] + 0.01)
        assert pending.latitude == published_centre("62701")[0]
        assert PublicVersion.objects.get(pk=1).number > version  # its registry values changed, in a published row


class TestFilesRefused:
    def test_an_empty_file_is_an_error(self, tmp_path):
        empty = tmp_path / "npidata_pfile_empty.csv"
        empty.write_bytes(b"")
        with pytest.raises(CommandError, match="is empty"):
            run_import(empty)
        assert not Practitioner.objects.exists()

    def test_a_header_alone_imports_nothing(self, tmp_path):
        out = run_import(write_registry_file(tmp_path / "header.csv", []))
        assert "no rows: nothing to import" in out
        assert not Practitioner.objects.exists()

    def test_a_header_without_the_registrys_columns_is_named(self, tmp_path):
        columns = [column for column in header() if column != "Provider First Name"]
        with pytest.raises(CommandError, match=r"missing column\(s\): Provider First Name"):
            run_import(write_registry_file(tmp_path / "other.csv", sample_rows(), columns))

    @pytest.mark.parametrize("cut", [30, 1000], ids=["inside-a-quoted-value", "between-values"])
    def test_a_file_cut_short_imports_nothing(self, tmp_path, cut):
        content = SAMPLE.read_bytes()
        last_line_starts = content.rstrip(b"\n").rfind(b"\n") + 1
        cut_at = last_line_starts + cut
        if cut == 1000:  # just after a comma, so that the quotes are closed and cells are missing
            cut_at = content.index(b'","', last_line_starts + cut) + 2
        truncated = tmp_path / "npidata_pfile_cut.csv"
        truncated.write_bytes(content[:cut_at])
        with pytest.raises(CommandError, match=r"line 11: .*cut short or damaged\. Nothing was imported\."):
            run_import(truncated)
        assert not Practitioner.objects.exists()

    def test_a_missing_file_is_named(self, tmp_path):
        with pytest.raises(CommandError, match="No such file"):
            run_import(tmp_path / "absent.csv")


def test_a_name_in_windows_1252_or_utf_8_is_read(tmp_path):
    path = write_registry_file(tmp_path / "accents.csv", [chiropractor(1), chiropractor(2)])
    content = path.read_bytes()
    content = content.replace(b"ATLAS1", "JOS\u00c9".encode("cp1252")).replace(b"ATLAS2", "NU\u00d1EZ".encode())
    path.write_bytes(content)
    run_import(path)
    assert set(Practitioner.objects.values_list("name", flat=True)) == {"Dr. Ada Jos\u00e9", "Dr. Ada Nu\u00f1ez"}


def test_the_queries_do_not_grow_with_the_rows(tmp_path):
    """Per batch: a lookup of the NPIs, two inserts and an update; nothing per row. (25 rows stay within one of
    SQLite's INSERTs, which hold at most 999 values: a listing's row has over 30.)"""
    counts = []
    for size in (3, 25):
        Practitioner.objects.all().delete()
        path = write_registry_file(tmp_path / f"{size}.csv", [chiropractor(n) for n in range(size)])
        with CaptureQueriesContext(connection) as first:
            run_import(path)
        with CaptureQueriesContext(connection) as again:
            run_import(path)
        assert Practitioner.objects.count() == size
        counts.append((len(first), len(again)))
    assert counts[0] == counts[1]
    assert counts[0][0] <= 8


def test_a_file_longer_than_a_batch_is_imported_whole(tmp_path):
    path = write_registry_file(tmp_path / "batches.csv", [chiropractor(n) for n in range(20)])
    with path.open("rb") as binary:
        report = registry_import(file=RegistryFile(binary), batch_size=7)
    assert (report.rows, report.kept, report.created) == (20, 20, 20)
    assert Practitioner.objects.filter(npi__startswith="2").count() == 20


def test_an_npi_whose_check_digit_is_wrong_is_skipped_as_malformed(tmp_path):
    good, bad = chiropractor(1), chiropractor(2)
    bad["NPI"] = bad["NPI"][:9] + str((int(bad["NPI"][9]) + 1) % 10)
    out = run_import(write_registry_file(tmp_path / "typo.csv", [good, bad]))
    assert list(Practitioner.objects.values_list("npi", flat=True)) == [good["NPI"]]
    assert "skipped 1: NPI (10 digits, its check digit right) or date not as the registry writes them" in out
