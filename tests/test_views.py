"""The patient's pages: landing, search results and profile."""

import re

import pytest
from django.urls import reverse
from geopy.distance import geodesic
from pytest_django.asserts import assertContains, assertNotContains

from directory.models import Practitioner
from directory.places import place_index
from tests.factories import LocationFactory, PractitionerFactory, practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = pytest.mark.django_db

SEARCH = reverse("directory:search")


def test_the_landing_page_offers_the_search_form_and_the_techniques(client):
    response = client.get(reverse("directory:home"))
    assertContains(response, "Find an Upper Cervical Chiropractor")
    assertContains(response, 'name="near"')
    assertContains(response, "NUCCA")
    assertContains(response, "CC BY 4.0")


class TestSearchPage:
    def test_it_lists_practitioners_nearest_first_with_distance_clinic_and_phone(self, client, nucca):
        near = practitioner_at(*destination(BOSTON, 3), techniques=[nucca], name="Dr. Near")
        practitioner_at(*destination(BOSTON, 15), name="Dr. Further")
        response = client.get(SEARCH, {"near": "02108", "radius": "25"})
        html = response.content.decode()
        assert response.status_code == 200
        assert html.index("Dr. Near") < html.index("Dr. Further")
        assertContains(response, "1.9 mi away")  # 3 km
        assertContains(response, near.locations.get().clinic_name)
        assertContains(response, "555-0100")
        assertContains(response, near.get_absolute_url())
        assertContains(response, "2 practitioners within 25 mi of 02108 (Boston, MA)")

    def test_it_shows_distances_in_kilometres_when_asked(self, client):
        practitioner_at(*destination(BOSTON, 3))
        assertContains(client.get(SEARCH, {"near": "02108", "unit": "km"}), "3.0 km away")

    def test_it_says_when_nothing_is_near_and_offers_the_three_nearest_beyond(self, client):
        for km in (300, 400, 500, 600):
            practitioner_at(*destination(BOSTON, km), name=f"Dr. {km}")
        response = client.get(SEARCH, {"near": "02108", "radius": "25"})
        assertContains(response, "No practitioners found within 25 mi of 02108 (Boston, MA)")
        assertContains(response, "nearest practitioners")
        assertContains(response, "186.4 mi away")  # 300 km
        assertContains(response, "Dr. 500")
        assertNotContains(response, "Dr. 600")

    def test_it_says_so_when_nobody_offers_the_techniques_at_all(self, client, nucca):
        practitioner_at(*destination(BOSTON, 3))
        response = client.get(SEARCH, {"near": "02108", "technique": "nucca"})
        assertContains(response, "No practitioners found")
        assertContains(response, "No practitioner offering these techniques is listed yet.")

    def test_it_pages_results_and_keeps_the_search_in_the_page_links(self, client):
        for index in range(25):
            practitioner_at(*destination(BOSTON, 1 + index / 10), name=f"Dr. {index:02d}")
        first = client.get(SEARCH, {"near": "02108"})
        assertContains(first, "Page 1 of 2")
        assertContains(first, "?near=02108&amp;radius=25&amp;unit=mi&amp;page=2")  # the validated search only
        second = client.get(SEARCH, {"near": "02108", "page": "2"})
        assertContains(second, "Dr. 24")
        assertNotContains(second, "Dr. 00")

    def test_a_page_past_the_end_is_not_found_and_says_how_many_pages_there_are(self, client):
        practitioner_at(*destination(BOSTON, 1))
        for _ in range(2):  # made, then served from the cache as it was
            response = client.get(SEARCH, {"near": "02108", "page": "3", "technique": ""})
            assertContains(response, "This search has no page 3", status_code=404)
            assertContains(response, "It has 1 page of results now.", status_code=404)
            assertContains(
                response, '<a href="?near=02108&amp;radius=25&amp;unit=mi">See the first page</a>', status_code=404
            )
        assertContains(
            client.get("/es/search/", {"near": "02108", "page": "3"}),
            "Esta búsqueda no tiene página 3",
            status_code=404,
        )

    @pytest.mark.parametrize("page", ["0", "abc", "-1", "\u0663", "\u00b2"])
    def test_a_page_that_is_not_a_whole_number_of_1_or_more_is_a_400_naming_it(self, client, page):
        response = client.get(SEARCH, {"near": "02108", "page": page})
        assert response.status_code == 400
        assertContains(response, "Page: Enter a whole page number of 1 or more", status_code=400)

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"near": "00000"}, "No such ZIP code: 00000"),
            ({"near": "02108", "radius": "0"}, "Enter a radius greater than 0."),
            ({"near": "02108", "radius": "nan"}, "Enter a number."),
            ({"near": "02108", "radius": "9999"}, "Enter a radius of at most 500 mi."),
            ({"near": "02108", "technique": "reiki"}, "Unknown technique: reiki"),
            ({"near": "02108\x00"}, "Null characters are not allowed."),
        ],
    )
    def test_bad_input_is_answered_beside_the_field(self, client, params, message):
        response = client.get(SEARCH, params)
        assert response.status_code == 400
        assertContains(response, message, status_code=400)
        assertContains(response, 'aria-invalid="true"', status_code=400)

    def test_markup_in_the_input_is_escaped_not_reflected(self, client):
        attack = '"><script>alert(1)</script>'
        response = client.get(SEARCH, {"near": attack, "technique": attack})
        assert response.status_code == 400
        assert b"<script>alert(1)" not in response.content
        assertContains(response, "&lt;script&gt;", status_code=400)

    def test_5000_characters_get_a_field_error(self, client):
        response = client.get(SEARCH, {"near": "x" * 5000})
        assertContains(response, "at most 200 characters", status_code=400)

    def test_a_radius_typed_into_the_url_stays_selected(self, client):
        response = client.get(SEARCH, {"near": "02108", "radius": "30"})
        assertContains(response, '<option value="30" selected>')

    def test_it_needs_a_constant_number_of_queries(
        self, client, django_assert_max_num_queries, nucca, blair, unprepared
    ):
        for index in range(30):
            practitioner = practitioner_at(*destination(BOSTON, 1 + index), techniques=[nucca, blair])
            LocationFactory(practitioner=practitioner, latitude=42.5, longitude=-71.2)
        client.get(SEARCH, {"near": "10001"})  # the techniques are read once per public version, then cached
        search = {"near": "02108", "radius": "50", "technique": ["nucca", "blair"]}
        with django_assert_max_num_queries(5):  # the public version, count, page, its locations, its techniques
            response = client.get(SEARCH, search)
        assert response.status_code == 200
        with django_assert_max_num_queries(1):  # the same search again: the public version, then the cache
            assert client.get(SEARCH, search).content == response.content

    def test_without_a_place_it_lists_everyone_alphabetically(self, client):
        practitioner_at(10, 10, name="Zoe Last")
        practitioner_at(50, 50, name="Adam First")
        response = client.get(SEARCH)
        html = response.content.decode()
        assert html.index("Adam First") < html.index("Zoe Last")
        assertNotContains(response, "away")


