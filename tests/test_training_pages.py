"""The owner's training page (/practice/<pk>/training/): adding, changing and removing records, the evidence
read from its content, and the private evidence download that only the owner and moderators get."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from directory.models import Training
from tests.factories import PDF_BYTES, PractitionerFactory, TrainingFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db


def png_bytes(size=(40, 30), **info) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, "white")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (42.0, 21.0, 0.0)}  # GPS latitude
    image.save(out, format="PNG", exif=exif)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (42.0, 21.0, 0.0)}
    Image.new("RGB", (60, 40), "white").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def form_data(chosen, evidence: SimpleUploadedFile | None, **changes) -> dict:
    data = {"technique": chosen.pk, "body": "NUCCA", "level": "Level II certification", "year": "2019",
            "certificate_number": "N-42", "expires_on": ""}  # fmt: skip
    if evidence is not None:
        data["evidence"] = evidence
    return {**data, **changes}


def pdf(name="certificate.pdf", content=PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def listing(owner):
    return owned_listing(owner, name="Dr. Ada Atlas")


def page_url(listing) -> str:
    return reverse("practice:training", kwargs={"pk": listing.pk})


def evidence_url(record) -> str:
    return reverse("practice:training_evidence", kwargs={"pk": record.practitioner_id, "training_pk": record.pk})


def test_the_owner_adds_training_with_a_pdf_and_it_awaits_verification(owner_client, listing, nucca, private_files):
    response = owner_client.post(page_url(listing), form_data(nucca, pdf()))

    assert response.status_code == 302
    record = Training.objects.get()
    assert (record.practitioner, record.technique, record.status) == (listing, nucca, Training.Status.PENDING)
    assert (record.evidence_name, record.evidence_type, record.evidence_size) == (
        "certificate.pdf", "application/pdf", len(PDF_BYTES),
    )  # fmt: skip
    stored = private_files / record.evidence.name
    assert stored.read_bytes() == PDF_BYTES
    page = owner_client.get(page_url(listing)).content.decode()
    assert "Awaiting verification" in page
    assert "Level II certification" in page


def test_evidence_is_stored_outside_the_public_media_root(owner_client, listing, nucca, private_files, settings):
    owner_client.post(page_url(listing), form_data(nucca, pdf()))
    record = Training.objects.get()

    assert str(private_files) in record.evidence.path
    assert not record.evidence.path.startswith(str(getattr(settings, "MEDIA_ROOT", "") or "/nonexistent"))
    with pytest.raises(NotImplementedError):
        record.evidence.url  # noqa: B018 (a private file has no public address)


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("certificate.pdf", b"MZ\x90\x00 an executable named .pdf", "none of them, whatever its name says"),
        ("certificate.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "none of them"),
        ("certificate.pdf", b"", "empty"),
        ("notes.txt", b"%%PDF is not at the start", "none of them"),
    ],
)
def test_a_file_that_is_not_a_pdf_jpeg_or_png_gets_a_field_error(owner_client, listing, nucca, name, content, error):
    response = owner_client.post(page_url(listing), form_data(nucca, SimpleUploadedFile(name, content)))

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Training.objects.exists()


def test_a_file_over_10_mb_gets_a_field_error(owner_client, listing, nucca):
    too_big = PDF_BYTES + b"0" * (10 * 1024 * 1024)
    response = owner_client.post(page_url(listing), form_data(nucca, pdf(content=too_big)))

    assert response.status_code == 400
    assert "at most 10 MB" in response.content.decode()
    assert not Training.objects.exists()


def test_an_image_of_too_many_pixels_gets_a_field_error(owner_client, listing, nucca):
    out = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(out, format="PNG")  # 60 million pixels in a few kB
    response = owner_client.post(page_url(listing), form_data(nucca, SimpleUploadedFile("scan.png", out.getvalue())))

    assert response.status_code == 400
    assert "10000 by 6000 pixels" in response.content.decode()


def test_a_photo_is_kept_without_its_metadata(owner_client, listing, nucca, private_files):
    photo = jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif()  # the oracle: the upload does carry EXIF (GPS included)

    owner_client.post(page_url(listing), form_data(nucca, SimpleUploadedFile("IMG_0001.jpg", photo)))

    record = Training.objects.get()
    kept = Image.open(private_files / record.evidence.name)
    assert (kept.format, record.evidence_type) == ("JPEG", "image/jpeg")
    assert not kept.getexif()
    assert "exif" not in kept.info
    assert kept.size == (60, 40)


def test_a_png_named_pdf_is_read_as_the_png_it_is(owner_client, listing, nucca, private_files):
    owner_client.post(page_url(listing), form_data(nucca, SimpleUploadedFile("certificate.pdf", png_bytes())))

    record = Training.objects.get()
    assert record.evidence_type == "image/png"
    assert record.evidence.name.endswith(".png")
    assert not Image.open(private_files / record.evidence.name).getexif()


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"year": "1850"}, "year", "Enter a year from 1950"),
        ({"year": "twenty"}, "year", "Enter a whole number"),
        ({"expires_on": "2001-01-01"}, "expires_on", "This date has passed"),
        ({"expires_on": "31/12/2030"}, "expires_on", "YYYY-MM-DD"),
        ({"technique": "999999"}, "technique", "Select a valid choice"),
        ({"body": ""}, "body", "This field is required"),
    ],
)
def test_every_field_answers_a_wrong_value_with_an_error_beside_it(owner_client, listing, nucca, changes, field, error):
    response = owner_client.post(page_url(listing), form_data(nucca, pdf(), **changes))

    assert response.status_code == 400
    assert error in response.context["form"].errors[field][0]
    assert f'id="id_{field}_errors"' in response.content.decode()


def test_a_missing_file_asks_for_the_certificate(owner_client, listing, nucca):
    response = owner_client.post(page_url(listing), form_data(nucca, None))

    assert response.status_code == 400
    assert "Upload your certificate" in response.context["form"].errors["evidence"][0]


def test_markup_typed_into_the_form_comes_back_as_text(owner_client, listing, nucca):
    owner_client.post(page_url(listing), form_data(nucca, pdf(), level="<script>alert(1)</script>"))

    page = owner_client.get(page_url(listing)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_changing_a_verified_record_sends_it_back_to_review_and_hides_the_badge(owner_client, listing, nucca):
    record = TrainingFactory(practitioner=listing, status=Training.Status.VERIFIED)
    url = reverse("practice:training_edit", kwargs={"pk": listing.pk, "training_pk": record.pk})

    response = owner_client.post(url, form_data(nucca, None, level="Level III certification"))

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.level, record.verified_on) == (
        Training.Status.PENDING,
        "Level III certification",
        None,
    )
    assert "Training verified" not in owner_client.get(listing.get_absolute_url()).content.decode()


def test_replacing_the_evidence_deletes_the_old_file(owner_client, listing, nucca, private_files, sent):
    record = TrainingFactory(practitioner=listing)
    old = private_files / record.evidence.name
    url = reverse("practice:training_edit", kwargs={"pk": listing.pk, "training_pk": record.pk})

    with sent():
        owner_client.post(url, form_data(nucca, SimpleUploadedFile("renewed.png", png_bytes())))

    record.refresh_from_db()
    assert record.evidence_name == "renewed.png"
    assert (private_files / record.evidence.name).exists()
    assert not old.exists()


def test_removing_a_record_deletes_its_file(owner_client, listing, private_files, sent):
    record = TrainingFactory(practitioner=listing)
    stored = private_files / record.evidence.name
    url = reverse("practice:training_remove", kwargs={"pk": listing.pk, "training_pk": record.pk})

    with sent():
        response = owner_client.post(url)

    assert response.status_code == 302
    assert not Training.objects.exists()
    assert not stored.exists()


def test_the_owner_downloads_the_evidence_as_an_attachment_that_is_never_sniffed(owner_client, listing):
    record = TrainingFactory(practitioner=listing)

    response = owner_client.get(evidence_url(record))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="certificate.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_moderator_downloads_the_evidence(client, listing, desk_moderator):
    record = TrainingFactory(practitioner=listing)
    client.force_login(desk_moderator)

    response = client.get(evidence_url(record))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("who", ["anonymous", "unverified owner", "another practitioner", "staff not moderator"])
def test_nobody_else_gets_the_evidence_nor_learns_it_exists(client, listing, owner, who):
    record = TrainingFactory(practitioner=listing)
    if who == "unverified owner":
        owner.emailaddress_set.update(verified=False)
        client.force_login(owner)
    elif who == "another practitioner":
        other = UserFactory(email="other@example.com")
        owned_listing(other)
        client.force_login(other)
    elif who == "staff not moderator":
        client.force_login(UserFactory(email="staff@example.com", is_staff=True))

    assert client.get(evidence_url(record)).status_code == 404
    missing = reverse("practice:training_evidence", kwargs={"pk": listing.pk, "training_pk": record.pk + 1000})
    assert client.get(missing).status_code == 404


def test_another_practitioner_cannot_see_change_or_remove_the_records(client, listing):
    record = TrainingFactory(practitioner=listing)
    other = UserFactory(email="other@example.com")
    client.force_login(other)
    kwargs = {"pk": listing.pk, "training_pk": record.pk}

    assert client.get(page_url(listing)).status_code == 404
    assert client.get(reverse("practice:training_edit", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("practice:training_remove", kwargs=kwargs)).status_code == 404
    assert Training.objects.filter(pk=record.pk).exists()


def test_a_record_is_reached_only_through_its_own_listing(owner_client, owner, listing):
    other_listing = PractitionerFactory()
    record = TrainingFactory(practitioner=other_listing)
    kwargs = {"pk": listing.pk, "training_pk": record.pk}

    assert owner_client.get(reverse("practice:training_edit", kwargs=kwargs)).status_code == 404
    assert owner_client.get(reverse("practice:training_evidence", kwargs=kwargs)).status_code == 404


def test_closing_the_account_deletes_the_evidence_files(owner_client, owner, listing, private_files, sent):
    record = TrainingFactory(practitioner=listing)
    stored = private_files / record.evidence.name

    with sent():
        response = owner_client.post(
            reverse("practice:account_close"), {"listings": "release", "password": "correct-horse-battery-staple"}
        )

    assert response.status_code == 302
    assert not Training.objects.exists()
    assert not stored.exists()


def test_the_data_download_lists_the_training_and_its_file(owner_client, listing):
    TrainingFactory(practitioner=listing)

    data = json.loads(owner_client.get(reverse("practice:account_data")).content)

    [training] = data["listings"][0]["training"]
    assert training["technique"] == "NUCCA"
    assert training["evidence_file"]["name"] == "certificate.pdf"
    assert training["evidence_file"]["url"].startswith("https://directory.example/practice/")


def test_the_page_lists_records_with_two_queries_whatever_their_number(
    owner_client, listing, django_assert_max_num_queries
):
    for _ in range(5):
        TrainingFactory(practitioner=listing)

    with django_assert_max_num_queries(8):  # session, user, e-mail check, listing, records, techniques (form)
        response = owner_client.get(page_url(listing))

    assert response.content.decode().count("Awaiting verification") == 5


def test_a_listing_that_changes_hands_leaves_the_previous_owners_training_behind(
    listing, desk_moderator, private_files, sent
):
    from practice.models import Claim
    from practice.services import claim_approve, claim_submit

    record = TrainingFactory(practitioner=listing, status=Training.Status.VERIFIED)
    stored = private_files / record.evidence.name
    newcomer = UserFactory(email="newcomer@example.com")
    claim = claim_submit(
        practitioner=listing, claimant=newcomer, note="Bought the clinic.", npi="", email_verified=False
    )

    with sent():
        claim_approve(claim=claim, moderator=desk_moderator)

    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.APPROVED
    assert not Training.objects.filter(practitioner=listing).exists()
    assert not stored.exists()
