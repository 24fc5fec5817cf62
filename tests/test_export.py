"""The CSV export: the import's columns, every listing and status, stable external ids, formula cells
neutralised; importing an export into an empty database gives the same directory."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from directory.answers import public_version_bump
from directory.importing import IMPORT_COLUMNS
from directory.models import Location, Practitioner
from tests.factories import LocationFactory, PractitionerFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db

SEARCHES = [
    {"near": "02108"},
    {"near": "02108", "radius": "500"},
    {"near": "02108", "radius": "5", "unit": "km"},
    {"near": "02108", "technique": "nucca"},
    {"near": "Boston, MA", "technique": ["blair", "nucca"]},
    {"near": "T2P 1J9", "radius": "500"},
    {},
]


def directory_as_patients_see_it(client) -> list:
    """Every search answer above, without the database's own numbers (ids and the URLs holding them)."""
    answers = []
    for search in SEARCHES:
        body = client.get("/api/v1/practitioners/", {**search, "page_size": "100"}).json()
        for result in body["results"]:
            del result["id"], result["url"]
            if result["location"]:
                del result["location"]["id"]
        answers.append((body["count"], body["results"]))
    return answers


def every_listing() -> list:
    """Every listing, whatever its status, with what its profile shows."""
    return sorted(
        (
            p.name, p.credentials, p.bio, p.email, p.phone, p.website, p.status, p.accepting_new_patients,
            tuple(sorted(p.techniques.values_list("slug", flat=True))),
            tuple(p.locations.order_by("pk").values_list(
                "clinic_name", "address_line1", "address_line2", "city", "state", "postal_code", "country",
                "latitude", "longitude", "phone",
            )),
        )
        for p in Practitioner.objects.all()
    )  # fmt: skip


@pytest.fixture
def directory(nucca, blair) -> None:
    """Imported and practitioner-made listings, published or not, with several locations, odd text and exact
    coordinates."""
    imported = PractitionerFactory(
        name="Dr. Müller-O'Brien", external_id="file-7", bio='Line one.\nLine, "two".', techniques=[nucca, blair]
    )
    LocationFactory(
        practitioner=imported, latitude=42.35761234567891, longitude=-71.0684, phone="(617) 555-0142 ext. 7"
    )
    LocationFactory(practitioner=imported, city="Cambridge", postal_code="02139", latitude=42.3646, longitude=-71.1028,
                    address_line2="Suite 4")  # fmt: skip
    owned_listing(UserFactory(), name="Dr. Owner", techniques=[nucca], phone="(617) 555-0101")
    owned_listing(UserFactory(), name="Dr. Pending", status=Practitioner.Status.PENDING)
    owned_listing(UserFactory(), name="Dr. Rejected", status=Practitioner.Status.REJECTED)
    calgary = PractitionerFactory(name="Dr. Calgary", accepting_new_patients=False, techniques=[blair])
    LocationFactory(practitioner=calgary, city="Calgary", state="AB", postal_code="T2P 1J9", country="CA",
                    latitude=51.0486, longitude=-114.0708)  # fmt: skip


def export(path: Path) -> str:
    call_command("export_practitioners", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    return path.read_text(encoding="utf-8")


def test_importing_an_export_into_an_empty_database_gives_the_same_directory(client, directory, tmp_path):
    before, listings = directory_as_patients_see_it(client), every_listing()
    path = tmp_path / "practitioners.csv"
    export(path)
    Practitioner.objects.all().delete()
    public_version_bump()
    assert not Location.objects.exists()
    call_command("import_practitioners", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert every_listing() == listings
    assert directory_as_patients_see_it(client) == before


def test_re_importing_an_export_changes_nothing(directory, tmp_path):
    path = tmp_path / "practitioners.csv"
    export(path)
    listings = every_listing()
    out = io.StringIO()
    call_command("import_practitioners", str(path), stdout=out, stderr=io.StringIO())
    assert "0 created, 0 updated, 2 unchanged, 3 row(s) skipped (owned)" in out.getvalue()
    assert every_listing() == listings
    assert export(tmp_path / "again.csv") == path.read_text(encoding="utf-8")


def test_the_export_has_the_imports_columns_and_every_status(directory, tmp_path):
    rows = list(csv.DictReader(io.StringIO(export(tmp_path / "out.csv"))))
    assert list(rows[0]) == IMPORT_COLUMNS
    assert {row["status"] for row in rows} == {"published", "pending", "rejected"}
    assert len(rows) == Location.objects.count()
    listing_ids = {row["external_id"] for row in rows}
    assert "file-7" in listing_ids and all(listing_ids)


FORMULAS = ['=HYPERLINK("http://evil")', "+1 617 555 0100", "-2+3", "@SUM(A1)", "'quoted", "''twice"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_is_neutralised_and_read_back_unchanged(text, tmp_path):
    listing = PractitionerFactory(name=text, bio=text, external_id="x-1")
    LocationFactory(practitioner=listing, clinic_name=text)
    (row,) = csv.DictReader(io.StringIO(export(tmp_path / "out.csv")))
    assert row["name"] == row["bio"] == row["clinic_name"] == "'" + text
    Practitioner.objects.all().delete()
    call_command("import_practitioners", str(tmp_path / "out.csv"), stdout=io.StringIO(), stderr=io.StringIO())
    imported = Practitioner.objects.get()
    assert imported.name == imported.bio == imported.locations.get().clinic_name == text


def test_coordinates_stay_numbers_in_the_export(tmp_path):
    LocationFactory(latitude=-33.5, longitude=-70.25, practitioner=PractitionerFactory(external_id="s-1"))
    (row,) = csv.DictReader(io.StringIO(export(tmp_path / "out.csv")))
    assert (row["latitude"], row["longitude"]) == ("-33.5", "-70.25")


def test_the_command_says_what_it_wrote_and_refuses_a_path_it_cannot_write(directory, tmp_path):
    out = io.StringIO()
    call_command("export_practitioners", str(tmp_path / "out.csv"), stdout=out, stderr=io.StringIO())
    assert "Exported 5 listing(s) in 6 row(s)" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_practitioners", str(tmp_path / "missing" / "out.csv"), stdout=io.StringIO())
