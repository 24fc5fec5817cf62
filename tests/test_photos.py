"""Photos of a listing: uploaded on /practice/<pk>/photos/ (read by their content, re-encoded in three sizes without
metadata), invisible to patients until approved, then on the result card, the profile and in the API; the files
served by directory.views.photo_file to whom may see them."""

import io
import json
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from directory.models import Photo, Practitioner
from practice import services
from tests.factories import (
    ACCOUNT_PASSWORD,
    PDF_BYTES,
    LocationFactory,
    UserFactory,
    image_file,
    owned_listing,
    stored_photo,
)

GPS = 0x8825
ORIENTATION = 0x0112


@pytest.fixture
def listing(owner):
    return owned_listing(owner, name="Dr. Ada Atlas")


def page_url(listing: Practitioner) -> str:
    return reverse("practice:photos", kwargs={"pk": listing.pk})


def upload(client, listing, content: bytes, *, name="photo.jpg", place="portrait", alt_text="Dr. Atlas smiling"):
    data = {"place": place, "alt_text": alt_text, "photo": SimpleUploadedFile(name, content)}
    return client.post(page_url(listing), data)


def jpeg_with_gps(size=(60, 40), orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS] = {1: "N", 2: (42.0, 21.0, 0.0), 3: "W", 4: (71.0, 3.0, 0.0)}
    if orientation is not None:
        exif[ORIENTATION] = orientation
    return image_file("JPEG", size, exif=exif)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few bytes whose header claims `width` by `height` pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def stored(media_files, name: str) -> Image.Image:
    return Image.open(media_files / name)


# ------------------------------------------------------------------------------------------------ uploading


@pytest.mark.parametrize(
    ("format", "options"),
    [("JPEG", {}), ("PNG", {}), ("WEBP", {"quality": 80}), ("HEIF", {"quality": 80})],
)
def test_each_format_is_kept_as_three_jpeg_sizes_awaiting_review(owner_client, listing, media_files, format, options):
    response = upload(owner_client, listing, image_file(format, (2000, 1500), **options), name="upload.bin")

    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.status, photo.location, photo.alt_text) == (Photo.Status.PENDING, None, "Dr. Atlas smiling")
    sizes = {size: stored(media_files, photo.rendition(size).name) for size in Photo.Size.values}
    assert {size: image.format for size, image in sizes.items()} == dict.fromkeys(Photo.Size.values, "JPEG")
    assert {size: image.size for size, image in sizes.items()} == {
        "thumb": (160, 120),
        "card": (480, 360),
        "full": (1600, 1200),
    }
    assert [(photo.thumb_width, photo.thumb_height), (photo.full_width, photo.full_height)] == [
        (160, 120),
        (1600, 1200),
    ]


def test_stored_names_are_the_sha256_of_their_bytes(owner_client, listing, media_files):
    import hashlib

    upload(owner_client, listing, image_file("PNG", (900, 300)))

    photo = Photo.objects.get()
    for name in photo.file_names:
        assert name == f"photos/{hashlib.sha256((media_files / name).read_bytes()).hexdigest()}.jpg"


def test_a_small_photo_is_never_enlarged(owner_client, listing, media_files):
    upload(owner_client, listing, image_file("JPEG", (120, 90)))

    photo = Photo.objects.get()
    assert {stored(media_files, name).size for name in photo.file_names} == {(120, 90)}


def test_transparency_is_laid_on_white(owner_client, listing, media_files):
    upload(owner_client, listing, image_file("PNG", (100, 100), color=(255, 0, 0, 0), mode="RGBA"))

    image = stored(media_files, Photo.objects.get().full_name)
    assert image.mode == "RGB"
    assert all(channel > 245 for channel in image.getpixel((50, 50)))


def test_gps_and_every_other_metadata_are_removed(owner_client, listing, media_files):
    photo_bytes = jpeg_with_gps()
    assert Image.open(io.BytesIO(photo_bytes)).getexif().get_ifd(GPS)  # the oracle: the upload carries GPS

    upload(owner_client, listing, photo_bytes, name="IMG_0001.jpg")

    for name in Photo.objects.get().file_names:
        kept = stored(media_files, name)
        assert not kept.getexif()
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(kept.info)


