"""The search form (directory_tags.search_form): filled in as it was sent, each error beside its field and tied
to it for screen readers, escaped, in each language, and the same form on the landing, search and technique
pages."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from tests.test_result_cards import Balance

pytestmark = pytest.mark.django_db

SEARCH = reverse("directory:search")


def the_form(page: str) -> str:
    [form] = re.findall(r'<form class="search-form".*?</form>', page, re.S)
    return form


def ids(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


@pytest.mark.parametrize(
    ("field", "value", "control", "errors_id"),
    [
        ("near", "00000", "id_near", "near-errors"),
        ("radius", "9999", "id_radius", "radius-errors"),
        ("unit", "furlong", "id_unit", "unit-errors"),
        ("technique", "reiki", "id_technique_0", "technique-errors"),
        ("language", "xx", "id_language", "language-errors"),
        ("accepting_new_patients", "maybe", "id_accepting_new_patients", "accepting-errors"),
        ("verified", "nope", "id_verified", "verified-errors"),
    ],
)
def test_each_fields_error_is_beside_it_and_named_by_its_control(client, nucca, field, value, control, errors_id):
    form = the_form(client.get(SEARCH, {"near": "02108", field: value}).content.decode())

    [tag] = re.findall(rf'<(?:input|select)[^>]*\sid="{control}"[^>]*>', form)
    assert 'aria-invalid="true"' in tag
    if field != "technique":  # the checkboxes' fieldset names the errors, not each box
        assert re.search(rf'aria-describedby="[^"]*\b{errors_id}\b', tag)
    assert f'<ul class="field-errors" id="{errors_id}"><li>' in form
    boxes = form.count('name="technique"')
    assert form.count('aria-invalid="true"') == (boxes if field == "technique" else 1)  # every box, or the one


def test_a_page_error_is_said_once_above_the_button(client):
    form = the_form(client.get(SEARCH, {"near": "02108", "page": "0"}).content.decode())

    assert '<div class="errors" role="alert"><p>Page: Enter a whole page number of 1 or more' in form


def test_what_the_patient_typed_comes_back_escaped_in_its_box(client):
    typed = '"><script>alert(1)</script>'

    form = the_form(client.get(SEARCH, {"near": typed}).content.decode())

    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in form
    assert "<script>" not in form


def test_the_form_keeps_every_choice_it_was_sent(client, nucca):
    sent = {"near": "02108", "radius": "50", "unit": "km", "technique": "nucca", "language": "es",
            "accepting_new_patients": "true", "verified": "true"}  # fmt: skip

    form = the_form(client.get(SEARCH, sent).content.decode())

    assert 'value="02108"' in form
    assert '<option value="50" selected>within 50</option>' in form
    assert '<option value="km" selected>kilometres</option>' in form
    assert re.search(r'value="nucca" id="id_technique_\d+" checked>', form)
    assert '<option value="es" selected>' in form
    assert 'id="id_accepting_new_patients" checked>' in form
    assert 'aria-describedby="verified-help" checked>' in form
    assert 'aria-invalid="true"' not in form


def test_the_form_is_whole_with_unique_ids_and_the_same_on_every_page_that_offers_it(client, nucca):
    pages = [reverse("directory:home"), SEARCH, nucca.get_absolute_url()]

    forms = [the_form(client.get(page).content.decode()) for page in pages]

    assert forms[0] == forms[1]
    assert forms[2] == re.sub(r'(value="nucca" id="id_technique_\d+")', r"\1 checked", forms[0])  # its technique
    parser = Balance()
    parser.feed(forms[0])
    assert parser.open == []
    assert max(ids(forms[0]).values()) == 1
    assert f'action="{SEARCH}"' in forms[0]


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("/es", ["Buscar un profesional", 'action="/es/search/"', "Usar mi ubicación"]),
        ("/fr-ca", ["Trouver un praticien", 'action="/fr-ca/search/"', "Utiliser ma position"]),
    ],
)
def test_the_form_speaks_the_pages_language(client, prefix, words):
    form = the_form(client.get(prefix + SEARCH).content.decode())

    for word in words:
        assert word in form
    assert "Use my location" not in form
