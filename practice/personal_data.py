"""Everything the directory holds about an account, as one JSON-ready dict: the practitioner's download."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Location, Photo, Practitioner, Training
from practice.listing import LOCATION_FIELDS, PRACTITIONER_FIELDS
from practice.models import Claim, Revision
from practice.notifications import absolute_url
from practice.signals import personal_data_requested


def _listing(practitioner: Practitioner) -> dict:
    return {
        "id": practitioner.pk,
        "profile_url": absolute_url(practitioner.get_absolute_url()),
        "status": practitioner.status_in_words,
        **{name: getattr(practitioner, name) for name in PRACTITIONER_FIELDS},
        "techniques": [technique.name for technique in practitioner.techniques.all()],
        "accepting_new_patients": practitioner.accepting_new_patients,
        "questions_enabled": practitioner.questions_enabled,
        "show_email": practitioner.show_email,
        "locations": [
            {name: getattr(location, name) for name in LOCATION_FIELDS} for location in practitioner.locations.all()
        ],
        "created_at": practitioner.created_at,
        "updated_at": practitioner.updated_at,
        "confirmed_at": practitioner.confirmed_at,
        "training": [_training(practitioner, record) for record in practitioner.training.all()],
        "photos": [_photo(photo) for photo in practitioner.photos.all()],
    }


def _photo(photo: Photo) -> dict:
    """A photo of the listing, with the address of each size kept (the files download from there)."""
    return {
        "of": "portrait" if photo.is_portrait else str(photo.location),
        "alt_text": photo.alt_text,
        "status": photo.get_status_display(),
        "reason": photo.reason,
        "submitted_at": photo.submitted_at,
        "decided_at": photo.decided_at,
        "files": {
            size: {"url": absolute_url(photo.url(size)), "width": rendition.width, "height": rendition.height}
            for size in Photo.Size.values
            for rendition in [photo.rendition(size)]
        },
    }


def _training(practitioner: Practitioner, record: Training) -> dict:
    """A training record, with its evidence file named and linked (the file itself downloads from there)."""
    evidence_url = reverse("practice:training_evidence", kwargs={"pk": practitioner.pk, "training_pk": record.pk})
    return {
        "technique": record.technique.name,
        **{name: getattr(record, name) for name in ("body", "level", "year", "certificate_number", "expires_on")},
        "evidence_file": {
            "name": record.evidence_name,
            "type": record.evidence_type,
            "bytes": record.evidence_size,
            "url": absolute_url(evidence_url),
        },
        "status": record.get_status_display(),
        "submitted_at": record.submitted_at,
        "verified_on": record.verified_on,
        "verified_until": record.verified_until,
        "reason": record.reason,
    }


def personal_data(*, user: AbstractBaseUser) -> dict:
    """The account, its e-mail addresses, the listings it manages, the edits it sent and its claims; then what
    the other apps hold about it (personal_data_requested)."""
    listings = (
        Practitioner.objects.filter(owner=user)
        .order_by("pk")
        .prefetch_related(
            "techniques",
            Prefetch("locations", queryset=Location.objects.order_by("pk")),
            Prefetch("training", queryset=Training.objects.select_related("technique").order_by("pk")),
            Prefetch("photos", queryset=Photo.objects.select_related("location").order_by("pk")),
        )
    )
    edits = Revision.objects.filter(submitted_by=user).select_related("practitioner").order_by("submitted_at", "pk")
    claims = Claim.objects.filter(claimant=user).select_related("practitioner").order_by("created_at", "pk")
    data = {
        "about": _("Everything the Upper Cervical Directory holds about your account, as of generated_at."),
        "generated_at": timezone.now(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
        "listings": [_listing(practitioner) for practitioner in listings],
        "edits_sent": [
            {
                "listing": edit.practitioner.display_name,
                "status": edit.get_status_display(),
                "submitted_at": edit.submitted_at,
                "decided_at": edit.decided_at,
                "reason": edit.reason,
                "proposed": edit.proposed,
            }
            for edit in edits
        ],
        "claims": [
            {
                "listing": claim.practitioner.display_name,
                "status": claim.get_status_display(),
                "note": claim.note,
                "npi": claim.npi,
                "created_at": claim.created_at,
                "decided_at": claim.decided_at,
                "reason": claim.reason,
            }
            for claim in claims
        ],
    }
    for _receiver, sections in personal_data_requested.send(sender=personal_data, user=user):
        data.update(sections)
    return data