def test_the_camera_orientation_is_applied_before_the_exif_goes(owner_client, listing, media_files):
    # Orientation 6: the sensor's 60x40 picture is shown turned a quarter, 40 wide and 60 high.
    upload(owner_client, listing, jpeg_with_gps((60, 40), orientation=6))

    photo = Photo.objects.get()
    assert stored(media_files, photo.full_name).size == (40, 60)
    assert (photo.full_width, photo.full_height) == (40, 60)


def test_a_file_over_10_mb_gets_a_field_error(owner_client, listing):
    too_big = image_file("JPEG", (60, 40)) + b"\0" * (10 * 1024 * 1024)

    response = upload(owner_client, listing, too_big)

    assert response.status_code == 400
    assert "at most 10 MB" in response.content.decode()
    assert not Photo.objects.exists()


def test_a_photo_over_40_megapixels_gets_a_field_error(owner_client, listing):
    response = upload(owner_client, listing, image_file("PNG", (8000, 5001), color=1, mode="1"), name="big.png")

    assert response.status_code == 400
    page = response.content.decode()
    assert "8000 by 5001 pixels" in page and "at most 40 million pixels" in page
    assert not Photo.objects.exists()


def test_a_decompression_bomb_gets_a_field_error(owner_client, listing):
    bomb = png_claiming(100_000, 100_000)
    assert len(bomb) < 200

    response = upload(owner_client, listing, bomb, name="bomb.png")

    assert response.status_code == 400
    assert "far more than 40 million pixels" in response.content.decode()
    assert not Photo.objects.exists()


def test_a_pdf_named_jpg_is_refused_by_its_content(owner_client, listing, media_files):
    response = upload(owner_client, listing, PDF_BYTES, name="portrait.jpg")

    assert response.status_code == 400
    assert "Upload a JPEG, PNG, WebP or HEIC photo" in response.content.decode()
    assert not Photo.objects.exists()
    assert not (media_files / "photos").exists()


def test_alt_text_is_required_and_at_most_200_characters(owner_client, listing):
    assert upload(owner_client, listing, image_file(), alt_text="").status_code == 400
    assert upload(owner_client, listing, image_file(), alt_text="x" * 201).status_code == 400
    assert not Photo.objects.exists()


def test_a_location_photo_goes_to_the_chosen_location(owner_client, listing):
    location = listing.locations.get()

    upload(owner_client, listing, image_file(), place=str(location.pk), alt_text="The adjusting room")

    assert Photo.objects.get().location == location


def test_another_listings_location_is_no_choice(owner_client, listing):
    elsewhere = LocationFactory()

    response = upload(owner_client, listing, image_file(), place=str(elsewhere.pk))

    assert response.status_code == 400
    assert not Photo.objects.exists()


def test_six_photos_per_location_counting_those_awaiting_review(owner_client, listing):
    location = listing.locations.get()
    for number in range(3):
        stored_photo(listing, location=location, color=(number, 0, 0))
    for number in range(3):
        stored_photo(listing, location=location, status=Photo.Status.PENDING, color=(0, number, 0))

    response = upload(owner_client, listing, image_file(), place=str(location.pk))

    assert response.status_code == 400
    assert "has 6 photos (counting those waiting for review)" in response.content.decode()
    assert Photo.objects.count() == 6


def test_one_portrait_waits_at_a_time(owner_client, listing):
    assert upload(owner_client, listing, image_file(color="red")).status_code == 302

    response = upload(owner_client, listing, image_file(color="blue"))

    assert response.status_code == 400
    assert "A portrait is already waiting for review" in response.content.decode()
    assert Photo.objects.count() == 1


def test_uploads_are_limited_to_30_an_hour_per_account(owner_client, listing):
    for _ in range(30):
        owner_client.post(page_url(listing), {"place": "portrait", "alt_text": ""})

    response = upload(owner_client, listing, image_file())

    assert response.status_code == 429
    assert not Photo.objects.exists()


def test_changing_the_alt_text_sends_an_approved_photo_back_to_review(owner_client, listing):
    photo = stored_photo(listing, location=listing.locations.get())
    url = reverse("practice:photo_alt_text", kwargs={"pk": listing.pk, "photo_pk": photo.pk})

    owner_client.post(url, {"alt_text": "The waiting room, with the fish tank"})

    photo.refresh_from_db()
    assert (photo.status, photo.alt_text) == (Photo.Status.PENDING, "The waiting room, with the fish tank")


