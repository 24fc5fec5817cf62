"""A practitioner's journeys in a real browser: sign up to a published listing, the pin on the map, the form
without JavaScript, a phone's width; axe-core finds no violations on any page they pass through."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from directory.models import Location, Practitioner
from practice import services
from practice.listing import listing_values
from practice.models import Revision
from tests.factories import UserFactory, owned_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "atlas-axis-occiput-42"


def fill_location(page, number: int, clinic: str, address: str, city: str, state: str, postal_code: str) -> None:
    location = page.get_by_role("group", name=f"Location {number}")
    location.get_by_label("Clinic name").fill(clinic)
    location.get_by_label("Address", exact=True).fill(address)
    location.get_by_label("City").fill(city)
    location.get_by_label("State or province").fill(state)
    location.get_by_label("Postal code").fill(postal_code)


def fill_practitioner(page, name: str) -> None:
    practitioner = page.get_by_role("group", name="Practitioner")
    practitioner.get_by_label("Name", exact=True).fill(name)
    practitioner.get_by_label("Credentials").fill("DC")
    practitioner.get_by_label("Email").fill("clinic@example.com")
    practitioner.get_by_label("Phone", exact=True).fill("617 555 0142")
    practitioner.get_by_label("About").fill("NUCCA care for the whole family.")
    practitioner.get_by_role("checkbox", name="NUCCA").check()


def test_from_sign_up_to_a_published_listing_that_patients_find(open_page, axe, techniques):
    page = open_page("/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="For practitioners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("For practitioners")
    page.get_by_role("link", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert axe(page) == []
    page.get_by_role("link", name="sign up").click()
    page.get_by_label("E-mail address").fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    assert axe(page) == []
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    assert axe(page) == []

    [confirm_url] = re.findall(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body)
    page.goto(confirm_url)
    assert axe(page) == []
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    assert axe(page) == []

    page.get_by_role("link", name="List a practice").click()
    assert axe(page) == []
    page.get_by_role("button", name="Send for review").click()  # empty: every required field says so
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_name_errors")).to_have_text("This field is required.")
    assert axe(page) == []
    fill_practitioner(page, "Dr. Ada Atlas")
    fill_location(page, 1, "Atlas Clinic", "1 Beacon Street", "Boston", "MA", "02108")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    expect(page.locator(".listing-card")).to_contain_text("Status: Pending review")
    expect(page.locator(".listing-card")).to_contain_text("pin approximate")
    assert page.errors == []

    practitioner = Practitioner.objects.get()
    moderator = UserFactory(email="moderator@example.com", is_staff=True, is_superuser=True)
    admin = open_page("/admin/directory/practitioner/", user=moderator)
    admin.get_by_role("checkbox", name=f"Select this object for an action - {practitioner}").check()
    admin.get_by_label("Action:").select_option(label="Publish the selected listings")
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_contain_text("Published 1 listing(s)")
    assert any(email.subject.startswith("Your listing is published") for email in mail.outbox)

    patient = open_page("/search/?near=02108")
    expect(patient.locator("#results .result h3").first).to_have_text("Dr. Ada Atlas, DC")
    page.reload()
    expect(page.locator(".listing-card")).to_contain_text("Status: Published")


def test_the_owner_drags_the_pin_to_the_door_and_the_edit_waits_for_review(open_page, axe, techniques):
    owner = UserFactory(email="owner@example.com")
    listing = owned_listing(owner, name="Dr. Ada Atlas")
    Location.objects.update(placement=Location.Placement.POSTAL_CODE, latitude=42.3576, longitude=-71.0684)
    page = open_page(f"/practice/{listing.pk}/edit/", user=owner)
    marker = page.locator(".pin-map .leaflet-marker-icon")
    expect(marker).to_be_visible()
    expect(page.locator(".pin")).to_contain_text("The pin is approximate")
    assert axe(page) == []
    page.locator(".pin-map").scroll_into_view_if_needed()
    box = marker.bounding_box()
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + 60, start_y - 30, steps=8)
    page.mouse.up()
    latitude, longitude = page.get_by_label("Latitude"), page.get_by_label("Longitude")
    expect(page.locator(".pin-status")).to_contain_text("Pin moved to")
    dragged = float(latitude.input_value()), float(longitude.input_value())
    assert dragged[0] > 42.3576 and dragged[1] > -71.0684  # north-east, as dragged

    marker.focus()
    page.keyboard.press("ArrowUp")
    expect(latitude).to_have_value(f"{dragged[0] + 0.0001:.6f}")

    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".messages")).to_contain_text("waiting for review")
    [proposed_location] = Revision.objects.pending().get().proposed["locations"]
    assert proposed_location["placement"] == "pin"
    assert proposed_location["latitude"] == pytest.approx(dragged[0] + 0.0001, abs=1e-6)
    assert proposed_location["longitude"] == pytest.approx(dragged[1], abs=1e-6)
    assert Location.objects.get().placement == Location.Placement.POSTAL_CODE  # live until approved
    assert page.errors == []


def test_the_listing_form_works_without_javascript_including_another_location(open_page, techniques):
    owner = UserFactory(email="owner@example.com")
    page = open_page("/practice/new/", user=owner, java_script_enabled=False)
    fill_practitioner(page, "Dr. Ben Blair")
    fill_location(page, 1, "Blair Boston", "1 Beacon Street", "Boston", "MA", "02108")
    page.get_by_role("button", name="Add another location").click()
    expect(page.get_by_role("group", name="Location 2")).to_be_visible()
    expect(page.get_by_role("group", name="Practitioner").get_by_label("Name", exact=True)).to_have_value(
        "Dr. Ben Blair"
    )
    fill_location(page, 2, "Blair Calgary", "100 8 Ave SW", "Calgary", "AB", "T2P 1J9")
    page.get_by_role("group", name="Location 2").get_by_label("Country").select_option("CA")
    page.get_by_role("group", name="Location 2").get_by_label("Latitude").fill("51.0453")
    page.get_by_role("group", name="Location 2").get_by_label("Longitude").fill("-114.0712")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    practitioner = Practitioner.objects.get()
    assert sorted(practitioner.locations.values_list("clinic_name", "placement")) == [
        ("Blair Boston", "postal_code"),
        ("Blair Calgary", "pin"),
    ]


@pytest.mark.parametrize("path", ["/practice/", "/practice/new/", "EDIT", "CLAIM", "/accounts/signup/"])
def test_practitioner_pages_fit_a_360_pixel_phone_and_pass_axe(open_page, axe, techniques, path):
    owner = UserFactory(email="owner@example.com")
    listing = owned_listing(owner, name="Dr. Ada Atlas")
    other = owned_listing(UserFactory(email="other@example.com"), name="Dr. Other Owner")
    path = {"EDIT": f"/practice/{listing.pk}/edit/", "CLAIM": f"/practitioners/{other.pk}-{other.slug}/claim/"}.get(
        path, path
    )
    user = None if path.startswith("/accounts/") else owner
    page = open_page(path, user=user, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe(page) == []


def test_the_admins_reason_page_passes_axe_and_a_screenshot_of_the_practice(open_page, axe, techniques, screenshots):
    owner = UserFactory(email="owner@example.com")
    listing = owned_listing(owner, name="Dr. Ada Atlas", status=Practitioner.Status.PENDING)
    published = owned_listing(owner, name="Dr. Ada Atlas (Cambridge office)", confirmed_at=timezone.now())
    proposed = listing_values(published)
    proposed["practitioner"]["bio"] = "Evening hours on Tuesdays."
    services.listing_edit(practitioner=published, editor=owner, proposed=proposed, accepting_new_patients=True)
    page = open_page("/practice/", user=owner, viewport={"width": 1000, "height": 800})
    expect(page.locator(".listing-card").nth(1)).to_contain_text("Edit awaiting review")
    page.screenshot(path=screenshots / "practice.png", full_page=True)
    page.goto(page.url + f"{published.pk}/edit/")
    expect(page.locator(".pin-map .leaflet-marker-icon")).to_be_visible()
    page.screenshot(path=screenshots / "practice-edit.png", full_page=True)
    moderator = UserFactory(email="moderator@example.com", is_staff=True, is_superuser=True)
    admin = open_page("/admin/directory/practitioner/", user=moderator)
    admin.get_by_role("checkbox", name=f"Select this object for an action - {listing}").check()
    admin.get_by_label("Action:").select_option(label="Reject the selected pending listings (asks for a reason)")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_label("Reason")).to_be_visible()
    assert axe(admin) == []
    admin.get_by_label("Reason").fill("Please add your license number.")
    admin.get_by_role("button", name="Reject listings").click()
    listing.refresh_from_db()
    assert listing.status_in_words == "Rejected: Please add your license number."


def test_a_form_filled_before_a_moderators_correction_says_so_and_keeps_what_was_typed(open_page, axe, techniques):
    owner = UserFactory(email="owner@example.com")
    listing = owned_listing(owner, name="Dr. Ada Atlas", status=Practitioner.Status.PENDING)
    page = open_page(
        f"/practice/{listing.pk}/edit/",
        user=owner,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page.get_by_role("group", name="Practitioner").get_by_label("About").fill("Evening hours on Tuesdays.")
    Practitioner.objects.filter(pk=listing.pk).update(phone="(617) 555-0199", updated_at=timezone.now())
    page.get_by_role("button", name="Save").click()
    notice = page.locator("#changed-meanwhile")
    expect(notice).to_contain_text("While you were editing, this listing changed")
    page.wait_for_load_state()  # styles and scripts applied before anything is measured
    expect(notice).to_contain_text("Phone: (617) 555-0199")
    expect(page.get_by_label("About")).to_have_value("Evening hours on Tuesdays.")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 360.5)"
        ".map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide
    assert axe(page) == []
    page.get_by_role("group", name="Practitioner").get_by_label("Phone", exact=True).fill("(617) 555-0199")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    listing.refresh_from_db()
    assert (listing.phone, listing.bio) == ("(617) 555-0199", "Evening hours on Tuesdays.")
