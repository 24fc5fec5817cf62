from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from directory.filters import RADIUS_CHOICES, PractitionerSearch
from directory.models import Location, Practitioner, Technique

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    search = PractitionerSearch(None, queryset=Practitioner.objects.none())
    context = {
        "search": search,
        "radius_choices": RADIUS_CHOICES,
        "techniques": Technique.objects.order_by("name"),
        "practitioner_count": Practitioner.objects.published().count(),
    }
    return render(request, "directory/home.html", context)


def search(request: HttpRequest) -> HttpResponse:
    search = PractitionerSearch(request.GET, queryset=Practitioner.objects.published().with_techniques())
    context = {"search": search, "radius_choices": RADIUS_CHOICES}
    if not search.is_valid():
        return render(request, "directory/search.html", context, status=400)
    paginator = Paginator(search.qs, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error
    context["page"] = page
    if search.place is not None and paginator.count == 0:
        context["nearest_beyond"] = search.nearest_beyond(3)
    return render(request, "directory/search.html", context)


def practitioner_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    practitioner = get_object_or_404(Practitioner.objects.published().with_techniques(), pk=pk)
    if slug != practitioner.slug:
        return redirect(practitioner, permanent=True)
    locations = Location.objects.filter(practitioner=practitioner).order_by("pk")
    return render(request, "directory/practitioner_detail.html", {"practitioner": practitioner, "locations": locations})
