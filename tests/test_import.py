"""python manage.py import_practitioners FILE.csv"""

import csv
import io
import random
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from directory import importing
from directory.forms import ImportRowForm
from directory.grid import grid_as_stored, grid_recounted
from directory.importing import IMPORT_COLUMNS, MAX_CELL_CHARACTERS, csv_rows, practitioners_import
from directory.models import Location, Practitioner, PublicVersion

pytestmark = pytest.mark.django_db

ROW = {
    "external_id": "p-1",
    "name": "Dr. Ada Atlas",
    "credentials": "DC",
    "clinic_name": "Atlas Clinic",
    "email": "ada@example.com",
    "phone": "617-555-0100",
    "website": "https://example.com/ada",
    "address_line1": "1 Main St",
    "city": "Boston",
    "state": "MA",
    "postal_code": "02108",
    "country": "US",
    "latitude": "42.3601",
    "longitude": "-71.0589",
    "techniques": "NUCCA; blair",
    "accepting_new_patients": "yes",
    "status": "published",
}


def write_csv(path: Path, rows: list[dict], columns: list[str] = IMPORT_COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_import(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_practitioners", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_practitioners_with_their_techniques_and_locations(tmp_path):
    out, _ = run_import(write_csv(tmp_path / "one.csv", [ROW]))
    practitioner = Practitioner.objects.get(external_id="p-1")
    assert practitioner.status == Practitioner.Status.PUBLISHED
    assert practitioner.slug == "dr-ada-atlas"
    assert sorted(practitioner.techniques.values_list("slug", flat=True)) == ["blair", "nucca"]
    location = practitioner.locations.get()
    assert (location.clinic_name, location.latitude, location.longitude) == ("Atlas Clinic", 42.3601, -71.0589)
    assert "1 created, 0 updated, 0 unchanged" in out


def test_rows_sharing_an_external_id_are_one_practitioner_with_several_locations(tmp_path):
    second = {**ROW, "clinic_name": "Newton Clinic", "city": "Newton", "postal_code": "02458", "phone": "617.555.0199"}
    run_import(write_csv(tmp_path / "two.csv", [ROW, second]))
    practitioner = Practitioner.objects.get()
    assert practitioner.phone == "(617) 555-0100"
    assert sorted(practitioner.locations.values_list("city", "phone")) == [
        ("Boston", "(617) 555-0100"),
        ("Newton", "(617) 555-0199"),
    ]


def test_re_importing_the_same_file_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "same.csv", [ROW, {**ROW, "clinic_name": "Second", "address_line1": "2 Elm St"}])
    run_import(path)
    before = list(Practitioner.objects.values()), list(Location.objects.values())
    out, _ = run_import(path)
    assert (list(Practitioner.objects.values()), list(Location.objects.values())) == before
    assert "0 created, 0 updated, 1 unchanged" in out


def test_a_changed_file_updates_in_place_and_drops_locations_it_no_longer_lists(tmp_path):
    run_import(write_csv(tmp_path / "v1.csv", [ROW, {**ROW, "clinic_name": "Closed", "address_line1": "9 Gone St"}]))
    kept = Location.objects.get(clinic_name="Atlas Clinic")
    out, _ = run_import(write_csv(tmp_path / "v2.csv", [{**ROW, "phone": "617-555-0111", "techniques": "Grostic"}]))
    practitioner = Practitioner.objects.get()
    assert list(practitioner.techniques.values_list("slug", flat=True)) == ["grostic"]
    assert list(practitioner.locations.values_list("pk", "phone")) == [(kept.pk, "(617) 555-0111")]
    assert "0 created, 1 updated" in out


def test_rows_without_coordinates_are_placed_at_their_postal_code_and_reported(tmp_path):
    rows = [
        {**ROW, "latitude": "", "longitude": ""},
        {**ROW, "external_id": "p-2", "latitude": "", "longitude": "", "postal_code": "T2P 1J9", "country": "CA"},
    ]
    out, _ = run_import(write_csv(tmp_path / "postal.csv", rows))
    assert "line 2: no coordinates; placed at the centroid of postal code 02108" in out
    assert "line 3: no coordinates; placed at the centroid of postal code T2P 1J9" in out
    assert Location.objects.get(practitioner__external_id="p-1").latitude == pytest.approx(42.3576)
    assert Location.objects.get(practitioner__external_id="p-2").longitude == pytest.approx(-114.0802)


def test_an_invalid_row_stops_the_whole_import_with_every_problem_and_its_line(tmp_path):
    rows = [
        ROW,
        {**ROW, "external_id": "p-2", "techniques": "NUCCA;Reiki"},
        {**ROW, "external_id": "p-3", "latitude": "95", "email": "not-an-email"},
        {**ROW, "external_id": "p-4", "latitude": "", "longitude": "", "postal_code": "00000"},
        {**ROW, "external_id": "p-5", "status": "deleted", "name": ""},
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_practitioners", str(path), stdout=io.StringIO(), stderr=err)
    problems = err.getvalue()
    assert "line 3: techniques: Unknown technique: Reiki." in problems
    assert "line 4: latitude:" in problems and "line 4: email: Enter a valid email address." in problems
    assert "line 5: row: No coordinates, and postal code 00000" in problems
    assert "line 6: name: This field is required." in problems
    assert "line 6: status: Status must be one of: pending, published, rejected." in problems
    assert Practitioner.objects.count() == 0


def test_the_command_exits_with_status_1_on_invalid_rows(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [{**ROW, "techniques": "Reiki"}])
    with pytest.raises(CommandError) as raised:
        call_command("import_practitioners", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert raised.value.returncode == 1


def test_skip_invalid_imports_the_valid_practitioners(tmp_path):
    rows = [
        ROW,
        {**ROW, "external_id": "p-2", "techniques": "Reiki"},
        {**ROW, "external_id": "p-3", "name": "Dr. Three"},
        {**ROW, "external_id": "p-3", "name": "Dr. Three", "address_line1": "2 Elm", "latitude": "x"},
    ]
    out, err = run_import(write_csv(tmp_path / "mixed.csv", rows), "--skip-invalid")
    assert list(Practitioner.objects.values_list("external_id", flat=True)) == ["p-1"]
    assert "Skipped 3 row(s)" in err
    assert "1 created" in out


def test_rows_of_one_practitioner_must_agree_and_not_repeat_a_location(tmp_path):
    rows = [ROW, {**ROW, "name": "Dr. Someone Else", "address_line1": "2 Elm"}, {**ROW, "phone": "617 555 0199"}]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_practitioners", str(write_csv(tmp_path / "c.csv", rows)), stderr=err)
    assert "line 3: name differ from line 2 for external_id p-1" in err.getvalue()
    assert "line 4: the same location as line 2" in err.getvalue()


def test_pending_status_and_country_names_are_understood(tmp_path):
    rows = [{**ROW, "status": "Pending", "country": "United States", "accepting_new_patients": "no"}]
    run_import(write_csv(tmp_path / "pending.csv", rows))
    practitioner = Practitioner.objects.get()
    assert practitioner.status == Practitioner.Status.PENDING
    assert practitioner.accepting_new_patients is False
    assert practitioner.locations.get().country == "US"


def test_a_missing_column_is_reported_against_the_header(tmp_path):
    path = write_csv(tmp_path / "cols.csv", [ROW], columns=["external_id", "name"])
    with pytest.raises(CommandError, match="line 1: missing column"):
        run_import(path)


def test_a_file_that_is_not_utf8_is_refused_clearly(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(",".join(IMPORT_COLUMNS).encode() + b"\np-1,Dr. Mu\xf1oz\n")
    with pytest.raises(CommandError, match="not UTF-8"):
        run_import(path)


def test_a_missing_file_is_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run_import(tmp_path / "nope.csv")


def test_a_byte_order_mark_from_a_spreadsheet_is_ignored(tmp_path):
    path = tmp_path / "bom.csv"
    write_csv(path, [ROW])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    run_import(path)
    assert Practitioner.objects.count() == 1


def test_a_multi_line_quoted_cell_keeps_later_line_numbers_right(tmp_path):
    rows = [{**ROW, "clinic_name": "Atlas\nClinic"}, {**ROW, "external_id": "p-2", "techniques": "Reiki"}]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_practitioners", str(write_csv(tmp_path / "ml.csv", rows)), stderr=err)
    assert "line 4: techniques: Unknown technique: Reiki." in err.getvalue()


def test_seed_demo_fills_a_directory_once(db):
    call_command("seed_demo", stdout=io.StringIO())
    count = Practitioner.objects.count()
    assert count > 100
    assert Practitioner.objects.published().count() < count  # a few demo listings await review
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert Practitioner.objects.count() == count
    assert "0 practitioners created, 0 updated" in out.getvalue()


def test_it_never_overwrites_a_listing_its_owner_manages_and_names_the_lines_it_skipped(tmp_path, owner):
    run_import(write_csv(tmp_path / "first.csv", [ROW, {**ROW, "external_id": "p-2", "name": "Dr. Ben Blair"}]))
    Practitioner.objects.filter(external_id="p-1").update(owner=owner, bio="Written by the owner.")
    changed = [
        {**ROW, "name": "Dr. Overwritten", "clinic_name": "Elsewhere"},
        {**ROW, "external_id": "p-2", "name": "Dr. Ben Blair-Updated"},
    ]
    out, _ = run_import(write_csv(tmp_path / "second.csv", changed))
    owned = Practitioner.objects.get(external_id="p-1")
    assert (owned.name, owned.bio, owned.owner) == ("Dr. Ada Atlas", "Written by the owner.", owner)
    assert owned.locations.get().clinic_name == "Atlas Clinic"
    assert Practitioner.objects.get(external_id="p-2").name == "Dr. Ben Blair-Updated"
    assert "line 2: skipped (owned)" in out
    assert "0 created, 1 updated, 0 unchanged, 1 row(s) skipped (owned)" in out


def test_rows_without_coordinates_are_marked_as_placed_by_postal_code(tmp_path):
    run_import(
        write_csv(tmp_path / "one.csv", [{**ROW, "latitude": "", "longitude": ""}, {**ROW, "external_id": "p-2"}])
    )
    placements = dict(Location.objects.values_list("practitioner__external_id", "placement"))
    assert placements == {"p-1": Location.Placement.POSTAL_CODE, "p-2": Location.Placement.FILE}


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("(617) 555-0100 / (617) 555-0101", "line 2: phone: Enter one phone number, not 2."),
        ("617 555 0100, 617 555 0101", "line 2: phone: Enter one phone number, not 2."),
        ("555-0100", "line 2: phone: Enter one phone number, such as (617) 555-0100"),
        ("call us", "line 2: phone: Enter one phone number, such as (617) 555-0100"),
    ],
)
def test_a_cell_that_is_not_one_phone_number_is_an_error_naming_its_line(tmp_path, phone, message):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_practitioners", str(write_csv(tmp_path / "p.csv", [{**ROW, "phone": phone}])), stderr=err)
    assert message in err.getvalue()


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("617-555-0100", "(617) 555-0100"),
        ("+1 617 555 0100", "(617) 555-0100"),
        ("(617) 555-0100 ext. 12", "(617) 555-0100 ext. 12"),
        ("617.555.0100 x12", "(617) 555-0100 ext. 12"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
    ],
)
def test_phones_are_stored_in_one_form(tmp_path, phone, stored):
    run_import(write_csv(tmp_path / "p.csv", [{**ROW, "phone": phone}]))
    assert Practitioner.objects.get().phone == stored


# Longer than the csv module's default limit on one cell (131,072 characters): the file is read all the same.
LONG_BIO = "x" * 140_000
LONG_MULTI_LINE_BIO = ("x" * 99 + "\n") * 1_500  # 150,000 characters on 1,501 lines


@pytest.mark.parametrize("bio", [LONG_BIO, LONG_MULTI_LINE_BIO], ids=["one line", "multi-line"])
def test_a_cell_longer_than_csvs_default_limit_is_an_error_naming_its_line_and_nothing_is_imported(tmp_path, bio):
    rows = [ROW, {**ROW, "external_id": "p-2", "bio": bio}, {**ROW, "external_id": "p-3"}]
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_practitioners", str(write_csv(tmp_path / "long.csv", rows)), stderr=err)
    assert "line 3: bio: Ensure this value has at most 5000 characters" in err.getvalue()
    assert Practitioner.objects.count() == 0


@pytest.mark.parametrize("bio", [LONG_BIO, LONG_MULTI_LINE_BIO], ids=["one line", "multi-line"])
def test_skip_invalid_imports_the_valid_rows_around_a_cell_longer_than_csvs_default_limit(tmp_path, bio):
    rows = [ROW, {**ROW, "external_id": "p-2", "bio": bio}, {**ROW, "external_id": "p-3"}]
    out, err = run_import(write_csv(tmp_path / "long.csv", rows), "--skip-invalid")
    assert sorted(Practitioner.objects.values_list("external_id", flat=True)) == ["p-1", "p-3"]
    assert "line 3: bio: Ensure this value has at most 5000 characters" in err
    assert "2 created" in out


def test_a_cell_too_long_to_read_is_an_error_naming_its_line_and_nothing_is_imported(tmp_path):
    # Past the import's own bound the csv module cannot tell where the next row starts: reading stops there and
    # nothing is imported, even with --skip-invalid (a row left unread may be another location of a listing).
    too_long = ("x" * 99 + "\n") * (MAX_CELL_CHARACTERS // 100 + 1)
    rows = [ROW, {**ROW, "external_id": "p-2", "bio": too_long}, {**ROW, "external_id": "p-3"}]
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_practitioners", str(write_csv(tmp_path / "huge.csv", rows)), "--skip-invalid", stderr=err)
    problems = [line for line in err.getvalue().splitlines() if line.startswith("line ")]
    assert problems == [
        f"line 3: a cell is longer than {MAX_CELL_CHARACTERS:,} characters; the file cannot be read past it."
    ]
    assert Practitioner.objects.count() == 0


NOT_A_WEB_ADDRESS = "website: Enter a valid web address starting with http:// or https://."


@pytest.mark.parametrize("website", ["ftp://example.com", "ftps://example.com"])
def test_a_website_that_is_not_a_web_address_is_an_error_naming_its_line(tmp_path, website):
    rows = [ROW, {**ROW, "external_id": "p-2", "website": website}]
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_practitioners", str(write_csv(tmp_path / "ftp.csv", rows)), stderr=err)
    assert f"line 3: {NOT_A_WEB_ADDRESS}" in err.getvalue()
    assert Practitioner.objects.count() == 0


@pytest.mark.parametrize(
    ("website", "valid"),
    [
        ("ftp://example.com", False),
        ("FTPS://example.com", False),
        ("http://example.com", True),
        ("https://x.org", True),
    ],
)
def test_the_row_form_takes_http_and_https_websites_only(website, valid):
    form = ImportRowForm(techniques_by_name={})
    assert form.validate({**ROW, "techniques": "", "website": website}) is valid
    assert form.errors.get("website") == (None if valid else [NOT_A_WEB_ADDRESS.removeprefix("website: ")])


def test_a_website_longer_than_its_column_is_an_error_naming_its_line(tmp_path):
    website = "https://example.com/" + "a" * 200
    rows = [ROW, {**ROW, "external_id": "p-2", "website": website}]
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_practitioners", str(write_csv(tmp_path / "long.csv", rows)), stderr=err)
    assert "line 3: website: Ensure this value has at most 200 characters" in err.getvalue()
    assert Practitioner.objects.count() == 0


# The set upsert (PostgreSQL) against the ORM path ------------------------------------------------------------

BRANCH = {**ROW, "clinic_name": "Newton Clinic", "address_line1": "5 Elm St", "city": "Newton", "postal_code": "02458"}
# A cell with every character COPY's text format escapes (the set upsert's staging is filled by COPY).
ESCAPED = {**ROW, "external_id": "p-3", "bio": "Tab\there, a back\\slash,\r\nand a new line\\N."}
SCENARIO = [
    # The first import: three practitioners, one with two locations.
    [ROW, BRANCH, {**ROW, "external_id": "p-2", "name": "Dr. Ben Blair"}, ESCAPED],
    # The same file again.
    [ROW, BRANCH, {**ROW, "external_id": "p-2", "name": "Dr. Ben Blair"}, ESCAPED],
    # Changes (p-3 is owned by now): a field, a location moved, one dropped, one added under a key that differs
    # only in case and spaces, a technique added and one removed, and a new practitioner.
    [
        {**ROW, "bio": "Now with a bio.", "latitude": "42.3611", "clinic_name": " ATLAS clinic "},
        {**ROW, "bio": "Now with a bio.", "clinic_name": "Cambridge Clinic", "address_line1": "7 Oak St"},
        {**ROW, "external_id": "p-2", "name": "Dr. Ben Blair", "techniques": "blair; Grostic"},
        {**ROW, "external_id": "p-3", "name": "Dr. Not The Owner"},
        {**ROW, "external_id": "p-4", "name": "Dr. Cy Cox", "latitude": "", "longitude": ""},
    ],
]


def _import_state() -> dict:
    """Everything the import writes, keyed by external_id (ids and timestamps differ from run to run)."""
    skipped = {"id", "created_at", "updated_at"}
    practitioners = {
        p["external_id"]: {name: value for name, value in p.items() if name not in skipped}
        for p in Practitioner.objects.values()
    }
    for practitioner in Practitioner.objects.prefetch_related("techniques", "locations"):
        practitioners[practitioner.external_id]["techniques"] = sorted(t.slug for t in practitioner.techniques.all())
        practitioners[practitioner.external_id]["locations"] = [
            {name: value for name, value in location.items() if name not in {"id", "practitioner_id"}}
            for location in practitioner.locations.order_by("pk").values()
        ]
    external = dict(Practitioner.objects.values_list("pk", "external_id"))
    counts, members = grid_as_stored()
    return {
        "practitioners": practitioners,
        "grid": (counts, {(external[pk], technique, cell, spread) for pk, technique, cell, spread in members}),
    }


def _scenario(tmp_path: Path, owner, label: str) -> list[tuple]:
    """Runs SCENARIO's imports; after each: the report, the state, and which practitioners' updated_at moved."""
    results = []
    for step, rows in enumerate(SCENARIO):
        if step == 2:
            Practitioner.objects.filter(external_id="p-3").update(owner=owner)
        before = dict(Practitioner.objects.values_list("external_id", "updated_at"))
        path = write_csv(tmp_path / f"{label}-{step}.csv", rows)
        with path.open(newline="", encoding="utf-8") as file:
            report = practitioners_import(rows=csv_rows(file))
        assert not report.problems
        touched = sorted(
            e for e, at in Practitioner.objects.values_list("external_id", "updated_at") if before.get(e, at) != at
        )
        assert grid_as_stored() == grid_recounted()
        results.append(
            ((report.created, report.updated, report.unchanged, report.owned_lines), _import_state(), touched)
        )
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set upsert runs on PostgreSQL only")
def test_the_set_upsert_leaves_the_database_as_the_orm_path_does(tmp_path, owner, monkeypatch):
    by_sets = _scenario(tmp_path, owner, "sets")
    Practitioner.objects.all().delete()
    monkeypatch.setattr(importing, "SET_UPSERT_VENDORS", frozenset())
    by_orm = _scenario(tmp_path, owner, "orm")
    assert [report for report, _, _ in by_sets] == [
        (3, 0, 0, []),
        (0, 0, 3, []),
        (1, 2, 0, [5]),
    ]
    assert by_sets[1][1]["practitioners"]["p-3"]["bio"] == ESCAPED["bio"]
    for (report, state, touched), (orm_report, orm_state, orm_touched) in zip(by_sets, by_orm, strict=True):
        assert report == orm_report
        assert state == orm_state
        assert touched == orm_touched


def test_a_re_import_that_changes_nothing_bumps_nothing(tmp_path):
    path = write_csv(tmp_path / "same.csv", [ROW, BRANCH])
    run_import(path)
    version = PublicVersion.objects.values_list("number", flat=True).first()
    grid = grid_as_stored()
    out, _ = run_import(path)
    assert PublicVersion.objects.values_list("number", flat=True).first() == version
    assert grid_as_stored() == grid == grid_recounted()
    assert "0 created, 0 updated, 1 unchanged" in out


def test_the_search_grid_matches_a_recount_after_an_import_that_moves_and_drops_locations(tmp_path):
    run_import(write_csv(tmp_path / "v1.csv", [ROW, BRANCH, {**ROW, "external_id": "p-2"}]))
    assert grid_as_stored() == grid_recounted()
    moved = {**BRANCH, "latitude": "45.5017", "longitude": "-73.5673"}
    run_import(write_csv(tmp_path / "v2.csv", [moved, {**ROW, "external_id": "p-2", "status": "pending"}]))
    assert grid_as_stored() == grid_recounted()
    assert Location.objects.get(practitioner__external_id="p-1").latitude == 45.5017


def test_an_import_inside_a_transaction_can_run_twice(tmp_path):
    path = write_csv(tmp_path / "one.csv", [ROW])
    with transaction.atomic():
        with path.open(newline="", encoding="utf-8") as file:
            first = practitioners_import(rows=csv_rows(file))
        with path.open(newline="", encoding="utf-8") as file:
            again = practitioners_import(rows=csv_rows(file))
    assert (first.created, again.unchanged) == (1, 1)


def test_a_phone_cell_seen_before_gives_the_same_error_or_stored_form_again(tmp_path):
    rows = [
        {**ROW, "phone": "call us"},
        {**ROW, "external_id": "p-2", "phone": "call us"},
        {**ROW, "external_id": "p-3", "phone": "617.555.0123"},
        {**ROW, "external_id": "p-4", "phone": "617.555.0123"},
    ]
    _, err = run_import(write_csv(tmp_path / "phones.csv", rows), "--skip-invalid")
    for line in (2, 3):
        assert f"line {line}: phone: Enter one phone number, such as (617) 555-0100" in err
    assert set(Practitioner.objects.values_list("external_id", "phone")) == {
        ("p-3", "(617) 555-0123"),
        ("p-4", "(617) 555-0123"),
    }


def test_skip_invalid_with_every_row_invalid_writes_nothing_and_bumps_nothing(tmp_path):
    version = PublicVersion.objects.values_list("number", flat=True).first()
    out, _ = run_import(write_csv(tmp_path / "bad.csv", [{**ROW, "name": ""}]), "--skip-invalid")
    assert not Practitioner.objects.exists()
    assert PublicVersion.objects.values_list("number", flat=True).first() == version
    assert "0 created, 0 updated, 0 unchanged" in out


# Cells, good and bad, that a file may repeat from row to row.
CELLS = {
    "name": ["Dr. Ada Atlas", "", "x" * 201],
    "email": ["", "ada@example.com", "ada@", "two@example.com three@example.com"],
    "phone": ["", "617-555-0100", "call us", "+1 416 555 0199", "617.555.0123 ext 4"],
    "practitioner_phone": ["", "(617) 555-0101", "12"],
    "website": ["", "example.com", "https://example.com/ada", "ftp://example.com", "not a web address"],
    "postal_code": ["02108", "99999", "M5V 2T6", ""],
    "country": ["", "US", "CA", "Canada", "FR"],
    "latitude": ["", "42.3601", "91", "north", "43.65"],
    "longitude": ["", "-71.0589", "-181", "-79.38"],
    "techniques": ["", "NUCCA; blair", "nucca", "Unknown; NUCCA"],
    "accepting_new_patients": ["", "yes", "No", "maybe"],
    "status": ["", "published", "pending", "weird"],
}


def test_a_cell_cleaned_before_gives_the_same_value_or_error_as_a_fresh_form(db):
    """One form reused for a whole file remembers each (column, cell) it cleaned: every row still gets the
    value and the errors a form of its own gives it."""
    rng = random.Random(11)
    techniques = importing._techniques_by_name()
    reused = ImportRowForm(techniques_by_name=techniques)
    valid = 0
    for number in range(400):
        row = {**ROW, "external_id": f"p-{number}", **{name: rng.choice(cells) for name, cells in CELLS.items()}}
        fresh = ImportRowForm(techniques_by_name=techniques)
        assert reused.validate(dict(row)) == fresh.validate(dict(row))
        assert reused.errors.get_json_data() == fresh.errors.get_json_data(), row
        assert reused.cleaned_data == fresh.cleaned_data
        assert reused.located_from_postal_code == fresh.located_from_postal_code
        valid += not reused.errors
    assert 0 < valid < 400  # both kinds of row were drawn
