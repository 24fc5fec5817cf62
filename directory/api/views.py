from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from directory.api.serializers import PractitionerSerializer
from directory.filters import DEFAULT_RADIUS, MAX_RADIUS, PractitionerSearch
from directory.geo import MAX_PLACE_LENGTH
from directory.models import Practitioner
from directory.pagination import SearchPaginator


class SearchPagination(PageNumberPagination):
    page_size = settings.DIRECTORY_SEARCH_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.DIRECTORY_API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request: Request, view=None) -> list | None:
        self.search = view.search  # the validated search, which knows how to read one page cheaply
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, page_size: int) -> SearchPaginator:
        return SearchPaginator(self.search, page_size)

    def get_page_size(self, request: Request) -> int:
        """The requested page size; a value that is not a whole number from 1 to the maximum is a 400."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            message = f"Enter a whole number from 1 to {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        return int(raw)


class SearchFilterBackend(DjangoFilterBackend):
    """Keeps the validated search on the view, so the serializer can speak in the requested unit."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        view.search = filterset
        return filterset


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
        {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": MAX_RADIUS["km"]},
        description=f"How far, in `unit`: greater than 0, at most {MAX_RADIUS['mi']} mi or {MAX_RADIUS['km']} km. "
        f"Default {DEFAULT_RADIUS}.",
    ),
    OpenApiParameter("unit", {"type": "string", "enum": ["mi", "km"], "default": "mi"}, description="Miles or km."),
    OpenApiParameter(
        "technique",
        {"type": "array", "items": {"type": "string", "maxLength": 80}},
        explode=True,
        description="A technique slug (nucca, blair, atlas-orthogonal, ...), repeatable: practitioners offering "
        "ANY of them. An unknown slug is a 400.",
    ),
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="Page number; past the end is a 404."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": settings.DIRECTORY_API_MAX_PAGE_SIZE, "default": 20},
        description="Results per page.",
    ),
]


@extend_schema_view(
    get=extend_schema(
        summary="Search practitioners",
        parameters=SEARCH_PARAMETERS,
        responses={
            200: PractitionerSerializer(many=True),
            400: OpenApiResponse(ERRORS, description="A parameter is invalid; the body names it."),
            404: OpenApiResponse(DETAIL, description="No such page."),
            429: OpenApiResponse(DETAIL, description="Too many requests; see Retry-After."),
            503: OpenApiResponse(DETAIL, description="The database is briefly unavailable; see Retry-After."),
        },
    )
)
class PractitionerList(ListAPIView):
    """Published practitioners, nearest first when `near` is given, alphabetical otherwise."""

    serializer_class = PractitionerSerializer
    pagination_class = SearchPagination
    filter_backends = [SearchFilterBackend]
    filterset_class = PractitionerSearch

    def get_queryset(self):
        return Practitioner.objects.published().with_techniques()

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        search = getattr(self, "search", None)
        context["unit"] = search.distance_unit if search is not None else "mi"
        return context
