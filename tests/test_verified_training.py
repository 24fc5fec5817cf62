"""What patients see of verified training: the badge on the profile and in each result, the "verified training
only" filter on the page and in the API, the dates in the API, and the badge gone on the day it lapses."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from directory.models import Practitioner, Training
from tests.factories import TrainingFactory, practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = pytest.mark.django_db

API = reverse("api:practitioner-list")
PAGE = reverse("directory:search")
NEAR = {"near": "02108", "radius": "25"}


def verified(practitioner, technique, *, on=datetime.date(2026, 11, 20), until=None, **fields) -> Training:
    return TrainingFactory(
        practitioner=practitioner, technique=technique, status=Training.Status.VERIFIED, verified_on=on,
        verified_until=until, **fields,
    )  # fmt: skip


@pytest.fixture
def trained(nucca, blair) -> Practitioner:
    """Offers NUCCA (verified) and Blair (not)."""
    practitioner = practitioner_at(*destination(BOSTON, 5), techniques=[nucca, blair], name="Dr. Verified")
    verified(practitioner, nucca, until=datetime.date(2027, 6, 30))
    return practitioner


@pytest.fixture
def untrained(nucca, blair) -> Practitioner:
    """Offers NUCCA and Blair, with a NUCCA record awaiting verification and a Blair one not verified."""
    practitioner = practitioner_at(*destination(BOSTON, 3), techniques=[nucca, blair], name="Dr. Unchecked")
    TrainingFactory(practitioner=practitioner, technique=nucca)
    TrainingFactory(practitioner=practitioner, technique=blair, status=Training.Status.REJECTED, reason="Unreadable")
    return practitioner


@time_machine.travel(datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC), tick=False)
def test_the_profile_shows_the_verified_technique_with_its_date_and_never_the_evidence(client, trained):
    page = client.get(trained.get_absolute_url()).content.decode()

    assert page.count("Training verified") == 1
    assert "Training verified November 20, 2026" in page
    assert "N-2019-0042" not in page  # the certificate number
    assert "certificate.pdf" not in page
    assert "/evidence/" not in page


@time_machine.travel(datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC), tick=False)
def test_each_result_shows_the_badge_beside_its_technique_only(client, trained, untrained):
    page = client.get(PAGE, NEAR).content.decode()

    assert page.count("Training verified") == 1
    unchecked, checked = page.index("Dr. Unchecked"), page.index("Dr. Verified")  # nearest first
    assert unchecked < checked < page.index('NUCCA <span class="verified">Training verified November 20, 2026')


def test_a_pending_or_rejected_record_shows_nothing(client, untrained):
    assert "Training verified" not in client.get(untrained.get_absolute_url()).content.decode()
    assert "Training verified" not in client.get(PAGE, NEAR).content.decode()
    techniques = client.get(API, NEAR).json()["results"][0]["techniques"]
    assert all(entry["verified_on"] is None and entry["verified_until"] is None for entry in techniques)


def test_the_api_gives_each_technique_its_verification_dates(client, trained):
    [result] = client.get(API, {**NEAR, "verified": "true"}).json()["results"]

    assert result["techniques"] == [
        {"slug": "blair", "name": "Blair", "verified_on": None, "verified_until": None},
        {"slug": "nucca", "name": "NUCCA", "verified_on": "2026-11-20", "verified_until": "2027-06-30"},
    ]


def test_verified_only_finds_whoever_is_verified_in_any_technique(client, trained, untrained):
    names = [result["name"] for result in client.get(API, {**NEAR, "verified": "true"}).json()["results"]]
    assert names == ["Dr. Verified"]

    everyone = [result["name"] for result in client.get(API, {**NEAR, "verified": "false"}).json()["results"]]
    assert everyone == ["Dr. Unchecked", "Dr. Verified"]


def test_verified_with_a_technique_means_verified_in_that_technique(client, trained, untrained):
    in_nucca = client.get(API, {**NEAR, "technique": "nucca", "verified": "true"}).json()["results"]
    in_blair = client.get(API, {**NEAR, "technique": "blair", "verified": "true"}).json()["results"]

    assert [result["name"] for result in in_nucca] == ["Dr. Verified"]
    assert in_blair == []


def test_the_page_filters_by_verified_training_with_the_checkbox_kept(client, trained, untrained):
    response = client.get(PAGE, {**NEAR, "verified": "true"})
    page = response.content.decode()

    assert "Dr. Verified" in page and "Dr. Unchecked" not in page
    assert 'name="verified" value="true" id="id_verified" aria-describedby="verified-help" checked' in page
    assert "with verified training" in page


@pytest.mark.parametrize("value", ["maybe", "<b>x</b>", "2"])
def test_a_wrong_verified_value_is_a_400_naming_the_parameter(client, value):
    response = client.get(API, {**NEAR, "verified": value})

    assert response.status_code == 400
    assert response.json()["verified"] == ["Enter true or false."]
    page = client.get(PAGE, {**NEAR, "verified": value})
    assert page.status_code == 400
    assert "<b>x</b>" not in page.content.decode()


def test_the_schema_documents_the_filter_and_the_dates(client):
    schema = client.get(reverse("schema"), {"format": "json"}).json()

    parameters = {
        parameter["name"]: parameter for parameter in schema["paths"]["/api/v1/practitioners/"]["get"]["parameters"]
    }
    assert parameters["verified"]["schema"] == {"type": "boolean"}
    technique = schema["components"]["schemas"]["ListedTechnique"]["properties"]
    assert technique["verified_on"] == {
        "type": "string", "format": "date", "readOnly": True, "nullable": True,
        "description": "When a moderator verified the training; null when not verified.",
    }  # fmt: skip
    assert technique["verified_until"]["format"] == "date"


def test_the_badge_disappears_on_the_day_the_verification_lapses_even_from_a_cached_answer(client, nucca):
    practitioner = practitioner_at(*destination(BOSTON, 5), techniques=[nucca], name="Dr. Lapsing")
    verified(practitioner, nucca, until=datetime.date(2026, 12, 10))

    with time_machine.travel(datetime.datetime(2026, 12, 9, 23, 59, tzinfo=datetime.UTC), tick=False):
        assert "Training verified" in client.get(PAGE, NEAR).content.decode()  # cached from here on
        assert client.get(API, {**NEAR, "verified": "true"}).json()["count"] == 1
    with time_machine.travel(datetime.datetime(2026, 12, 10, 0, 1, tzinfo=datetime.UTC), tick=False):
        assert "Training verified" not in client.get(PAGE, NEAR).content.decode()
        assert "Training verified" not in client.get(practitioner.get_absolute_url()).content.decode()
        assert client.get(API, {**NEAR, "verified": "true"}).json()["count"] == 0
        [entry] = client.get(API, NEAR).json()["results"][0]["techniques"]
        assert entry["verified_on"] is None


def test_an_unpublished_practitioner_with_verified_training_never_shows(client, trained):
    Practitioner.objects.filter(pk=trained.pk).update(status=Practitioner.Status.PENDING)

    assert client.get(API, {**NEAR, "verified": "true"}).json()["count"] == 0
    assert client.get(trained.get_absolute_url()).status_code == 404


def test_badges_cost_no_query_per_result(client, nucca, django_assert_max_num_queries):
    for distance in range(1, 16):
        practitioner = practitioner_at(*destination(BOSTON, distance), techniques=[nucca])
        verified(practitioner, nucca)
    client.get(API, {**NEAR, "verified": "true"})  # warms what every search reads once (version, techniques)

    with django_assert_max_num_queries(6):
        body = client.get(API, {**NEAR, "verified": "true", "page_size": "15", "radius": "24"}).json()

    assert body["count"] == 15
    assert all(result["techniques"][0]["verified_on"] for result in body["results"])


def test_a_verification_made_today_shows_at_once(client, nucca):
    practitioner = practitioner_at(*destination(BOSTON, 5), techniques=[nucca])
    assert "Training verified" not in client.get(PAGE, NEAR).content.decode()
    record = TrainingFactory(practitioner=practitioner, technique=nucca)
    from django.contrib.auth import get_user_model

    from practice.services import training_verify

    moderator = get_user_model().objects.create(email="m@example.com", is_staff=True)
    training_verify(training=record, moderator=moderator)

    assert f"Training verified {timezone.localdate():%B %-d, %Y}" in client.get(PAGE, NEAR).content.decode()