class TestProfilePage:
    def test_it_shows_every_location_with_directions_techniques_and_contact(self, client, nucca):
        practitioner = PractitionerFactory(
            name="Dr. Ada Atlas", techniques=[nucca], website="https://example.com", bio="Twenty years of NUCCA."
        )
        LocationFactory(practitioner=practitioner, clinic_name="Downtown Clinic", address_line1="1 Main St")
        LocationFactory(practitioner=practitioner, clinic_name="Suburb Clinic", city="Newton", postal_code="02458")
        response = client.get(practitioner.get_absolute_url())
        assertContains(response, "Dr. Ada Atlas, DC")
        assertContains(response, "Downtown Clinic")
        assertContains(response, "Suburb Clinic")
        assertContains(response, "NUCCA")
        assertContains(response, "Twenty years of NUCCA.")
        assertContains(response, "https://www.google.com/maps/dir/?api=1&amp;destination=1+Main+St")
        assertContains(response, "<title>Dr. Ada Atlas, DC: upper cervical chiropractor in Boston, MA")

    @pytest.mark.parametrize("status", [Practitioner.Status.PENDING, Practitioner.Status.REJECTED])
    def test_a_practitioner_who_is_not_published_is_not_found(self, client, status):
        practitioner = practitioner_at(42.0, -71.0, status=status)
        assert client.get(practitioner.get_absolute_url()).status_code == 404

    def test_an_outdated_slug_redirects_to_the_current_address(self, client):
        practitioner = practitioner_at(42.0, -71.0, name="Dr. New Name")
        response = client.get(reverse("directory:practitioner-detail", kwargs={"pk": practitioner.pk, "slug": "old"}))
        assert response.status_code == 301
        assert response["Location"] == practitioner.get_absolute_url()

    def test_an_unknown_practitioner_is_not_found(self, client):
        assert client.get("/practitioners/999999-nobody/").status_code == 404


def test_a_profile_reads_its_locations_once(client, django_assert_num_queries, nucca):
    practitioner = PractitionerFactory(techniques=[nucca])
    for _ in range(3):
        LocationFactory(practitioner=practitioner)
    # the practitioner, its techniques, its verified training, its locations, its approved photos
    with django_assert_num_queries(5):
        assert client.get(practitioner.get_absolute_url()).status_code == 200


