"""Each page in English (no prefix), Spanish (/es/) and Canadian French (/fr-ca/): the address decides the language,
every page says which it is in and links to itself in the others, caches keep the languages apart, and the API
names techniques in the language Accept-Language asks for."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from directory.models import Technique
from tests.factories import practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = pytest.mark.django_db

SEARCH = "/search/?near=02108&radius=25"
API = reverse("api:practitioner-list")


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.content.decode()).group(1)


@pytest.mark.parametrize(("prefix", "lang"), [("", "en"), ("/es", "es"), ("/fr-ca", "fr-CA")])
def test_each_language_prefix_gives_the_page_in_that_language_and_says_so(client, prefix, lang):
    response = client.get(f"{prefix}/")
    assert response.status_code == 200
    assert html_lang(response) == lang
    assert response["Content-Language"] == lang.lower()


def test_the_address_not_the_browser_decides_the_language_of_a_page(client):
    response = client.get("/", headers={"Accept-Language": "es"})
    assert html_lang(response) == "en"
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_language_switcher_links_to_the_same_search_in_each_language(client):
    practitioner_at(*destination(BOSTON, 2), name="Dr. Near")
    response = client.get("/es" + SEARCH)
    html = response.content.decode()
    switcher = html[html.index('class="language-switcher"') :]
    query = "?near=02108&amp;radius=25"
    assert f'<a href="/search/{query}" hreflang="en" lang="en">English</a>' in switcher
    assert f'<a href="/fr-ca/search/{query}" hreflang="fr-CA" lang="fr-CA">Français (Canada)</a>' in switcher
    assert f'<a href="/es/search/{query}" aria-current="page" lang="es">Español</a>' in switcher


@pytest.mark.parametrize(
    "address",
    [
        "/", "/es/search/?near=Montr%C3%A9al%2C+QC&radius=25", "/fr-ca/search/?near=caf\u00e9&technique=nucca",
        "/search/?near=%3Cb%3E", "/es/techniques/nucca/", "/no/such/page/", "/es/no/such/caf%C3%A9/",
        "/fr-ca/" + "long-" * 60 + "/", "/es/api/docs/",
    ],
)  # fmt: skip
def test_the_language_links_are_what_djangos_translate_url_makes_of_the_address(rf, address):
    """The links are kept per path (context_processors._translated_path); Django's translate_url() of the whole
    address, asked afresh each time, is the oracle."""
    from django.urls import translate_url
    from django.utils.translation import get_language_from_path

    from directory.context_processors import languages

    request = rf.get(address)
    with translation.override(get_language_from_path(request.path_info) or "en"):
        first = [link["url"] for link in languages(request)["language_links"]]  # worked out, and kept
        again = [link["url"] for link in languages(request)["language_links"]]  # read from what was kept
        expected = [translate_url(request.get_full_path(), code) for code, _ in settings.LANGUAGES]
    in_every_language = len(set(expected)) == len(expected)  # else no links (the desk, an address that is no page)
    assert first == again == (expected if in_every_language else [])


def test_each_page_names_its_alternates_in_the_other_languages_in_its_head(client, nucca):
    head = client.get("/fr-ca" + nucca.get_absolute_url()).content.decode().split("</head>")[0]
    url = nucca.get_absolute_url()
    assert f'<link rel="alternate" hreflang="en" href="http://testserver{url}">' in head
    assert f'<link rel="alternate" hreflang="es" href="http://testserver/es{url}">' in head
    assert f'<link rel="alternate" hreflang="fr-CA" href="http://testserver/fr-ca{url}">' in head
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{url}">' in head


def test_a_profile_in_spanish_is_its_own_canonical_page_and_links_stay_in_spanish(client):
    practitioner = practitioner_at(*destination(BOSTON, 2), name="Dr. Near")
    response = client.get("/es" + practitioner.get_absolute_url())
    assertContains(response, f'<link rel="canonical" href="http://testserver/es{practitioner.get_absolute_url()}">')
    assertContains(response, 'href="/es/search/"')


def test_the_desk_and_the_api_have_no_language_prefix(client):
    assert client.get("/es/admin/").status_code == 404
    assert client.get("/es/api/v1/practitioners/?near=02108").status_code == 404


def test_the_sitemap_lists_every_page_in_each_language_with_its_alternates(client, nucca):
    practitioner = practitioner_at(*destination(BOSTON, 2), name="Dr. Near")
    body = client.get("/sitemap.xml").content.decode()
    profile = practitioner.get_absolute_url()
    for prefix in ("", "/es", "/fr-ca"):
        assert f"<loc>http://testserver{prefix}{profile}</loc>" in body
        assert f"<loc>http://testserver{prefix}{nucca.get_absolute_url()}</loc>" in body
    assert f'hreflang="fr-ca" href="http://testserver/fr-ca{profile}"' in body
    assert f'hreflang="x-default" href="http://testserver{profile}"' in body


def test_technique_names_are_stored_in_each_language_and_shown_in_the_pages_language(client):
    knee_chest = Technique.objects.get(slug="knee-chest")
    assertContains(client.get(f"/es{knee_chest.get_absolute_url()}"), "Knee Chest (rodilla-pecho)")
    assertContains(client.get(f"/fr-ca{knee_chest.get_absolute_url()}"), "Knee Chest (genou-poitrine)")
    english = client.get(knee_chest.get_absolute_url())
    assertContains(english, "Knee Chest")
    assertNotContains(english, "rodilla")


def test_a_technique_without_a_translation_reads_as_its_english_name(client):
    technique = Technique.objects.create(name="Toggle", slug="toggle", description="A quick adjustment.")
    assert technique.name_en == "Toggle" and technique.name_es is None
    response = client.get(f"/es{technique.get_absolute_url()}")
    assertContains(response, "Toggle")
    assertContains(response, "A quick adjustment.")


def test_a_moderator_edits_a_techniques_spanish_name_and_spanish_searches_show_it(admin_client, nucca):
    practitioner_at(*destination(BOSTON, 2), techniques=[nucca], name="Dr. Near")
    data = {"slug": "nucca", "name_en": "NUCCA", "name_es": "NUCCA (método)", "name_fr_ca": "", "description_en": ""}
    response = admin_client.post(reverse("admin:directory_technique_change", args=[nucca.pk]), data)
    assert response.status_code == 302
    assertContains(Client().get("/es" + SEARCH), "NUCCA (método)")
    assertNotContains(Client().get(SEARCH), "NUCCA (método)")


def test_a_cached_spanish_answer_is_never_given_to_an_english_request(client, nucca):
    practitioner_at(*destination(BOSTON, 2), techniques=[Technique.objects.get(slug="knee-chest")], name="Dr. Near")
    spanish = client.get("/es" + SEARCH)
    english = client.get(SEARCH)
    assertContains(spanish, "Knee Chest (rodilla-pecho)")
    assertNotContains(english, "rodilla")
    assert spanish["ETag"] != english["ETag"]


def test_the_api_names_techniques_in_the_accepted_language_and_varies_by_it(client):
    practitioner_at(*destination(BOSTON, 2), techniques=[Technique.objects.get(slug="knee-chest")], name="Dr. Near")

    def names(accept: str) -> tuple[list[str], str]:
        response = client.get(API, {"near": "02108"}, headers={"Accept-Language": accept})
        assert response.status_code == 200
        tags = response.json()["results"][0]["techniques"]
        assert [tag["slug"] for tag in tags] == ["knee-chest"]  # slugs and codes stay language-neutral
        return [tag["name"] for tag in tags], response["Vary"]

    assert names("es-MX,es;q=0.9")[0] == ["Knee Chest (rodilla-pecho)"]
    assert names("fr-CA")[0] == ["Knee Chest (genou-poitrine)"]
    assert names("fr;q=0.8, de")[0] == ["Knee Chest (genou-poitrine)"]
    english, vary = names("de, en;q=0.5")
    assert english == ["Knee Chest"]
    assert "Accept-Language" in vary
    assert names("")[0] == ["Knee Chest"]


def test_a_request_leaves_no_language_active_behind_it(client):
    client.get("/es/")
    assert translation.get_language() == "en"
