from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from directory.filters import PractitionerSearch
from directory.models import Location, Practitioner, Technique
from directory.pagination import SearchPaginator


def page_of(request: HttpRequest, paginator: Paginator) -> Page:
    """The requested page (`?page=`); a page that does not exist is a 404."""
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "search": PractitionerSearch(None, queryset=Practitioner.objects.none()),
        "techniques": Technique.objects.order_by("name"),
        "practitioner_count": Practitioner.objects.published().count(),
    }
    return render(request, "directory/home.html", context)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    search = PractitionerSearch(request.GET, queryset=Practitioner.objects.published().with_techniques())
    if not search.is_valid():
        return render(request, "directory/search.html", {"search": search}, status=400)
    page = page_of(request, SearchPaginator(search, settings.DIRECTORY_SEARCH_PAGE_SIZE))
    context = {"search": search, "page": page}
    if search.place is not None and page.paginator.count == 0:
        context["nearest_beyond"] = search.nearest_beyond(3)
    return render(request, "directory/search.html", context)


@require_safe
def practitioner_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    practitioner = get_object_or_404(Practitioner.objects.published().with_techniques(), pk=pk)
    if slug != practitioner.slug:
        return redirect(practitioner, permanent=True)
    locations = list(Location.objects.filter(practitioner=practitioner).order_by("pk"))
    return render(request, "directory/practitioner_detail.html", {"practitioner": practitioner, "locations": locations})


@require_safe
def technique_detail(request: HttpRequest, slug: str) -> HttpResponse:
    technique = get_object_or_404(Technique, slug=slug)
    practitioners = Practitioner.objects.published().offering([technique]).with_techniques().by_name()
    context = {
        "technique": technique,
        "page": page_of(request, Paginator(practitioners, settings.DIRECTORY_SEARCH_PAGE_SIZE)),
        "search": PractitionerSearch({"technique": [technique.slug]}, queryset=Practitioner.objects.none()),
    }
    return render(request, "directory/technique_detail.html", context)


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers (it touches no database)."""
    return JsonResponse({"status": "ok"})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
