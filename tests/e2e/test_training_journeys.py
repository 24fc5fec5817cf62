"""Verified training in a real browser: a practitioner sends a certificate, a moderator opens it and verifies it,
a patient finds the badge; nobody else can fetch the evidence; the pages pass axe, fit a phone, ring every Tab
stop, and the form works without JavaScript."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from directory.models import Technique, Training
from tests.e2e.test_keyboard import walk
from tests.factories import ACCOUNT_PASSWORD, PDF_BYTES, TrainingFactory, UserFactory, owned_listing, practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def certificate(tmp_path):
    """A certificate scan on the practitioner's disk, as the file chooser picks it."""
    path = tmp_path / "nucca-level-ii.pdf"
    path.write_bytes(PDF_BYTES)
    return path


@pytest.fixture
def owner(techniques):
    return UserFactory(email="ada@example.com")


@pytest.fixture
def listing(owner):
    nucca = Technique.objects.get(slug="nucca")
    return owned_listing(owner, name="Dr. Ada Atlas", techniques=[nucca])


@pytest.fixture
def moderator(techniques, desk_moderator):
    """The desk's moderator (the Moderators group comes from the seeded migrations' data)."""
    return desk_moderator


def evidence_path(record: Training) -> str:
    return reverse("practice:training_evidence", kwargs={"pk": record.practitioner_id, "training_pk": record.pk})


def training_path(listing) -> str:
    return reverse("practice:training", args=[listing.pk])


def add_nucca_training(page, certificate) -> None:
    form = page.get_by_role("form", name="Add training")
    form.get_by_label("Technique").select_option(label="NUCCA")
    form.get_by_label("Training body").fill("NUCCA")
    form.get_by_label("Level or title").fill("Level II certification")
    form.get_by_label("Year").fill("2019")
    form.get_by_label("Certificate number (optional)").fill("N-2019-0042")
    form.get_by_label("Evidence").set_input_files(certificate)
    form.get_by_role("button", name="Send for verification").click()


def written(day) -> str:
    """A date as the pages write it ("December 5, 2026")."""
    return f"{day:%B} {day.day}, {day.year}"


