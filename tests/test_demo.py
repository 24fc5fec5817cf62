"""`make run`'s demo: the directory, a practitioner with an edit awaiting review, an admin, and a moderator
whose queue holds that edit, training to verify and a patient's report; each seeding runs again without doubling
anything."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from directory.models import Practitioner
from moderation.models import Report
from practice.models import Revision

pytestmark = pytest.mark.django_db


def seed() -> None:
    for command in ("seed_demo", "seed_demo_accounts", "seed_demo_desk"):
        call_command(command, stdout=io.StringIO())


def test_the_demo_moderator_signs_in_and_finds_the_queue_with_work_in_it():
    seed()
    seed()
    assert Revision.objects.pending().count() == 1 and Report.objects.open().count() == 1
    client = Client()
    signed_in = client.post(
        reverse("admin:login"), {"username": "moderator@example.com", "password": "adjust-the-atlas-2027"}
    )
    assert signed_in.status_code == 302
    page = client.get(reverse("admin:index")).content.decode()
    assert "Edits awaiting review: 1" in page and "Open reports: 1" in page
    assert "Training to verify: 1" in page
    assert not signed_in.wsgi_request.user.is_superuser


def test_the_demo_listing_shows_a_verified_technique_to_patients():
    seed()
    seed()
    listing = Practitioner.objects.get(external_id="demo-0001")
    assert listing.training.count() == 2
    assert "Training verified" in Client().get(listing.get_absolute_url()).content.decode()
