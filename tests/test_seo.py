"""What search engines read: technique pages, sitemap.xml, robots.txt, titles and JSON-LD."""

import json
import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import LocationFactory, PractitionerFactory, practitioner_at

pytestmark = pytest.mark.django_db


def test_a_technique_page_explains_the_technique_and_lists_its_practitioners_by_name(client, nucca, blair):
    practitioner_at(42.0, -71.0, techniques=[nucca], name="Zoe NUCCA")
    practitioner_at(43.0, -72.0, techniques=[nucca, blair], name="Adam Both")
    practitioner_at(44.0, -73.0, techniques=[blair], name="Blair Only")
    practitioner_at(45.0, -74.0, techniques=[nucca], name="Hidden", status="pending")
    response = client.get(reverse("directory:technique-detail", kwargs={"slug": "nucca"}))
    html = response.content.decode()
    assertContains(response, nucca.description)
    assertContains(response, "2 practitioners offering NUCCA")
    assert html.index("Adam Both") < html.index("Zoe NUCCA")
    assertNotContains(response, "Blair Only")
    assertNotContains(response, "Hidden")
    assertContains(response, "<title>NUCCA upper cervical chiropractors | Upper Cervical Directory</title>")
    assertContains(response, '<meta name="description" content="What NUCCA is')


def test_an_unknown_technique_page_is_not_found(client):
    assert client.get("/techniques/reiki/").status_code == 404


def test_the_sitemap_lists_published_practitioners_and_every_technique(client, nucca):
    published = practitioner_at(42.0, -71.0, name="Listed")
    hidden = practitioner_at(42.0, -71.0, name="Hidden", status="pending")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"http://testserver{published.get_absolute_url()}" in body
    assert hidden.get_absolute_url() not in body
    assert "http://testserver/techniques/nucca/" in body and "http://testserver/techniques/hio/" in body
    assert "<lastmod>" in body


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_admin_and_api(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /admin/" in text and "Disallow: /api/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_a_profile_carries_schema_org_physician_data(client, nucca):
    practitioner = PractitionerFactory(name="Dr. Ada </script><b>Atlas", techniques=[nucca], phone="617-555-0100")
    LocationFactory(practitioner=practitioner, clinic_name="Atlas Clinic", latitude=42.36, longitude=-71.06)
    response = client.get(practitioner.get_absolute_url())
    html = response.content.decode()
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block)
    assert data["@type"] == "Physician"
    assert data["name"] == "Dr. Ada </script><b>Atlas, DC"  # escaped in the page, intact as data
    assert data["telephone"] == "617-555-0100"
    assert data["knowsAbout"] == ["NUCCA"]
    assert data["address"]["postalCode"] == "02108"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 42.36, "longitude": -71.06}
    assert data["location"][0]["name"] == "Atlas Clinic"
    assert "<b>Atlas" not in html


def test_every_page_has_its_own_title_and_description(client, nucca):
    practitioner = practitioner_at(42.36, -71.06, name="Dr. Ada Atlas")
    pages = [
        "/",
        "/search/?near=02108",
        "/search/",
        "/techniques/nucca/",
        practitioner.get_absolute_url(),
        "/for-practitioners/",
    ]
    titles, descriptions = set(), set()
    for path in pages:
        html = client.get(path).content.decode()
        titles.add(re.search(r"<title>(.*?)</title>", html, re.S).group(1))
        descriptions.add(re.search(r'<meta name="description" content="(.*?)">', html, re.S).group(1))
    assert len(titles) == len(pages) and len(descriptions) == len(pages)


def test_the_results_page_gives_the_map_numbered_markers_and_the_origin(client):
    practitioner_at(42.37, -71.06, name="First")
    practitioner_at(42.40, -71.06, name="Second")
    html = client.get("/search/?near=02108").content.decode()
    data = json.loads(re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html).group(1))
    assert [marker["number"] for marker in data["markers"]] == [1, 2]
    assert [marker["name"] for marker in data["markers"]] == ["First, DC", "Second, DC"]
    assert data["origin"]["label"] == "02108 (Boston, MA)"
    tiles = json.loads(re.search(r'<script id="map-tiles" type="application/json">(.*?)</script>', html).group(1))
    assert tiles["url"].startswith("http://127.0.0.1:9/")


@pytest.mark.parametrize(
    ("path", "content_type", "magic"),
    [("/favicon.ico", "image/", b"\x00\x00\x01\x00"), ("/apple-touch-icon.png", "image/png", b"\x89PNG")],
)
def test_the_icons_browsers_ask_for_at_the_root_are_served(client, path, content_type, magic):
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith(content_type)
    assert b"".join(response.streaming_content).startswith(magic)


def test_every_page_names_its_icons(client):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in page and '<link rel="apple-touch-icon"' in page
