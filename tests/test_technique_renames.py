"""A renamed technique keeps its old links: the old technique page answers 301, old slugs in search URLs (page
and API) still match; slugs match ignoring case, and an empty technique parameter is ignored."""

import pytest
from django.urls import reverse

from moderation import services as desk
from tests.factories import UserFactory, practitioner_at

pytestmark = pytest.mark.django_db

PAGE, API = reverse("directory:search"), reverse("api:practitioner-list")


@pytest.fixture
def renamed(nucca):
    practitioner_at(42.3576, -71.0684, techniques=[nucca], name="Dr. Nucca")
    nucca.name, nucca.slug = "NUCCA Care", "nucca-care"
    desk.technique_save(
        technique=nucca, moderator=UserFactory(is_staff=True), before={"name": "NUCCA", "slug": "nucca"}
    )
    return nucca


def test_the_old_technique_page_answers_301_to_the_new_one(client, renamed):
    response = client.get(reverse("directory:technique-detail", kwargs={"slug": "nucca"}))
    assert response.status_code == 301 and response["Location"] == "/techniques/nucca-care/"
    assert client.get("/techniques/nucca-care/").status_code == 200
    assert client.get("/techniques/never-was/").status_code == 404


@pytest.mark.parametrize("slug", ["nucca", "NUCCA", "nucca-care", "Nucca-Care"])
def test_old_and_current_slugs_in_any_case_match_in_the_api(client, renamed, slug):
    body = client.get(API, {"near": "02108", "technique": slug}).json()
    assert [result["name"] for result in body["results"]] == ["Dr. Nucca"]
    assert body["results"][0]["techniques"] == [
        {"slug": "nucca-care", "name": "NUCCA Care", "verified_on": None, "verified_until": None}
    ]


def test_an_old_slug_on_the_page_checks_the_renamed_technique(client, renamed):
    page = client.get(PAGE, {"near": "02108", "technique": "nucca"}).content.decode()
    assert "Dr. Nucca" in page
    assert 'value="nucca-care" id="id_technique_' in page and "checked" in page


def test_an_empty_technique_parameter_is_ignored(client, renamed):
    assert client.get(API, {"near": "02108", "technique": ""}).json()["count"] == 1
    assert client.get(PAGE, {"near": "02108", "technique": ""}).status_code == 200


def test_an_unknown_slug_is_still_a_400_naming_it(client, renamed):
    response = client.get(API, {"near": "02108", "technique": "reiki"})
    assert response.status_code == 400 and "reiki" in response.json()["technique"][0]
