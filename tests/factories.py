import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from directory.hours import DAYS, day_typed, exceptions_typed
from directory.models import Location, Photo, Practitioner, Technique, Training

ACCOUNT_PASSWORD = "correct-horse-battery-staple"


class TechniqueFactory(DjangoModelFactory):
    class Meta:
        model = Technique
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Technique {n}")
    slug = factory.Sequence(lambda n: f"technique-{n}")


class PractitionerFactory(DjangoModelFactory):
    class Meta:
        model = Practitioner
        skip_postgeneration_save = True

    name = factory.Faker("name")
    credentials = "DC"
    email = factory.Faker("email")
    phone = "(617) 555-0100"
    status = Practitioner.Status.PUBLISHED

    @factory.post_generation
    def techniques(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.techniques.set(extracted)


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    practitioner = factory.SubFactory(PractitionerFactory)
    clinic_name = factory.LazyAttribute(lambda location: f"{location.practitioner.name} Upper Cervical")
    address_line1 = factory.Faker("street_address")
    city = "Boston"
    state = "MA"
    postal_code = "02108"
    country = Location.Country.US
    latitude = 42.3576
    longitude = -71.0684


def practitioner_at(latitude: float, longitude: float, techniques=(), **fields) -> Practitioner:
    """A published practitioner with one location at the given point."""
    practitioner = PractitionerFactory(techniques=list(techniques), **fields)
    LocationFactory(practitioner=practitioner, latitude=latitude, longitude=longitude)
    return practitioner


class UserFactory(DjangoModelFactory):
    """An account whose e-mail address is verified (pass verified=False for one that is not)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"practitioner{n}@example.com")
    password = factory.django.Password(ACCOUNT_PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted, **kwargs) -> None:
        if create:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=extracted is not False)


def owned_listing(owner, status: str = Practitioner.Status.PUBLISHED, **fields) -> Practitioner:
    """A listing managed by `owner`, with one Boston location placed from its address."""
    fields.setdefault("phone", "(617) 555-0100")
    practitioner = PractitionerFactory(owner=owner, status=status, **fields)
    LocationFactory(
        practitioner=practitioner,
        clinic_name="Atlas Clinic",
        address_line1="1 Beacon Street",
        phone="",
        placement=Location.Placement.ADDRESS,
    )
    return practitioner


def listing_form_data(practitioner: Practitioner | None = None, **changes: object) -> dict[str, object]:
    """What the listing form posts: the listing's current values (or a new Boston practice), with `changes`.

    Location fields are named as the form names them ("locations-0-city"); coordinates are left empty, so the
    form places each clinic from its address."""
    data: dict[str, object] = {
        "name": "Dr. Ada Atlas",
        "credentials": "DC",
        "npi": "",
        "email": "ada@example.com",
        "phone": "(617) 555-0100",
        "website": "",
        "bio": "NUCCA since 2010.",
        "accepting_new_patients": "on",
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
        "locations-MIN_NUM_FORMS": "1",
        "locations-MAX_NUM_FORMS": "10",
        "locations-0-id": "",
        "locations-0-clinic_name": "Atlas Clinic",
        "locations-0-address_line1": "1 Beacon Street",
        "locations-0-city": "Boston",
        "locations-0-state": "MA",
        "locations-0-postal_code": "02108",
        "locations-0-country": "US",
        "locations-0-phone": "",
        "locations-0-latitude": "",
        "locations-0-longitude": "",
        **{f"locations-0-hours_{day}": "" for day in DAYS},
        "locations-0-hours_exceptions": "",
    }
    if practitioner is not None:
        data.update(
            {name: getattr(practitioner, name) for name in ("name", "credentials", "email", "phone", "website", "bio")}
        )
        data["techniques"] = [str(pk) for pk in practitioner.techniques.values_list("pk", flat=True)]
        if not practitioner.accepting_new_patients:
            del data["accepting_new_patients"]
        data["languages"] = practitioner.languages.split()
        data["insurance_plans"] = practitioner.insurance_plans
        for name in ("accepts_cash", "accepts_hsa_fsa", "offers_payment_plans"):
            data[name] = "on" if getattr(practitioner, name) else None
        data["first_visit_fee"] = "" if practitioner.first_visit_fee is None else str(practitioner.first_visit_fee)
        locations = list(practitioner.locations.order_by("pk"))
        data["locations-TOTAL_FORMS"] = data["locations-INITIAL_FORMS"] = str(len(locations))
        for index, location in enumerate(locations):
            for name in ("clinic_name", "address_line1", "city", "state", "postal_code", "country", "phone"):
                data[f"locations-{index}-{name}"] = getattr(location, name)
            data[f"locations-{index}-id"] = str(location.pk)
            data[f"locations-{index}-latitude"] = data[f"locations-{index}-longitude"] = ""
            for day in DAYS:
                data[f"locations-{index}-hours_{day}"] = day_typed(location.opening_hours.get(day, []))
            data[f"locations-{index}-hours_exceptions"] = exceptions_typed(location.hours_exceptions)
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


# The smallest PDF a reader opens: what a practitioner's certificate scan stands in for in tests.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 612 792]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class TrainingFactory(DjangoModelFactory):
    """A training record awaiting verification, with a PDF as evidence (status="verified" adds the dates)."""

    class Meta:
        model = Training

    practitioner = factory.SubFactory(PractitionerFactory)
    technique = factory.LazyFunction(lambda: Technique.objects.get(slug="nucca"))
    body = "NUCCA"
    level = "Level II certification"
    year = 2019
    certificate_number = "N-2019-0042"
    evidence = factory.django.FileField(data=PDF_BYTES, filename="certificate.pdf")
    evidence_name = "certificate.pdf"
    evidence_type = Training.EvidenceType.PDF
    evidence_size = len(PDF_BYTES)
    submitted_at = factory.LazyFunction(timezone.now)
    status = Training.Status.PENDING
    verified_on = factory.LazyAttribute(
        lambda training: (
            timezone.localdate() - datetime.timedelta(days=10) if training.status == Training.Status.VERIFIED else None
        )
    )


def image_file(
    format: str = "JPEG", size: tuple[int, int] = (64, 48), color: str | tuple = "teal", mode: str = "RGB", **save
) -> bytes:
    """An image made in memory with Pillow, saved as `format` (HEIF through pillow-heif), with `save` options
    (exif=...)."""
    import io

    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=format, **save)
    return out.getvalue()


def stored_photo(
    practitioner: Practitioner, *, location: Location | None = None, status: str = "approved", **fields
) -> Photo:
    """A photo of the listing (its portrait without `location`), its three sizes made from a generated image and
    stored in default_storage; `color` varies the picture (and so its file names)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from practice.services import _photo_store
    from practice.uploads import photo_read

    color = fields.pop("color", "teal")
    renditions = photo_read(SimpleUploadedFile("photo.jpg", image_file(size=(800, 600), color=color)))
    fields.setdefault("alt_text", f"The front desk of {practitioner.name}")
    return Photo.objects.create(
        practitioner=practitioner, location=location, status=status, **_photo_store(renditions), **fields
    )