def test_each_result_shows_the_first_line_of_the_bio_cut_at_a_word(client):
    long_bio = "Dr. Lane corrects the atlas with NUCCA. " * 8 + "\n\nA second paragraph, not shown in results."
    practitioner_at(*destination(BOSTON, 2), name="Dr. Lane", bio=long_bio, accepting_new_patients=False)
    practitioner_at(*destination(BOSTON, 3), name="Dr. Short", bio="Blair and NUCCA.\nSeen weekdays.")
    page = client.get(SEARCH, {"near": "02108"}).content.decode()
    [shown] = re.findall(r'<p class="bio">([^<]*)</p>', page)[:1]
    assert shown.endswith("\u2026") and len(shown) <= 140 and shown[:-1] in long_bio and "second paragraph" not in page
    assert '<p class="bio">Blair and NUCCA. Seen weekdays.</p>' in page
    assert "Not accepting new patients" in page and "Accepting new patients" in page


class TestProfileFromASearch:
    def test_each_result_links_to_its_profile_with_the_search(self, client):
        practitioner_at(*destination(BOSTON, 5), name="Dr. Linked")
        page = client.get(SEARCH, {"near": "02108", "radius": "10"}).content.decode()
        assert re.search(r'href="/practitioners/\d+-dr-linked/\?near=02108&amp;radius=10&amp;unit=mi"', page)

    def test_the_profile_leads_back_to_the_results_and_says_how_far_it_is(self, client):
        practitioner = practitioner_at(*destination(BOSTON, 5), name="Dr. Far")
        location = practitioner.locations.get()
        page = client.get(practitioner.get_absolute_url(), {"near": "02108", "radius": "10", "unit": "mi"})
        text = page.content.decode()
        assert f'href="{SEARCH}?near=02108&amp;radius=10&amp;unit=mi">Back to the results</a>' in text
        place = "02108 (Boston, MA)"
        miles = geodesic(place_point("02108"), (location.latitude, location.longitude)).miles
        assert f"{miles:.1f} mi from {place}" in text

    def test_the_distance_it_gives_is_its_nearest_locations_and_the_locations_are_listed_nearest_first(self, client):
        practitioner = practitioner_at(*destination(BOSTON, 8), name="Dr. Two Offices")  # the first location added
        nearer = LocationFactory(practitioner=practitioner, clinic_name="Nearer Office", city="Boston")
        nearer.latitude, nearer.longitude = destination(BOSTON, 2)
        nearer.save()
        text = client.get(practitioner.get_absolute_url(), {"near": "02108"}).content.decode()
        miles = geodesic(place_point("02108"), (nearer.latitude, nearer.longitude)).miles
        [headline] = re.findall(r'<p class="distance">(.*?)</p>', text, re.S)[:1]
        assert (
            headline.startswith(f"{miles:.1f} mi from 02108 (Boston, MA)") and "the nearest of 2 locations" in headline
        )
        assert text.index("Nearer Office") < text.index(practitioner.locations.order_by("pk").first().clinic_name)

    def test_the_call_and_directions_buttons_come_before_the_bio(self, client):
        practitioner = practitioner_at(*destination(BOSTON, 5), name="Dr. Quick", bio="A long story.")
        text = client.get(practitioner.get_absolute_url()).content.decode()
        call, directions = text.index('class="button" href="tel:+1-617-555-0100"'), text.index(">Directions<")
        about = text.index("<h2>About</h2>")
        assert call < about and directions < about

    def test_a_profile_opened_without_a_search_or_with_a_broken_one_shows_neither(self, client):
        practitioner = practitioner_at(*destination(BOSTON, 5), name="Dr. Plain")
        for query in ({}, {"near": "00000"}, {"radius": "-1", "near": "02108"}, {"near": ""}):
            response = client.get(practitioner.get_absolute_url(), query)
            assert response.status_code == 200
            assert "Back to the results" not in response.content.decode()

    def test_the_profile_names_its_address_without_the_search_as_canonical(self, client):
        practitioner = practitioner_at(*destination(BOSTON, 5), name="Dr. Canon")
        text = client.get(practitioner.get_absolute_url(), {"near": "02108"}).content.decode()
        assert f'<link rel="canonical" href="http://testserver{practitioner.get_absolute_url()}">' in text


def place_point(zip_code: str) -> tuple[float, float]:
    point = place_index().zip_codes[zip_code].point
    return point.latitude, point.longitude