def test_removing_a_photo_deletes_it_and_its_files_at_once(owner_client, listing, media_files, sent):
    photo = stored_photo(listing)
    files = [media_files / name for name in photo.file_names]
    assert all(file.exists() for file in files)

    with sent():
        response = owner_client.post(reverse("practice:photo_remove", kwargs={"pk": listing.pk, "photo_pk": photo.pk}))

    assert response.status_code == 302
    assert not Photo.objects.exists()
    assert not any(file.exists() for file in files)


def test_the_page_lists_each_photo_with_its_status_and_reason(owner_client, listing):
    stored_photo(listing, status=Photo.Status.REJECTED, reason="Too blurry to recognise you.", alt_text="Me")
    stored_photo(listing, location=listing.locations.get(), status=Photo.Status.PENDING, alt_text="Front door")

    page = owner_client.get(page_url(listing)).content.decode()

    assert "Rejected: Too blurry to recognise you." in page
    assert "Awaiting review" in page and "Front door" in page
    assert "A photo of location 1: Atlas Clinic" in page


# ------------------------------------------------------------------------------------------------ who sees what


def search_page(client) -> str:
    return client.get(reverse("directory:search"), {"near": "02108"}).content.decode()


def test_a_pending_portrait_reaches_no_patient(client, listing):
    photo = stored_photo(listing, status=Photo.Status.PENDING)

    assert photo.url_thumb not in search_page(client)
    assert photo.url_card not in client.get(listing.get_absolute_url()).content.decode()
    assert client.get(photo.url_thumb).status_code == 404
    assert client.get(reverse("api:practitioner-list"), {"near": "02108"}).json()["results"][0]["photo"] is None


def test_an_approved_portrait_is_on_the_result_card(client, listing):
    photo = stored_photo(listing, alt_text="Dr. Atlas at the front desk")

    page = search_page(client)

    tag = (
        f'<img class="result-portrait" src="{photo.url_thumb}" srcset="{photo.url_thumb} 1x, {photo.url_card} 2x" '
        f'width="160" height="120" alt="Dr. Atlas at the front desk" loading="lazy">'
    )
    assert tag in page


def test_the_api_gives_the_portraits_card_size_as_an_absolute_url(client, listing):
    photo = stored_photo(listing)

    (result,) = client.get(reverse("api:practitioner-list"), {"near": "02108"}).json()["results"]

    assert result["photo"] == "http://testserver" + photo.url_card


def test_the_api_schema_and_its_docs_describe_photo_as_a_nullable_address(client):
    schema = client.get(reverse("schema"), {"format": "json"}).json()

    practitioner = schema["components"]["schemas"]["Practitioner"]
    assert practitioner["properties"]["photo"]["format"] == "uri"
    assert practitioner["properties"]["photo"]["nullable"] is True
    assert "photo" in practitioner["required"]  # always present, null without a portrait
    assert "The practitioner&#x27;s portrait" in client.get(reverse("api-docs")).content.decode()


def test_the_profile_shows_the_portrait_and_each_locations_gallery(client, listing):
    portrait = stored_photo(listing, alt_text="Dr. Atlas")
    location = listing.locations.get()
    shown = stored_photo(listing, location=location, alt_text="The adjusting room", color="navy")
    hidden = stored_photo(listing, location=location, status=Photo.Status.PENDING, alt_text="Unseen", color="red")

    page = client.get(listing.get_absolute_url()).content.decode()

    assert f'src="{portrait.url_card}"' in page and 'alt="Dr. Atlas"' in page
    assert f'<a href="{shown.url_full}"><img src="{shown.url_thumb}"' in page
    assert 'alt="The adjusting room" loading="lazy"' in page
    assert hidden.url_thumb not in page and "Unseen" not in page


def test_the_profiles_structured_data_gives_the_approved_portraits_full_size_as_its_image(client, listing):
    stored_photo(listing, status=Photo.Status.PENDING, color="red")
    page = client.get(listing.get_absolute_url()).content.decode()
    assert '"image"' not in structured_data(page)

    portrait = Photo.objects.get()
    Photo.objects.filter(pk=portrait.pk).update(status=Photo.Status.APPROVED)
    page = client.get(listing.get_absolute_url()).content.decode()
    assert json.loads(structured_data(page))["image"] == f"http://testserver{portrait.url_full}"


