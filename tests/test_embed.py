"""The embeddable search: the box any site may frame (/embed/), its script (/embed.js), its colours and the page
that builds a site owner's snippet (/embed/build/). The browser side is tests/e2e/test_embed.py."""

import re
from html import unescape

import pytest
from django.test import override_settings
from pytest_django.asserts import assertContains, assertNotContains

from directory.embed import contrast, hex_colour

pytestmark = pytest.mark.django_db

FRAMEABLE = ["/embed/", "/embed/?technique=nucca"]
NOT_FRAMEABLE = ["/", "/search/?near=02108", "/techniques/nucca/", "/embed/build/", "/for-practitioners/"]


@pytest.fixture(autouse=True)
def site_host(settings) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "directory.example"]


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


def selected(html: str, select_id: str) -> str | None:
    """The value of the option selected in the <select> with this id."""
    select = re.search(rf'<select name="\w+" id="{select_id}">(.*?)</select>', html, re.S).group(1)
    match = re.search(r'<option value="([^"]*)" selected>', select)
    return match.group(1) if match else None


@pytest.mark.parametrize("path", FRAMEABLE)
def test_the_box_may_be_framed_by_any_site(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == "*"
    assert "X-Frame-Options" not in response


@pytest.mark.parametrize("path", FRAMEABLE)
def test_the_box_keeps_the_rest_of_the_policy(client, path):
    policy = directives(client.get(path))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["form-action"] == "'self'"


@pytest.mark.parametrize("path", NOT_FRAMEABLE)
def test_every_other_page_still_refuses_to_be_framed(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


@override_settings(X_FRAME_OPTIONS="DENY")
def test_in_production_too_only_the_box_drops_x_frame_options(client):
    assert "X-Frame-Options" not in client.get("/embed/")
    assert client.get("/").headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/embed/?technique=nucca&near=02108", "/embed.js", "/embed/theme.css"])
def test_the_embed_sets_no_cookie_and_does_not_vary_by_cookie(client, path):
    response = client.get(path)
    assert response.cookies == {}
    assert "Set-Cookie" not in response
    assert "Cookie" not in response.get("Vary", "")
    assert "public" in response["Cache-Control"]


def test_a_visitor_with_a_session_gets_the_same_box_and_no_new_cookie(client, owner):
    client.force_login(owner)
    response = client.get("/embed/?technique=nucca")
    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "Sign out" not in response.content.decode()


def test_the_box_is_a_get_form_opening_the_absolute_search_url_in_the_top_window(client):
    html = client.get("/embed/", HTTP_HOST="directory.example").content.decode()
    assert '<form method="get" action="http://directory.example/search/" target="_top"' in html
    assert "Find an Upper Cervical Chiropractor" in html
    assert "Start Your Search Now" in html
    assert 'class="site-header"' not in html and 'class="site-footer"' not in html
    assert '<meta name="robots" content="noindex">' in html


def test_the_box_answers_only_get_and_head(client):
    assert client.post("/embed/").status_code == 405
    assert client.head("/embed/").status_code == 200


def test_a_technique_place_and_distance_are_preset(client):
    html = client.get("/embed/?technique=nucca&near=Boston,%20MA&radius=50&unit=km").content.decode()
    assert selected(html, "embed-technique") == "nucca"
    assert selected(html, "embed-radius") == "50"
    assert selected(html, "embed-unit") == "km"
    assert 'value="Boston, MA"' in html


def test_a_technique_is_matched_ignoring_case_as_the_search_does(client):
    assert selected(client.get("/embed/?technique=NUCCA").content.decode(), "embed-technique") == "nucca"


def test_without_presets_the_box_starts_on_any_technique_within_25(client):
    html = client.get("/embed/").content.decode()
    assert selected(html, "embed-technique") is None  # the first option, "Any technique"
    assert selected(html, "embed-radius") == "25"
    assert 'id="embed-near" value=""' in html


def test_an_unknown_technique_is_ignored_and_a_known_one_beside_it_kept(client):
    response = client.get("/embed/?technique=reiki&technique=blair")
    assert response.status_code == 200
    assert selected(response.content.decode(), "embed-technique") == "blair"
    assertNotContains(response, "reiki")


@pytest.mark.parametrize(
    "query",
    [
        "near=%3Cscript%3Ealert(1)%3C/script%3E",
        "near=00000",  # no such ZIP
        "near=" + "x" * 5000,
        "radius=-3&unit=furlongs",
        "radius=nan",
        "radius=%D9%A3",  # an Arabic-Indic digit
        "technique=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E",
        "technique=" + "&technique=".join(["nucca"] * 200),
        "accent=%22%3E%3C/style%3E&accent_text=red",
        "lang=es&page=-1&verified=maybe",
        "lang=%3Cb%3E&near=%3Cscript%3Ealert(1)%3C/script%3E",
    ],
)
def test_hostile_presets_give_the_plain_box_never_an_error_nor_their_markup(client, query):
    response = client.get(f"/embed/?{query}", follow=True)  # lang: to the box's address in that language
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html and "onerror" not in html and "furlongs" not in html
    assert 'class="field-errors"' not in html
    assert 'id="embed-near" value=""' in html


def test_a_valid_place_is_shown_back_escaped_and_a_refused_one_not_at_all(client):
    assertContains(client.get("/embed/?near=02108"), 'value="02108"')
    assertNotContains(client.get("/embed/?near=00000"), "00000")


def test_readable_colours_are_served_as_a_stylesheet_and_unreadable_ones_fall_back(client):
    html = client.get("/embed/?accent=7a0b3d&accent_text=fff").content.decode()
    assert 'href="/embed/theme.css?accent=7a0b3d&amp;accent_text=ffffff"' in html
    theme = client.get("/embed/theme.css?accent=7a0b3d&accent_text=fff")
    assert theme["Content-Type"] == "text/css; charset=utf-8"
    assert "--embed-accent: #7a0b3d; --embed-accent-text: #ffffff;" in theme.content.decode()
    assert "theme.css" not in client.get("/embed/?accent=ffff00&accent_text=ffffff").content.decode()
    assert "#0b5d7a" in client.get("/embed/theme.css?accent=ffff00&accent_text=ffffff").content.decode()
    assert "#0b5d7a" in client.get("/embed/theme.css?accent=;}body{display:none").content.decode()


def test_hex_colours_and_contrast():
    assert hex_colour("#0B5D7A") == "#0b5d7a"
    assert hex_colour("0b5d7a") == "#0b5d7a"
    assert hex_colour("#fff") == "#ffffff"
    for bad in ("", "red", "#12345", "#0b5d7a;", "url(x)", None):
        assert hex_colour(bad) is None
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#0b5d7a", "#ffffff") > 4.5


def test_the_script_is_javascript_cached_for_an_hour_and_checks_who_sends_heights(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "max-age=3600" in response["Cache-Control"]
    assert "Access-Control-Allow-Origin" not in response  # a <script> tag needs no CORS
    script = response.content.decode()
    assert "event.origin !== origin" in script
    assert "event.source !== frame.contentWindow" in script
    assert "document.currentScript" in script
    assert "frame.title" in script


def test_the_box_posts_only_its_height_to_whoever_frames_it(client):
    frame_script = b"".join(client.get("/static/directory/embed-frame.js").streaming_content).decode()
    assert 'window.parent.postMessage({ upperCervicalEmbedHeight: height }, "*")' in frame_script
    assert "ResizeObserver" in frame_script


def test_the_footer_links_to_the_builder(client):
    assertContains(client.get("/"), 'href="/embed/build/">Put this search on your site</a>')


class TestBuilder:
    def test_the_builder_starts_with_the_default_box_snippet_and_its_preview(self, client):
        response = client.get("/embed/build/", HTTP_HOST="directory.example")
        html = response.content.decode()
        assert response.status_code == 200
        assert "&lt;script src=&quot;http://directory.example/embed.js&quot; async&gt;&lt;/script&gt;" in html
        assert '<iframe class="embed-preview-frame" id="embed-preview" tabindex="-1" src="/embed/"' in html

    def test_an_option_left_out_of_the_address_is_its_default(self, client):
        response = client.get("/embed/build/?technique=nucca", HTTP_HOST="directory.example")
        assert response.status_code == 200
        assertContains(response, "data-technique=&quot;nucca&quot; async&gt;")

    def test_a_technique_place_and_colours_go_into_the_box_snippet(self, client):
        query = "variant=box&technique=nucca&near=Boston,+MA&accent=%237a0b3d&accent_text=%23ffffff"
        html = client.get(f"/embed/build/?{query}", HTTP_HOST="directory.example").content.decode()
        snippet = unescape(re.search(r'id="embed-snippet" readonly rows="4">(.*?)</textarea>', html, re.S).group(1))
        assert snippet == (
            '<script src="http://directory.example/embed.js" data-technique="nucca" data-near="Boston, MA" '
            'data-accent="#7a0b3d" data-accent-text="#ffffff" async></script>'
        )
        assert 'src="/embed/?technique=nucca&amp;near=Boston%2C+MA&amp;accent=7a0b3d&amp;accent_text=ffffff"' in html

    def test_the_button_is_a_plain_styled_link_to_the_search(self, client):
        query = "variant=button&technique=nucca&near=&accent=%230b5d7a&accent_text=%23ffffff"
        html = client.get(f"/embed/build/?{query}", HTTP_HOST="directory.example").content.decode()
        snippet = unescape(re.search(r'id="embed-snippet" readonly rows="4">(.*?)</textarea>', html, re.S).group(1))
        assert snippet.startswith('<a href="http://directory.example/search/?technique=nucca" style="display:inline')
        assert "background:#0b5d7a;color:#ffffff;" in snippet
        assert snippet.endswith(">Find an Upper Cervical Chiropractor — Start Your Search Now</a>")
        assert "<script" not in snippet
        assert '<a class="embed-button-preview" href="/search/?technique=nucca">' in html

    @pytest.mark.parametrize(
        ("query", "field", "message"),
        [
            ("accent=red&accent_text=%23ffffff", "accent", "Enter a colour as #rrggbb"),
            ("accent=%23ffff00&accent_text=%23ffffff", "accent_text", "hard to read on that button colour (1.1:1)"),
            ("technique=reiki&accent=%230b5d7a&accent_text=%23ffffff", "technique", "Select a valid choice"),
            ("near=00000&accent=%230b5d7a&accent_text=%23ffffff", "near", "00000"),
            ("variant=popup&accent=%230b5d7a&accent_text=%23ffffff", "variant", "Select a valid choice"),
        ],
    )
    def test_refused_options_are_said_at_their_field_and_give_no_snippet(self, client, query, field, message):
        response = client.get(f"/embed/build/?{query}")
        assert response.status_code == 400
        html = response.content.decode()
        errors = re.search(rf'<ul class="field-errors" id="{field}-errors" data-live>(.*?)</ul>', html, re.S).group(1)
        assert message in unescape(errors)
        assert 'id="embed-snippet"' not in html
        assert "Fix the options above to get your snippet." in html

    def test_hostile_text_in_the_place_is_escaped_in_the_snippet(self, client):
        html = client.get('/embed/build/?near="><script>x</script>&accent=%230b5d7a&accent_text=%23fff').content
        assert b"<script>x" not in html


@pytest.mark.parametrize(("lang", "box"), [("es", "/es/embed/"), ("FR-CA", "/fr-ca/embed/"), ("en", "/embed/")])
def test_lang_opens_the_box_in_that_language_with_its_presets(client, lang, box):
    response = client.get("/embed/", {"technique": "nucca", "lang": lang})
    assert response.status_code == 302
    assert response["Location"] == f"{box}?technique=nucca"
    framed = client.get(response["Location"])
    assert framed.status_code == 200
    expected = {"es": 'lang="es"', "FR-CA": 'lang="fr-CA"', "en": 'lang="en"'}[lang]
    assertContains(framed, expected)
    assertContains(framed, f'action="http://testserver{box.removesuffix("embed/")}search/"')


def test_a_lang_the_site_does_not_speak_is_left_out(client):
    response = client.get("/embed/", {"lang": "<de>", "near": "02108"})
    assert response.status_code == 302 and response["Location"] == "/embed/?near=02108"
