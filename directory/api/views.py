from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from directory.api.serializers import PractitionerSerializer
from directory.filters import PractitionerSearch
from directory.models import Practitioner


class SearchPagination(PageNumberPagination):
    page_size = settings.DIRECTORY_SEARCH_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.DIRECTORY_API_MAX_PAGE_SIZE

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
