"""What the search does with what patients type: every wrong parameter is a 400 naming it (JSON on the API),
the radius is shown as given, "accepting new patients" filters and is said on every result, the API says where
it searched, and the place field's suggestions."""

import html
import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from directory.models import Technique
from tests.factories import LocationFactory, PractitionerFactory

pytestmark = pytest.mark.django_db

PAGE, API, PLACES = reverse("directory:search"), reverse("api:practitioner-list"), reverse("api:place-suggestions")


@pytest.fixture
def boston(db):
    accepting = PractitionerFactory(name="Dr. Open", accepting_new_patients=True)
    full = PractitionerFactory(name="Dr. Full", accepting_new_patients=False)
    for practitioner in (accepting, full):
        LocationFactory(practitioner=practitioner)
    return accepting, full


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"radius": "\\u0663"}, "radius"),  # an Arabic-Indic 3
        ({"radius": "\\uff12\\uff15"}, "radius"),  # full-width 25
        ({"radius": "\\u00b2"}, "radius"),
        ({"page": "0"}, "page"),
        ({"page": "\\u0661"}, "page"),
        ({"page": "-2"}, "page"),
        ({"accepting_new_patients": "maybe"}, "accepting_new_patients"),
        ({"unit": "furlongs"}, "unit"),
    ],
)
def test_a_wrong_parameter_is_a_400_naming_it_on_the_page_and_in_the_api(client, params, name):
    api = client.get(API, {"near": "02108", **params})
    assert api.status_code == 400 and list(api.json()) == [name]
    page = client.get(PAGE, {"near": "02108", **params})
    assert page.status_code == 400


