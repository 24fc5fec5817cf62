"""Cached search answers: a repeated search is answered from the cache, and every write a patient could see is
seen by the very next search, page and API alike; ETag and 304 for clients that ask again."""

import csv
import io
import os

import pytest
import redis
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.views import APIView

from directory.answers import VERSION_KEY, public_version, public_version_bump, techniques_at, version_offer
from directory.models import Practitioner, PublicVersion
from practice import services
from practice.listing import listing_values
from tests.factories import UserFactory, owned_listing
from tests.test_scaling import redis_is_running

pytestmark = pytest.mark.django_db

API = "/api/v1/practitioners/"
PAGE = "/search/"
NEAR = {"near": "02108", "radius": "25"}


def api_names(client: Client, **params: str) -> list[str]:
    return [result["name"] for result in client.get(API, {**NEAR, **params}).json()["results"]]


def page_text(client: Client, **params: str) -> str:
    return client.get(PAGE, {**NEAR, **params}).content.decode()


@pytest.fixture
def moderator(db):
    return UserFactory(email="moderator@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def listing(owner) -> Practitioner:
    return owned_listing(owner, name="Dr. Ada Atlas", status=Practitioner.Status.PENDING)


def test_publishing_is_seen_by_the_very_next_search(client, listing, moderator):
    assert api_names(client) == [] and "Dr. Ada Atlas" not in page_text(client)  # answered and cached
    services.listing_publish(practitioner=listing, moderator=moderator)
    assert api_names(client) == ["Dr. Ada Atlas"]
    assert "Dr. Ada Atlas" in page_text(client)


def test_unpublishing_is_seen_by_the_very_next_search(client, listing, moderator):
    services.listing_publish(practitioner=listing, moderator=moderator)
    assert api_names(client) == ["Dr. Ada Atlas"] and "Dr. Ada Atlas" in page_text(client)
    services.listing_unpublish(practitioner=listing, moderator=moderator, reason="The clinic closed.")
    assert api_names(client) == []
    assert "Dr. Ada Atlas" not in page_text(client)
    listing.refresh_from_db()
    assert listing.status_in_words == "Rejected: The clinic closed."


def test_an_approved_revision_is_seen_by_the_very_next_search(client, owner, moderator):
    listing = owned_listing(owner, name="Dr. Ada Atlas")
    assert api_names(client) == ["Dr. Ada Atlas"] and "Dr. Ada Atlas" in page_text(client)
    proposed = listing_values(listing)
    proposed["practitioner"]["name"] = "Dr. Ada Axis"
    revision = services.listing_edit(practitioner=listing, editor=owner, proposed=proposed, accepting_new_patients=True)
    assert api_names(client) == ["Dr. Ada Atlas"]  # pending: patients still see the published listing
    services.revision_approve(revision=revision, moderator=moderator)
    assert api_names(client) == ["Dr. Ada Axis"]
    assert "Dr. Ada Axis" in page_text(client)


def test_an_import_is_seen_by_the_very_next_search(client, tmp_path):
    assert api_names(client) == []
    path = tmp_path / "one.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["external_id", "name", "address_line1", "city", "state", "postal_code"])
        writer.writerow(["p-1", "Dr. Imported", "1 Main St", "Boston", "MA", "02108"])
    call_command("import_practitioners", str(path), stdout=io.StringIO())
    assert api_names(client) == ["Dr. Imported"]


def test_an_admin_edit_and_a_technique_rename_are_seen_by_the_very_next_search(client, owner, moderator, nucca):
    listing = owned_listing(owner, name="Dr. Ada Atlas", techniques=[nucca])
    assert "NUCCA" in page_text(client, technique="nucca")
    admin = Client()
    admin.force_login(moderator)
    response = admin.post(
        reverse("admin:directory_technique_change", args=[nucca.pk]),
        {"name_en": "NUCCA (renamed)", "slug": "nucca", "description_en": nucca.description},
    )
    assert response.status_code == 302
    assert "NUCCA (renamed)" in page_text(client, technique="nucca")
    assert client.get(API, {**NEAR, "technique": "nucca"}).json()["results"][0]["techniques"] == [
        {"slug": "nucca", "name": "NUCCA (renamed)", "verified_on": None, "verified_until": None}
    ]
    admin.post(
        reverse("admin:directory_practitioner_changelist"),
        {"action": "unpublish", "apply": "1", "reason": "Closed.", ACTION_CHECKBOX_NAME: [listing.pk]},
    )
    assert api_names(client) == []


def test_a_repeated_search_is_answered_from_the_cache(client, owner, django_assert_num_queries):
    owned_listing(owner, name="Dr. Ada Atlas")
    first = client.get(API, NEAR)
    with django_assert_num_queries(0):  # the version and the answer are one cache read
        again = client.get(API, NEAR)
    assert again.content == first.content


def dispatched_by_drf(monkeypatch) -> list[str]:
    """The paths of the requests that go on to DRF's checks (negotiation, permissions, throttles), as they do."""
    paths: list[str] = []
    initial = APIView.initial

    def recorded(view, request, *args, **kwargs):
        paths.append(request.path)
        return initial(view, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "initial", recorded)
    return paths


def test_an_api_search_is_answered_before_drf_with_the_headers_drf_gives(client, owner, monkeypatch):
    owned_listing(owner, name="Dr. Ada Atlas")
    drf = dispatched_by_drf(monkeypatch)
    first = client.get(API, NEAR)
    again = client.get(API, {"radius": "25", "near": "02108"})  # the same search, its parameters in another order
    through_drf = client.get(API, {**NEAR, "format": "json"})  # negotiated, so DRF's dispatch answers it
    assert drf == [API]  # the last one only
    assert first.status_code == again.status_code == through_drf.status_code == 200
    assert first.content == again.content == through_drf.content
    assert dict(first.headers) == dict(again.headers) == dict(through_drf.headers)  # Allow, ETag, Cache-Control


def test_an_invalid_search_is_drfs_400_naming_each_parameter(client, monkeypatch):
    drf = dispatched_by_drf(monkeypatch)
    response = client.get(API, {"near": "00000", "radius": "0", "page_size": "0"})
    assert response.status_code == 400
    assert set(response.json()) == {"near", "radius"}  # page_size is checked once the search is valid
    assert drf == [API]


@pytest.mark.parametrize(
    ("headers", "params", "status"),
    [
        ({"HTTP_ACCEPT": "text/html"}, {}, 406),  # negotiated as before: the API speaks JSON only
        ({"HTTP_ACCEPT": "application/xml"}, {}, 406),
        ({}, {"format": "xml"}, 404),
        ({}, {"format": "json"}, 200),
        ({"HTTP_ACCEPT": "application/json; indent=2"}, {}, 200),
    ],
)
def test_a_repeated_search_that_drf_must_negotiate_still_goes_through_drf(client, owner, headers, params, status):
    owned_listing(owner, name="Dr. Ada Atlas")
    client.get(API, {**NEAR, **params})
    assert client.get(API, {**NEAR, **params}, **headers).status_code == status


def test_a_page_past_the_end_is_drfs_404_asked_once_or_again(client, owner, monkeypatch):
    owned_listing(owner, name="Dr. Ada Atlas")
    drf = dispatched_by_drf(monkeypatch)
    first = client.get(API, {**NEAR, "page": "9"})
    again = client.get(API, {**NEAR, "page": "9"})
    assert first.status_code == again.status_code == 404
    assert again.json() == first.json() == {"detail": "That page contains no results"}
    assert drf == [API, API]


def test_a_repeated_search_past_the_allowance_is_a_429_counted_once(client, owner, settings):
    settings.API_ANON_RATE = "3/min"
    owned_listing(owner, name="Dr. Ada Atlas")
    statuses = [client.get(API, NEAR).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # each request counted once, cold or warm


class RoundTrips(redis.Connection):
    """A real connection to Redis that counts the round trips made through it (one per command or script sent)."""

    sent = 0

    def send_packed_command(self, *args, **kwargs) -> None:
        RoundTrips.sent += 1
        super().send_packed_command(*args, **kwargs)


@pytest.mark.skipif(not redis_is_running() and not os.environ.get("CI"), reason="no Redis on 127.0.0.1:6379")
def test_in_redis_a_repeated_api_search_is_one_round_trip_its_throttle_count_included(client, owner, settings):
    settings.API_ANON_RATE = "100/min"
    owned_listing(owner, name="Dr. Ada Atlas")
    counted = {"BACKEND": "config.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/3",
               "OPTIONS": {"connection_class": RoundTrips}}  # fmt: skip
    with override_settings(CACHES={"default": counted}):
        caches["default"].clear()
        try:
            first = client.get(API, NEAR)
            RoundTrips.sent = 0
            again = client.get(API, NEAR)
            round_trips = RoundTrips.sent
            (counter,) = [key for key in caches["default"]._cache.get_client().scan_iter() if b"throttle_" in key]
            count = int(caches["default"]._cache.get_client().get(counter))
        finally:
            caches["default"].clear()
    assert again.content == first.content and again.status_code == 200
    assert round_trips == 1
    assert count == 2  # and the request was counted in it


def test_a_signed_in_users_repeated_api_search_is_answered_from_the_cache_too(client, owner):
    owned_listing(owner, name="Dr. Ada Atlas")
    client.force_login(owner)  # not throttled, so the view reads its answer itself
    first = client.get(API, NEAR)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(API, NEAR)
    assert again.content == first.content
    assert not [query for query in queries.captured_queries if "directory_location" in query["sql"]]  # no search
    assert [result["name"] for result in again.json()["results"]] == ["Dr. Ada Atlas"]


def test_answers_carry_an_etag_and_a_client_that_has_it_gets_a_304(client, owner):
    owned_listing(owner, name="Dr. Ada Atlas")
    for url in (API, PAGE):
        first = client.get(url, NEAR)
        assert "no-cache" in first["Cache-Control"]
        again = client.get(url, NEAR, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        assert again.content == b""


def test_an_etag_changes_when_the_answer_does(client, owner, moderator):
    listing = owned_listing(owner, name="Dr. Ada Atlas")
    before = client.get(API, NEAR)["ETag"]
    services.listing_unpublish(practitioner=listing, moderator=moderator, reason="Closed.")
    response = client.get(API, NEAR, HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200
    assert response["ETag"] != before


def test_a_technique_added_in_the_admin_can_be_searched_at_once(client, moderator):
    assert client.get(API, {"technique": "newer"}).status_code == 400  # and the list of techniques is cached
    admin = Client()
    admin.force_login(moderator)
    admin.post(reverse("admin:directory_technique_add"), {"name_en": "Newer", "slug": "newer", "description_en": ""})
    assert client.get(API, {"technique": "newer"}).status_code == 200


def test_a_process_reads_the_techniques_once_a_version_and_again_after_a_change(nucca, django_assert_num_queries):
    version = public_version()
    first = techniques_at(version)
    cache.clear()  # neither the database nor the cache is read again at this version
    with django_assert_num_queries(0):
        assert techniques_at(version) is first
    nucca.name_en = "NUCCA (renamed)"
    nucca.save()
    public_version_bump()  # as the admin's save does
    assert "NUCCA (renamed)" in [technique.name for technique in techniques_at(public_version())]


def test_a_signed_in_practitioner_never_gets_the_page_cached_for_anonymous_visitors(client, owner):
    owned_listing(owner, name="Dr. Ada Atlas")
    anonymous = page_text(client)
    assert anonymous.count("For practitioners") == 2  # the header's link and the footer's
    client.force_login(owner)
    signed_in = page_text(client)
    assert "Your practice" in signed_in and "Sign out" in signed_in
    assert signed_in.count("For practitioners") == 1  # the footer's alone


def test_a_cached_page_is_the_same_for_any_order_of_its_parameters(client, owner, django_assert_num_queries):
    owned_listing(owner, name="Dr. Ada Atlas")
    first = client.get(PAGE, {"near": "02108", "radius": "25"})
    with django_assert_num_queries(0):
        again = client.get(PAGE + "?radius=25&near=02108")
    assert again.content == first.content


def test_cached_results_are_served_as_markup_inside_a_signed_in_users_page(client, owner):
    owned_listing(owner, name="Dr. Ada Atlas")
    client.get(PAGE, NEAR)  # caches the results part
    client.force_login(owner)
    page = page_text(client)
    assert '<li class="result">' in page
    assert "&lt;li" not in page


class TestTheCachedVersion:
    def test_it_never_goes_down_whatever_order_the_offers_come_in(self):
        version_offer(7)
        version_offer(3)
        assert cache.get(VERSION_KEY) == 7

    @pytest.mark.skipif(not redis_is_running(), reason="no Redis on 127.0.0.1:6379")
    def test_it_never_goes_down_in_redis_either(self):
        redis = {"BACKEND": "config.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/4"}
        with override_settings(CACHES={"default": redis}):
            caches["default"].delete(VERSION_KEY)
            version_offer(7)
            version_offer(3)
            assert caches["default"].get(VERSION_KEY) == 7
            version_offer(9)
            assert caches["default"].get(VERSION_KEY) == 9
            caches["default"].delete(VERSION_KEY)

    def test_a_bump_removes_it_at_once_so_the_next_request_reads_the_database(self):
        version_offer(public_version())
        public_version_bump()
        assert cache.get(VERSION_KEY) is None
        assert public_version() == PublicVersion.objects.get(pk=1).number

    @pytest.mark.django_db(transaction=True)
    def test_a_bump_offers_its_number_once_it_has_committed(self, migrations_data):
        with transaction.atomic():
            public_version_bump()
            assert cache.get(VERSION_KEY) is None  # not before the commit: other requests still see the old data
        assert cache.get(VERSION_KEY) == PublicVersion.objects.get(pk=1).number