def structured_data(page: str) -> str:
    return page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]


def test_approved_photos_of_an_unpublished_listing_reach_no_patient(client, owner):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    photo = stored_photo(listing)

    assert client.get(photo.url_card).status_code == 404


def test_an_approved_photo_is_anyones_and_cached_for_a_year(client, listing, media_files):
    photo = stored_photo(listing)

    response = client.get(photo.url_full)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
    assert b"".join(response.streaming_content) == (media_files / photo.full_name).read_bytes()


def test_a_name_that_is_not_the_photos_is_not_found(client, listing):
    photo = stored_photo(listing)
    other = stored_photo(owned_listing(UserFactory()), color="red")

    wrong = reverse("directory:photo-file", kwargs={"pk": photo.pk, "name": other.card_name.rsplit("/", 1)[-1]})
    assert client.get(wrong).status_code == 404


WHO = ["anonymous", "unverified owner", "another practitioner", "owner", "moderator", "staff not moderator"]


def sign_in(client, who: str, owner, desk_moderator) -> None:
    if who == "unverified owner":
        owner.emailaddress_set.update(verified=False)
        client.force_login(owner)
    elif who == "another practitioner":
        other = UserFactory(email="other@example.com")
        owned_listing(other)
        client.force_login(other)
    elif who == "owner":
        client.force_login(owner)
    elif who == "moderator":
        client.force_login(desk_moderator)
    elif who == "staff not moderator":
        client.force_login(UserFactory(email="staff@example.com", is_staff=True))


@pytest.mark.parametrize("status", [Photo.Status.PENDING, Photo.Status.REJECTED])
@pytest.mark.parametrize("who", WHO)
def test_a_photo_not_approved_is_the_owners_and_the_moderators_only(
    client, listing, owner, desk_moderator, who, status
):
    photo = stored_photo(listing, status=status)
    sign_in(client, who, owner, desk_moderator)

    response = client.get(photo.url_thumb)

    if who in ("owner", "moderator"):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", WHO)
def test_the_photo_pages_are_the_owners_only(client, listing, owner, desk_moderator, who):
    photo = stored_photo(listing, status=Photo.Status.PENDING)
    sign_in(client, who, owner, desk_moderator)
    alt_url = reverse("practice:photo_alt_text", kwargs={"pk": listing.pk, "photo_pk": photo.pk})
    remove_url = reverse("practice:photo_remove", kwargs={"pk": listing.pk, "photo_pk": photo.pk})

    page = client.get(page_url(listing))
    changed = client.post(alt_url, {"alt_text": "Changed"})
    removed = client.post(remove_url)

    if who == "owner":
        assert (page.status_code, changed.status_code, removed.status_code) == (200, 302, 302)
        assert not Photo.objects.exists()
        return
    if who == "anonymous":
        assert all(answer.status_code == 302 and "/accounts/login/" in answer["Location"]
                   for answer in (page, changed, removed))  # fmt: skip
    elif who == "unverified owner":
        assert "Confirm your e-mail address" in page.content.decode()
        assert photo.url_thumb not in page.content.decode()
    else:
        assert (page.status_code, changed.status_code, removed.status_code) == (404, 404, 404)
    photo.refresh_from_db()
    assert photo.alt_text != "Changed"