def test_too_many_parameters_is_a_json_400_on_the_api_and_a_page_elsewhere(client, settings):
    query = "&".join(f"p{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    api = client.get(f"{API}?{query}")
    assert api.status_code == 400 and api.json() == {"detail": "Too many parameters: at most 1000 are read."}
    page = client.get(f"{PAGE}?{query}")
    assert page.status_code == 400 and "Too many parameters" in page.content.decode()


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/practitioner/", "/api/", "/api/v2/anything", "/api/v1/nope/deeper/"])
def test_an_unknown_api_path_is_a_json_404_with_debug_on_or_off(client, settings, debug, path):
    settings.DEBUG = debug
    response = client.get(path)
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_an_api_path_without_its_slash_is_still_redirected_to_it(client):
    response = client.get("/api/v1/practitioners")
    assert response.status_code == 301 and response["Location"] == "/api/v1/practitioners/"


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/practitioner/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("radius", ["2.25", "2.250", "0.5", "25"])
def test_the_radius_is_shown_as_the_patient_gave_it(client, boston, radius):
    shown = radius.rstrip("0").rstrip(".") if "." in radius else radius
    page = client.get(PAGE, {"near": "02108", "radius": radius}).content.decode()
    assert f"within {shown} mi of 02108 (Boston, MA)" in page


def test_accepting_new_patients_filters_the_page_and_the_api(client, boston):
    names = lambda **params: [r["name"] for r in client.get(API, {"near": "02108", **params}).json()["results"]]  # noqa: E731
    assert sorted(names()) == ["Dr. Full", "Dr. Open"]
    assert names(accepting_new_patients="true") == ["Dr. Open"]
    assert names(accepting_new_patients="false") == ["Dr. Full"]
    page = client.get(PAGE, {"near": "02108", "accepting_new_patients": "true"}).content.decode()
    assert "Dr. Open" in page and "Dr. Full" not in page
    assert 'name="accepting_new_patients" value="true" id="id_accepting_new_patients" checked' in page


def test_every_result_says_whether_the_practitioner_accepts_new_patients(client, boston):
    page = client.get(PAGE, {"near": "02108"}).content.decode()
    assert "Accepting new patients</p>" in page and "Not accepting new patients</p>" in page


def test_the_api_says_where_it_searched(client, boston):
    body = client.get(API, {"near": "Montréal, QC"}).json()
    assert body["origin"]["label"] == "Montréal, QC"
    assert list(body) == ["origin", "count", "count_is_exact", "next", "previous", "results"]
    assert client.get(API).json()["origin"] is None


def test_a_zip_code_without_coordinates_is_searched_from_its_city_and_the_page_says_so(client):
    page = client.get(PAGE, {"near": "77352"}).content.decode()
    assert "ZIP code 77352 has no location of its own in our data: searching from the centre of Livingston, TX." in page


def test_a_military_code_and_an_ambiguous_city_are_field_errors_that_say_what_to_do(client):
    military = client.get(PAGE, {"near": "09001"})
    assert military.status_code == 400 and "type the city you are in" in military.content.decode()
    ambiguous = client.get(API, {"near": "springfield"})
    assert ambiguous.status_code == 400
    assert ambiguous.json()["near"][0].startswith("springfield: did you mean Springfield, IL, Springfield, MA")


def suggested_links(page: str) -> list[tuple[str, str]]:
    [found] = re.findall(r'<ul class="places-suggested".*?</ul>', page, re.S)
    return [(html.unescape(href), label) for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', found)]


def test_an_ambiguous_city_offers_each_place_it_may_be_as_a_search_with_the_same_choices(client):
    response = client.get(PAGE, {"near": "springfield", "radius": "50", "technique": "nucca", "page": "2"})
    assert response.status_code == 400
    links = suggested_links(response.content.decode())
    assert [label for _, label in links][:3] == ["Springfield, IL", "Springfield, MA", "Springfield, MO"]
    for href, label in links:
        query = QueryDict(href.removeprefix("?"))
        assert dict(query.lists()) == {"near": [label], "radius": ["50"], "technique": ["nucca"]}  # from page 1
    followed = client.get(PAGE + links[0][0]).content.decode()
    assert "near Springfield, IL" in followed and "places-suggested" not in followed


def test_a_city_not_in_the_state_given_offers_the_places_of_that_name_elsewhere(client):
    page = client.get(PAGE, {"near": "Springfield, WY"}).content.decode()
    assert "No such city: Springfield, WY. Did you mean Springfield, IL, Springfield, MA, Springfield, MO?" in page
    assert [label for _, label in suggested_links(page)] == ["Springfield, IL", "Springfield, MA", "Springfield, MO"]


def test_a_misspelled_city_offers_the_city_meant_and_its_link_searches_there(client):
    page = client.get(PAGE, {"near": "Bostn, MA"}).content.decode()
    assert "No such city: Bostn, MA. Did you mean Boston, MA?" in page
    [(href, label)] = suggested_links(page)
    assert label == "Boston, MA"
    assert "near Boston, MA" in client.get(PAGE + href).content.decode()


def test_a_place_nothing_resembles_offers_no_places(client):
    page = client.get(PAGE, {"near": "Qwzxv"}).content.decode()
    assert "No such place: Qwzxv." in page and "places-suggested" not in page


def test_the_folded_summary_on_a_phone_names_the_search_and_opens_the_form_without_javascript(client, boston):
    page = client.get(PAGE, {"near": "02108", "technique": "nucca"}).content.decode()
    assert '<div class="search-area folds">' in page
    assert "02108 - 25 mi - NUCCA" in page and 'href="#search-form">Edit' in page
    assert '<form class="search-form" id="search-form"' in page


def test_place_suggestions_are_best_first_with_coordinates(client):
    body = client.get(PLACES, {"q": "mont"}).json()
    assert len(body["results"]) == 10 and body["results"][0]["label"] == "Montréal, QC"
    assert set(body["results"][0]) == {"label", "latitude", "longitude"}
    assert client.get(PLACES, {"q": ""}).json() == {"results": []}
    assert client.get(PLACES, {"q": "<script>"}).json() == {"results": []}
    too_long = client.get(PLACES, {"q": "x" * 201})
    assert too_long.status_code == 400 and list(too_long.json()) == ["q"]


@pytest.mark.parametrize(
    ("near", "unit"),
    [("Montréal, QC", "km"), ("H2X", "km"), ("Toronto, ON", "km"), ("T2P-1J9", "km"), ("Iqaluit, NU", "km"),
     ("02108", "mi"), ("Los Angeles, CA", "mi"), ("42.36,-71.06", "mi"), ("45.5,-73.6", "mi")],
)  # fmt: skip
def test_a_place_searched_without_a_unit_is_measured_in_its_countrys(client, near, unit):
    for chosen in ({}, {"unit": ""}):  # not chosen: the form's first choice sends the unit empty
        page = client.get(PAGE, {"near": near, **chosen}).content.decode()
        assert f"within 25 {unit} of" in page
        assert '<option value="" selected>miles (km in Canada)</option>' in page  # the next search chooses again
    body = client.get(API, {"near": near}).json()
    assert body["next"] is None or f"unit={unit}" in body["next"]


def test_a_unit_the_patient_chose_is_kept_in_canada_too(client):
    page = client.get(PAGE, {"near": "H2X", "unit": "mi"}).content.decode()
    assert "within 25 mi of H2X" in page and '<option value="mi" selected>' in page
    assert "within 40 km of 02108" in client.get(PAGE, {"near": "02108", "unit": "km", "radius": "40"}).content.decode()


def test_the_form_keeps_the_techniques_asked_for_checked_whatever_their_case(client, nucca, blair):
    page = client.get(PAGE, {"near": "02108", "technique": ["NUCCA", "blair"]}).content.decode()
    checked = re.findall(
        r'<input type="checkbox" name="technique" value="([^"]+)" id="id_technique_\d+" checked>', page
    )
    assert sorted(checked) == ["blair", "nucca"]


def test_an_unknown_technique_leaves_every_box_unchecked_and_marked_invalid(client, nucca, blair):
    page = client.get(PAGE, {"near": "02108", "technique": "zzz"}).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="technique"[^>]*>', page)
    assert len(boxes) == Technique.objects.count()
    assert [box for box in boxes if " checked" in box or 'aria-invalid="true"' not in box] == []


@pytest.mark.parametrize(
    ("prefix", "chosen"), [("", '<option value="fr" selected>French</option>'),
                           ("/es", '<option value="fr" selected>Francés</option>')]
)  # fmt: skip
def test_the_language_select_names_languages_in_the_pages_language_and_keeps_the_chosen_one(client, prefix, chosen):
    page = client.get(f"{prefix}{PAGE}", {"near": "02108", "language": "fr"}).content.decode()
    select = re.search(r'<select name="language".*?</select>', page, re.S).group(0)
    assert chosen in select and select.count(" selected>") == 1
