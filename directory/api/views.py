"""GET /api/v1/practitioners/: the patient search as JSON, answered from the cache when the same search was
answered since the last public change (directory.answers)."""

import json
from functools import cached_property

from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from directory.answers import (
    Answer,
    answer_for,
    asked_answer,
    asked_answer_keys,
    asked_answer_store,
    techniques_at,
)
from directory.api.renderers import without_markup
from directory.api.serializers import (
    PlaceSuggestionsSerializer,
    SearchPageSerializer,
    place_json,
    practitioner_json,
    site_of,
)
from directory.api.throttling import AnonymousSearchThrottle
from directory.filters import PractitionerSearch
from directory.geo import MAX_PLACE_LENGTH, PlaceError, Unit
from directory.languages import LANGUAGE_CHOICES
from directory.pagination import SearchPaginator
from directory.places import suggest_places
from directory.search import DEFAULT_RADIUS, MAX_RADIUS, Search
from directory.views import revalidated, served

PAGE_SIZE_PARAMETER = "page_size"
# The Accept headers DRF's negotiation answers with the API's one renderer (JSON) whatever the rest of the request:
# a search is answered before DRF to these (and to a request without the header); any other goes through DRF.
ACCEPTS_JSON = frozenset({"*/*", "application/json"})
PLACE_SUGGESTIONS_SECONDS = 24 * 3600  # the places change only with a new release of the postal data


def page_size_of(request: HttpRequest | Request) -> int:
    """The requested page size; a value that is not a whole number from 1 to the maximum is a 400."""
    raw = request.GET.get(PAGE_SIZE_PARAMETER)
    if raw is None or raw == "":
        return settings.DIRECTORY_SEARCH_PAGE_SIZE
    maximum = settings.DIRECTORY_API_MAX_PAGE_SIZE
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise ValidationError({PAGE_SIZE_PARAMETER: [f"Enter a whole number from 1 to {maximum}."]})
    return int(raw)


def page_answer(request: HttpRequest | Request, search: Search, query: str, page_number: str, page_size: int) -> Answer:
    """One page of the search as the API's JSON: DRF's page shape, built without a serializer per row."""
    try:
        page = SearchPaginator(search, page_size).page(page_number)
    except InvalidPage as error:
        return Answer(str(error), 404)
    site = site_of(request)
    url = request.build_absolute_uri(request.path) + "?" + query
    if page_size != settings.DIRECTORY_SEARCH_PAGE_SIZE:
        url += f"&{PAGE_SIZE_PARAMETER}={page_size}"
    body = {
        "origin": None if search.place is None else place_json(search.place),
        "count": search.count.value,
        "count_is_exact": not search.count.capped,
        "next": f"{url}&page={page.next_page_number()}" if page.has_next() else None,
        "previous": f"{url}&page={page.previous_page_number()}" if page.has_previous() else None,
        "results": [practitioner_json(practitioner, search.unit, site) for practitioner in page.object_list],
    }
    unmet = search.place if search.place is not None and search.count.value == 0 else None
    return Answer(without_markup(json.dumps(body, ensure_ascii=False, separators=(",", ":"))), 200, unmet)


ERRORS = {
    "type": "object",
    "description": "Each parameter that was wrong, with what was wrong with it.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"near": ["No such ZIP code: 00000"], "radius": ["Enter a radius greater than 0."]},
}
DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
SEARCH_PARAMETERS = [
    OpenApiParameter(
        "near",
        {"type": "string", "maxLength": MAX_PLACE_LENGTH},
        description='Where the patient is: a US ZIP code ("02108", ZIP+4 "02108-1234"), a Canadian postal code '
        '("T2P 1J9", or its first three characters), "City, ST" ("Boston, MA") or "latitude,longitude" '
        '("42.36,-71.06"). Without it: every published practitioner, alphabetical, with distance null.',
    ),
    OpenApiParameter(
        "radius",
        {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": MAX_RADIUS[Unit.KILOMETRES]},
        description=f"How far, in `unit`: greater than 0, at most {MAX_RADIUS[Unit.MILES]} mi or "
        f"{MAX_RADIUS[Unit.KILOMETRES]} km. "
        f"Default {DEFAULT_RADIUS}.",
    ),
    OpenApiParameter(
        "unit",
        {"type": "string", "enum": Unit.values},
        description="Miles or km. Without it: km for a Canadian place, miles for any other.",
    ),
    OpenApiParameter(
        "technique",
        {"type": "array", "items": {"type": "string", "maxLength": 80}},
        explode=True,
        description="A technique slug (nucca, blair, atlas-orthogonal, ...), repeatable: practitioners offering "
        "ANY of them. An unknown slug is a 400.",
    ),
    OpenApiParameter(
        "accepting_new_patients",
        {"type": "boolean"},
        description="true: only practitioners accepting new patients; false: only those who are not. Without it: "
        "all. Anything but true or false (1/0, yes/no) is a 400.",
    ),
    OpenApiParameter(
        "verified",
        {"type": "boolean"},
        description="true: only practitioners whose training a moderator verified (with `technique`: in one of "
        "those techniques; without: in any); false or absent: all. Each result's techniques carry `verified_on` "
        "and `verified_until`. Anything but true or false (1/0, yes/no) is a 400.",
    ),
    OpenApiParameter(
        "language",
        {"type": "string", "enum": [code for code, _ in LANGUAGE_CHOICES]},
        description="An ISO 639-1 code (es, fr, zh, ...): only practitioners who speak that language. An unknown "
        "code is a 400.",
    ),
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1},
        description="Page number, 1 or more (0 or anything but the digits 0-9 is a 400); past the end is a 404.",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": settings.DIRECTORY_API_MAX_PAGE_SIZE, "default": 20},
        description="Results per page.",
    ),
]