def test_the_photo_page_needs_the_csrf_token(listing, owner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(page_url(listing), {"place": "portrait", "alt_text": "Me", "photo": SimpleUploadedFile(
        "me.jpg", image_file())})  # fmt: skip

    assert response.status_code == 403
    assert not Photo.objects.exists()


# ------------------------------------------------------------------------------------------------ approval


def test_approving_a_portrait_replaces_the_previous_one_and_deletes_its_files(
    listing, desk_moderator, media_files, sent
):
    previous = stored_photo(listing, color="red")
    fresh = stored_photo(listing, status=Photo.Status.PENDING, color="blue")

    with sent():
        services.photo_approve(photo=fresh, moderator=desk_moderator)

    assert list(Photo.objects.all()) == [fresh]
    assert not any((media_files / name).exists() for name in previous.file_names)
    assert all((media_files / name).exists() for name in fresh.file_names)


def test_a_file_two_photos_share_stays_while_one_uses_it(owner, media_files, sent):
    first = stored_photo(owned_listing(owner), color="red")
    second = stored_photo(owned_listing(UserFactory()), color="red")
    assert first.file_names == second.file_names

    with sent():
        services.photo_remove(photo=first)

    assert all((media_files / name).exists() for name in second.file_names)


def test_approval_and_removal_retire_cached_search_answers(client, listing, desk_moderator, sent):
    photo = stored_photo(listing, status=Photo.Status.PENDING)
    assert photo.url_thumb not in search_page(client)  # now cached

    services.photo_approve(photo=photo, moderator=desk_moderator)
    assert photo.url_thumb in search_page(client)

    services.photo_remove(photo=Photo.objects.get())
    assert photo.url_thumb not in search_page(client)


# ------------------------------------------------------------------------------------------------ query counts


def practitioners_near_boston(count: int, *, with_portraits: bool) -> None:
    for number in range(count):
        practitioner = owned_listing(UserFactory(), name=f"Dr. Number {number}")
        if with_portraits:
            stored_photo(practitioner, color=(number, number, 0))


# Measured on the commit before photos (2acd829), with the same listings: the results page of a search near a ZIP
# code costs 7 queries (the public version, the techniques and their former slugs, the count, the page, its
# locations, its techniques); the profile costs 4, and one more for its photos.
SEARCH_QUERIES = 7
PROFILE_QUERIES = 4 + 1


@pytest.mark.parametrize("with_portraits", [False, True])
def test_portraits_cost_the_results_page_no_query(db, client, django_assert_num_queries, with_portraits):
    practitioners_near_boston(4, with_portraits=with_portraits)

    with django_assert_num_queries(SEARCH_QUERIES):
        page = search_page(client)

    assert page.count('class="result-portrait"') == (4 if with_portraits else 0)


@pytest.mark.parametrize("with_photos", [False, True])
def test_the_gallery_costs_the_profile_one_query(db, client, listing, django_assert_num_queries, with_photos):
    if with_photos:
        stored_photo(listing)
        for number in range(3):
            stored_photo(listing, location=listing.locations.get(), color=(0, 0, number))

    with django_assert_num_queries(PROFILE_QUERIES):
        page = client.get(listing.get_absolute_url()).content.decode()

    assert page.count("(full size)") == (3 if with_photos else 0)


# ------------------------------------------------------------------------------------------------ accounts


def test_closing_the_account_deletes_its_photos_and_files(owner_client, listing, media_files, sent):
    approved = stored_photo(listing, color="red")
    pending = stored_photo(listing, location=listing.locations.get(), status=Photo.Status.PENDING)

    with sent():
        owner_client.post(reverse("practice:account_close"), {"listings": "release", "password": ACCOUNT_PASSWORD})

    assert not Photo.objects.exists()
    assert not any((media_files / name).exists() for name in approved.file_names + pending.file_names)


def test_a_new_owner_keeps_the_approved_photos_not_the_pending_ones(listing, desk_moderator, media_files, sent):
    approved = stored_photo(listing, color="red")
    pending = stored_photo(listing, status=Photo.Status.PENDING, color="blue")
    newcomer = UserFactory(email="newcomer@example.com")
    claim = services.claim_submit(
        practitioner=listing, claimant=newcomer, note="Bought the clinic.", npi="", email_verified=False
    )

    with sent():
        services.claim_approve(claim=claim, moderator=desk_moderator)

    assert list(Photo.objects.all()) == [approved]
    assert not any((media_files / name).exists() for name in pending.file_names)


def test_the_data_download_lists_the_photos(owner_client, listing):
    photo = stored_photo(listing, alt_text="Dr. Atlas")

    data = owner_client.get(reverse("practice:account_data")).json()

    (listed,) = data["listings"][0]["photos"]
    assert (listed["of"], listed["alt_text"], listed["status"]) == ("portrait", "Dr. Atlas", "Approved")
    assert listed["files"]["card"] == {"url": "https://directory.example" + photo.url_card, "width": 480, "height": 360}
