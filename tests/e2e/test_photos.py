"""Photos in a real browser: a practitioner uploads a portrait, a moderator approves it, a patient's search shows it
on the card; a 50-megapixel PNG is refused and a JPEG's GPS is removed; the profile's gallery opens each photo with
the keyboard alone and without JavaScript; the pages pass axe (where JavaScript runs) and fit 360 pixels."""

import io

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from directory.models import Photo
from tests.e2e.test_keyboard import walk
from tests.factories import ACCOUNT_PASSWORD, UserFactory, image_file, owned_listing, stored_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
GPS = 0x8825


@pytest.fixture
def owner(techniques):
    return UserFactory(email="ada@example.com")


@pytest.fixture
def listing(owner):
    return owned_listing(owner, name="Dr. Ada Atlas")


@pytest.fixture
def moderator(techniques, desk_moderator):
    return desk_moderator


def photos_path(listing) -> str:
    return reverse("practice:photos", args=[listing.pk])


def send_photo(page, path, *, alt_text: str, place: str = "Your portrait") -> None:
    form = page.get_by_role("form", name="Add a photo")
    form.get_by_label(place).check()
    form.get_by_label("Alt text").fill(alt_text)
    form.get_by_label("Photo", exact=True).set_input_files(path)
    form.get_by_role("button", name="Send for review").click()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def expect_loaded(image) -> None:
    """The browser fetched and decoded the image (a broken one has no natural width)."""
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    expect(image).not_to_have_js_property("naturalWidth", 0)