class PractitionerList(APIView):
    """Published practitioners, nearest first when `near` is given, alphabetical otherwise."""

    read_with_count: dict | None = None  # the answer's keys, read by the throttle with its count
    asked_read: tuple[int, Answer | None] | None = None  # the version and answer found before DRF, if looked for

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = self.response_before_drf(request)
        return super().dispatch(request, *args, **kwargs) if response is None else response

    def response_before_drf(self, request: HttpRequest) -> HttpResponse | None:
        """The search's page, cached or made now, served without DRF's dispatch (its request wrapper,
        negotiation, permissions and exception handling cost a warm answer a sixth of its time); None where DRF
        must answer: another method, another Accept header or a `format` parameter (negotiated), a client past
        its allowance (429), an invalid parameter (400) or a page past the end (404). The request is counted here
        once, its cached answer read in the same round trip, and DRF neither counts it again nor makes an answer
        made here again."""
        if (
            request.method not in ("GET", "HEAD")
            or self.authentication_classes
            or request.META.get("HTTP_ACCEPT", "*/*") not in ACCEPTS_JSON
            or api_settings.URL_FORMAT_OVERRIDE in request.GET
        ):
            return None
        throttles = self.get_throttles()
        if [type(throttle) for throttle in throttles] != [AnonymousSearchThrottle]:
            return None
        counted = throttles[0].count_unwrapped(request, self)
        if not counted.allowed:
            return None
        self.asked_read = version, answer = asked_answer("api-asked", self.asked, read=counted.read)
        if answer is None:
            try:
                answer = self.answer(request, version)
            except ValidationError:  # DRF's answer: 400, every parameter named
                return None
            asked_answer_store(version, "api-asked", self.asked, answer)
            self.asked_read = version, answer
        if answer.status != 200:
            return None
        self.headers = self.default_response_headers
        return self.finalize_response(request, self.answer_response(answer))

    def keys_read_with_count(self) -> list[str]:
        """The cache keys of this request's answer: the throttle reads them in the round trip that counts it."""
        return asked_answer_keys("api-asked", self.asked)

    @cached_property
    def asked(self) -> str:
        """This request as asked (a view serves one request). The answer's links are absolute: the address asked
        is part of every key. The same parameters, in any order, were valid and got this answer before, at this
        version: it is served without validating again."""
        request = self.request
        return f"{request.build_absolute_uri(request.path)}?{sorted(request.GET.lists())}"  # before DRF too

    @extend_schema(
        summary="Search practitioners",
        parameters=SEARCH_PARAMETERS,
        responses={
            200: SearchPageSerializer,
            400: OpenApiResponse(ERRORS, description="A parameter is invalid; the body names it."),
            404: OpenApiResponse(DETAIL, description="No such page."),
            429: OpenApiResponse(DETAIL, description="Too many requests; see Retry-After."),
            503: OpenApiResponse(DETAIL, description="The database is briefly unavailable; see Retry-After."),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        version, answer = self.asked_read or asked_answer("api-asked", self.asked, read=self.read_with_count)
        if answer is None:
            answer = self.answer(request, version)
            asked_answer_store(version, "api-asked", self.asked, answer)
        if answer.status == 404:
            served(answer)
            raise NotFound(answer.body)
        return self.answer_response(answer)

    @staticmethod
    def answer_response(answer: Answer) -> HttpResponse:
        response = HttpResponse(served(answer).body, content_type="application/json")
        response["ETag"] = answer.etag
        return revalidated(response)

    def answer(self, request: HttpRequest | Request, version: int) -> Answer:
        """The answer to a search not asked in this form before: validated, then cached by its normal form.
        `request` is Django's (before DRF) or DRF's: only what both have is read."""
        filters = PractitionerSearch(request.GET, techniques=techniques_at(version))
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        page_size, page_number = page_size_of(request), str(filters.form.cleaned_data["page"])
        query = filters.query_string()
        key = f"{request.build_absolute_uri(request.path)}?{query}|{page_number}|{page_size}"
        return answer_for(
            version, "api", key, lambda: page_answer(request, filters.search, query, page_number, page_size)
        )


class PlaceSuggestions(APIView):
    """Places that start with what the patient has typed (or, where none does, cities spelled nearly so), for the
    search field's suggestions."""

    @extend_schema(
        summary="Suggest places",
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_PLACE_LENGTH},
                description='What the patient has typed so far: the start of a city ("mont", "springfield, mo"), '
                "a ZIP code or a Canadian postal code. Where no city starts so, the cities spelled nearly so "
                '("bostn": Boston, MA).',
            )
        ],
        responses={
            200: PlaceSuggestionsSerializer,
            400: OpenApiResponse(ERRORS, description="`q` is too long."),
            429: OpenApiResponse(DETAIL, description="Too many requests; see Retry-After."),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        text = request.query_params.get("q", "")
        if len(text) > MAX_PLACE_LENGTH:
            raise ValidationError({"q": [f"Enter at most {MAX_PLACE_LENGTH} characters."]})
        try:
            places = suggest_places(text)
        except PlaceError:  # "Boston, Atlantis": nothing to suggest
            places = []
        response = Response({"results": [place_json(place) for place in places]})
        patch_cache_control(response, public=True, max_age=PLACE_SUGGESTIONS_SECONDS)
        return response
