"""GET /api/docs/: the API's reference as one of the site's own pages, read from the schema at /api/schema/."""

import copy
import html

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from directory.api import docs

pytestmark = pytest.mark.django_db

DOCS = reverse("api-docs")
PRACTITIONERS = "/api/v1/practitioners/"


@pytest.fixture
def schema(client) -> dict:
    return client.get(reverse("schema"), {"format": "json"}).json()


def test_the_docs_are_a_site_page_in_english(client):
    response = client.get(DOCS)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page and 'class="skip-link"' in page and 'id="main"' in page
    assert "swagger-ui" not in page


def test_the_docs_name_every_path_in_the_schema(client, schema):
    page = html.unescape(client.get(DOCS).content.decode())
    assert schema["paths"]
    for path in schema["paths"]:
        assert path in page, path


def test_the_docs_show_every_search_parameter_with_its_description(client, schema):
    page = client.get(DOCS).content.decode()
    parameters = schema["paths"][PRACTITIONERS]["get"]["parameters"]
    assert len(parameters) == 9
    for parameter in parameters:
        assert f"<code>{parameter['name']}</code></th>" in page, parameter["name"]
        assert html.escape(parameter["description"]).replace("`", "") in page.replace("<code>", "").replace(
            "</code>", ""
        ), parameter["name"]


def test_the_docs_give_an_example_to_try_and_link_the_raw_schema_and_swagger_ui(client):
    page = client.get(DOCS).content.decode()
    assert 'href="/api/v1/practitioners/?near=02108"' in page
    assert "curl &#x27;http://testserver/api/v1/practitioners/?near=02108&#x27;" in page
    assert 'href="/api/schema/"' in page and 'href="/api/schema/?format=json"' in page
    assert f'href="{reverse("api-swagger")}"' in page and "not fully accessible" in page


def test_the_docs_list_the_fields_of_a_search_answer_two_levels_down(client):
    page = client.get(DOCS).content.decode()
    assert f"The 200 body of {PRACTITIONERS}: SearchPage</caption>" in page
    for component in ("Practitioner", "Location", "Technique", "Origin"):
        assert f"{component}, within the 200 body of {PRACTITIONERS}</caption>" in page, component


def test_the_docs_escape_markup_in_the_schemas_descriptions(client, monkeypatch):
    hostile = copy.deepcopy(docs.api_schema())
    parameters = hostile["paths"][PRACTITIONERS]["get"]["parameters"]
    parameters[0]["description"] = '<script>alert("x")</script> <b>bold</b> and `code`'
    monkeypatch.setattr(docs, "api_schema", lambda: hostile)
    docs.endpoints.cache_clear()
    try:
        page = client.get(DOCS).content.decode()
    finally:
        docs.endpoints.cache_clear()
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt; and <code>code</code>" in page


def test_the_docs_cost_no_database_query_beyond_the_session(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        assert "Search practitioners</h2>" in client.get(DOCS).content.decode()
    client.force_login(get_user_model().objects.create_user("reader@example.com", password="pw-123456789"))
    with django_assert_max_num_queries(2):  # the session and its user, as on every page
        assert "Search practitioners</h2>" in client.get(DOCS).content.decode()


def test_the_docs_page_needs_no_relaxed_content_security_policy(client):
    policy = client.get(DOCS)["Content-Security-Policy"]
    assert "unsafe-inline" not in policy


def test_swagger_ui_stays_reachable_from_its_own_address(client):
    response = client.get(reverse("api-swagger"))
    assert response.status_code == 200 and b"swagger-ui" in response.content