def test_a_portrait_uploaded_by_a_practitioner_is_approved_at_the_desk_and_shown_on_the_patients_card(
    open_page, axe, screenshots, tmp_path, listing, moderator
):
    portrait = tmp_path / "IMG_2041.heic"
    portrait.write_bytes(image_file("HEIF", (1200, 1600), color="teal", quality=70))
    page = open_page("/accounts/login/")
    page.get_by_label("E-mail address").fill("ada@example.com")
    page.get_by_label("Password").fill(ACCOUNT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=f"Photos of {listing.display_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Photos of {listing.display_name}")
    expect(page.get_by_text("No portrait yet.")).to_be_visible()
    send_photo(page, portrait, alt_text="Dr. Atlas at the front desk")
    item = page.locator(".photo-item")
    expect(item).to_contain_text("Awaiting review")
    expect_loaded(item.get_by_role("img", name="Dr. Atlas at the front desk"))  # the owner sees their own
    assert axe(page) == []
    photo = Photo.objects.get()
    assert (photo.status, photo.full_width, photo.full_height) == (Photo.Status.PENDING, 1200, 1600)

    patient = open_page("/search/?near=02108")
    expect(patient.locator("#results .result")).to_have_count(1)
    expect(patient.locator(".result-portrait")).to_have_count(0)  # not before a moderator approves it

    desk = open_page("/admin/login/?next=/admin/")
    desk.get_by_label("Email address").fill(moderator.email)
    desk.get_by_label("Password").fill(ACCOUNT_PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    queue = desk.get_by_role("region", name="The queue")
    expect(queue).to_contain_text("Photos to approve: 1")
    queue.get_by_role("link", name=str(photo)).click()
    expect_loaded(desk.get_by_role("img", name="Dr. Atlas at the front desk"))
    expect(desk.get_by_text("Nothing is shown there now.")).to_be_visible()
    desk.get_by_role("region", name="Decide").get_by_role("button", name="Approve", exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text(f"Approve: done for {photo}")

    patient = open_page("/", viewport=PHONE, is_mobile=True)
    patient.get_by_label("ZIP code, postal code or city").fill("02108")
    patient.get_by_role("button", name="Search").click()
    card = patient.locator("#results .result").first
    image = card.get_by_role("img", name="Dr. Atlas at the front desk")
    expect(image).to_have_attribute("loading", "lazy")
    expect_loaded(image)
    assert (image.get_attribute("width"), image.get_attribute("height")) == ("120", "160")
    patient.screenshot(path=screenshots / "photo-result-360.png", full_page=True)
    assert fits(patient)
    assert axe(patient) == []
    card.get_by_role("link", name=listing.display_name).click()
    expect_loaded(patient.locator(".profile .portrait"))
    assert fits(patient)
    assert page.errors == desk.errors == patient.errors == []


def test_a_50_megapixel_png_is_refused_and_a_jpegs_gps_is_removed(
    open_page, axe, live_server, tmp_path, listing, owner, media_files
):
    huge = tmp_path / "scan.png"
    huge.write_bytes(image_file("PNG", (10_000, 5_000), color=1, mode="1"))  # 50 million pixels in a few kB
    exif = Image.Exif()
    exif[GPS] = {1: "N", 2: (42.0, 21.0, 0.0), 3: "W", 4: (71.0, 3.0, 0.0)}
    located = tmp_path / "IMG_0001.jpg"
    located.write_bytes(image_file("JPEG", (900, 600), exif=exif))
    assert Image.open(located).getexif().get_ifd(GPS)  # the oracle: the file does say where it was taken
    page = open_page(photos_path(listing), user=owner, viewport=PHONE, is_mobile=True)

    send_photo(page, huge, alt_text="A scan")
    field = page.get_by_label("Photo", exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-photo .field-errors")).to_contain_text("10000 by 5000 pixels")
    assert not Photo.objects.exists()
    assert fits(page)
    assert axe(page) == []
    assert walk(page) == []  # every Tab stop, the refused form's included, shows its ring

    send_photo(page, located, alt_text="The waiting room", place="A photo of location 1: Atlas Clinic")
    expect(page.locator(".photo-item")).to_contain_text("Awaiting review")
    photo = Photo.objects.get()
    for name in photo.file_names:
        kept = Image.open(media_files / name)
        assert not kept.getexif() and "exif" not in kept.info
    src = page.locator(".photo-item img").get_attribute("src")
    served = page.request.get(live_server.url + src)  # what the browser gets, too
    assert served.status == 200 and not Image.open(io.BytesIO(served.body())).getexif()


@pytest.fixture
def gallery(listing):
    location = listing.locations.get()
    return [
        stored_photo(listing, location=location, alt_text=f"Treatment room {number}", color=(40 * number, 90, 120))
        for number in (1, 2)
    ]


@pytest.mark.parametrize("javascript", [True, False])
def test_the_gallery_opens_each_photo_with_the_keyboard(open_page, axe, live_server, listing, gallery, javascript):
    page = open_page(listing.get_absolute_url(), viewport=PHONE, is_mobile=True, java_script_enabled=javascript)
    links = page.get_by_role("list", name="Photos of Atlas Clinic").get_by_role("link")
    expect(links).to_have_count(2)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.gallery a')"):
            break
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("href", gallery[0].url_full)
    ring = focused.evaluate("link => getComputedStyle(link).outlineStyle + ' ' + getComputedStyle(link).outlineWidth")
    assert ring == "solid 3px"
    assert fits(page)
    if javascript:
        assert axe(page) == []
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("href", gallery[1].url_full)

    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server.url + gallery[1].url_full
    full = page.request.get(page.url)
    assert (full.status, full.headers["content-type"]) == (200, "image/jpeg")
    assert Image.open(io.BytesIO(full.body())).size == (800, 600)


def test_the_desks_photo_page_fits_360_pixels_with_both_photos_and_the_decisions(
    open_page, axe, screenshots, listing, moderator
):
    stored_photo(listing, alt_text="Dr. Atlas in 2019", color="red")
    pending = stored_photo(listing, status=Photo.Status.PENDING, alt_text="Dr. Atlas today", color="navy")
    page = open_page(reverse("admin:directory_photo_change", args=[pending.pk]), user=moderator,
                     viewport=PHONE, is_mobile=True)  # fmt: skip

    for alt_text in ("Dr. Atlas today", "Dr. Atlas in 2019"):
        expect_loaded(page.get_by_role("img", name=alt_text))
    decide = page.get_by_role("region", name="Decide")
    expect(decide.get_by_role("button", name="Approve", exact=True)).to_be_visible()
    expect(decide.get_by_role("button", name="Reject", exact=True)).to_be_visible()
    page.screenshot(path=screenshots / "desk-photo-360.png", full_page=True)
    assert fits(page)