def test_nucca_training_sent_by_a_practitioner_is_verified_at_the_desk_and_patients_find_the_badge(
    open_page, axe, listing, moderator, certificate
):
    nucca = Technique.objects.get(slug="nucca")
    nearer = practitioner_at(*destination(BOSTON, 2), techniques=[nucca], name="Dr. Ben Blair")
    TrainingFactory(practitioner=nearer, level="Seminar", year=2021)  # awaiting verification too: no badge
    page = open_page("/accounts/login/")
    page.get_by_label("E-mail address").fill("ada@example.com")
    page.get_by_label("Password").fill(ACCOUNT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    page.get_by_role("link", name=f"Training of {listing.display_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Training of {listing.display_name}")
    expect(page.get_by_text("No training added yet.")).to_be_visible()
    add_nucca_training(page, certificate)
    card = page.locator(".listing-card")
    expect(card).to_contain_text("NUCCA: Level II certification")
    expect(card).to_contain_text("Awaiting verification")
    expect(card.get_by_role("link", name="nucca-level-ii.pdf")).to_be_visible()
    assert axe(page) == []
    record = Training.objects.get(practitioner=listing)
    assert record.status == Training.Status.PENDING

    desk = open_page("/admin/login/?next=/admin/")
    desk.get_by_label("Email address").fill(moderator.email)
    desk.get_by_label("Password").fill(ACCOUNT_PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    queue = desk.get_by_role("region", name="The queue")
    expect(queue).to_contain_text("Training to verify: 2")
    queue.get_by_role("link", name=str(record)).click()
    expect(desk.get_by_text("N-2019-0042")).to_be_visible()
    with desk.expect_download() as evidence:
        desk.get_by_role("link", name="nucca-level-ii.pdf").click()
    assert evidence.value.suggested_filename == "nucca-level-ii.pdf"
    assert Path(evidence.value.path()).read_bytes() == PDF_BYTES
    desk.get_by_role("region", name="Decide").get_by_role("button", name="Verify", exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text(f"Verify: done for {record}")
    record.refresh_from_db()
    today = timezone.localdate()
    assert (record.status, record.verified_on, record.decided_by) == (Training.Status.VERIFIED, today, moderator)

    patient = open_page("/")
    patient.get_by_label("ZIP code, postal code or city").fill("02108")
    patient.get_by_label("Verified training only").check()
    patient.get_by_role("button", name="Search").click()
    results = patient.locator("#results .result")
    expect(results).to_have_count(1)  # not Dr. Ben Blair, nearer, whose NUCCA training awaits the desk
    expect(results.first.get_by_role("heading")).to_have_text(listing.display_name)
    expect(results.first.get_by_role("list", name="Techniques")).to_contain_text(
        f"NUCCA Training verified {written(today)}"
    )
    assert axe(patient) == []
    results.first.get_by_role("link", name=listing.display_name).click()
    expect(patient.get_by_role("heading", level=1)).to_have_text(listing.display_name)
    expect(patient.locator(".verified")).to_have_text(f"Training verified {written(today)}")
    expect(patient.get_by_text("nucca-level-ii.pdf")).to_have_count(0)
    assert page.errors == desk.errors == patient.errors == []


def test_the_evidence_is_a_404_to_a_stranger_and_to_another_practitioner_and_a_file_to_its_owner(
    open_page, live_server, listing, owner
):
    record = TrainingFactory(practitioner=listing)
    evidence = live_server.url + evidence_path(record)
    stranger = open_page("/")
    assert stranger.goto(evidence).status == 404
    other = UserFactory(email="other@example.com")
    owned_listing(other, name="Dr. Other")
    colleague = open_page("/practice/", user=other)
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Your practice")
    assert colleague.goto(evidence).status == 404
    own = open_page("/practice/", user=owner).request.get(evidence)  # the owner's cookies: a control
    assert (own.status, own.body()) == (200, PDF_BYTES)


def axe_and_overflow(page, axe, name: str) -> list[str]:
    """What axe finds on the page, and a horizontal scroll at a phone's width."""
    problems = [f"{name}: {violation}" for violation in axe(page)]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    return problems + ([f"{name}: {scroll_width} px wide"] if scroll_width > PHONE["width"] else [])


def test_the_training_pages_pass_axe_and_fit_360_pixels_and_the_errors_ring_every_tab_stop(
    open_page, axe, screenshots, listing, owner
):
    """The Tab walk of the training page and its change page is in test_keyboard's list, at 1280 and 360 px."""
    record = TrainingFactory(practitioner=listing)
    page = open_page(training_path(listing), user=owner, viewport=PHONE, is_mobile=True)
    card = page.locator(".listing-card")
    expect(card).to_contain_text("Awaiting verification")
    heading = page.get_by_role("heading", name="Your training records")
    assert card.bounding_box()["x"] == heading.bounding_box()["x"]  # no bullet beside the card, no indent
    page.screenshot(path=screenshots / "training-360.png", full_page=True)
    problems = axe_and_overflow(page, axe, "training page")

    page.get_by_role("button", name="Send for verification").click()
    expect(page.get_by_label("Evidence")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Upload your certificate as a PDF, JPEG or PNG file.")).to_be_visible()
    borders = page.locator("input[aria-invalid='true']:not([type='file'])").evaluate_all(
        "fields => fields.map(field => getComputedStyle(field).borderTopColor)"
    )
    assert len(borders) == 3 and len(set(borders)) == 1  # the year is drawn in error like the body and level
    page.screenshot(path=screenshots / "training-errors-360.png", full_page=True)
    problems += axe_and_overflow(page, axe, "training page with errors")
    problems += [f"training page with errors: {stop}" for stop in walk(page)]

    change = open_page(reverse("practice:training_edit", args=[listing.pk, record.pk]), user=owner,
                       viewport=PHONE, is_mobile=True)  # fmt: skip
    expect(change.get_by_label("Level or title")).to_have_value("Level II certification")
    problems += axe_and_overflow(change, axe, "training change page")
    assert problems == []


@pytest.fixture
def desk_page(open_page, listing, moderator):
    """The desk's page of a record awaiting verification, at a phone's width."""
    record = TrainingFactory(practitioner=listing)
    page = open_page(reverse("admin:directory_training_change", args=[record.pk]), user=moderator,
                     viewport=PHONE, is_mobile=True)  # fmt: skip
    expect(page.get_by_role("region", name="Decide")).to_be_visible()
    return page


def test_the_desks_training_page_fits_360_pixels_with_its_evidence_and_decisions(desk_page, screenshots):
    expect(desk_page.get_by_role("link", name="certificate.pdf")).to_be_visible()
    for decision in ("Verify", "Verify until a date", "Do not verify"):
        expect(desk_page.get_by_role("button", name=decision, exact=True)).to_be_visible()
    desk_page.screenshot(path=screenshots / "desk-training-360.png", full_page=True)
    assert desk_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_desks_training_page_passes_axe_and_rings_every_tab_stop(desk_page, axe):
    problems = axe(desk_page) + walk(desk_page)
    assert problems == []


def test_a_moderator_verifies_until_a_date_picked_in_the_date_field(desk_page):
    field = desk_page.get_by_label("Lapses on (YYYY-MM-DD)")
    assert field.get_attribute("type") == "date"
    field.fill("2027-06-30")
    desk_page.get_by_role("button", name="Verify until a date", exact=True).click()
    expect(desk_page.locator(".messagelist")).to_contain_text("Verify until a date: done")
    assert Training.objects.get().verified_until == datetime.date(2027, 6, 30)


def test_training_is_added_with_its_evidence_without_javascript(open_page, listing, owner, certificate):
    page = open_page(training_path(listing), user=owner, java_script_enabled=False)
    add_nucca_training(page, certificate)
    expect(page.locator(".messages")).to_contain_text("NUCCA training is saved and waits for a moderator")
    expect(page.locator(".listing-card")).to_contain_text("Awaiting verification")
    record = Training.objects.get()
    assert (record.evidence_name, record.evidence_size) == ("nucca-level-ii.pdf", len(PDF_BYTES))
    with record.evidence.open("rb") as evidence:
        assert evidence.read() == PDF_BYTES
