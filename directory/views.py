import sys

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import TooManyFieldsSent
from django.core.files.storage import default_storage
from django.core.paginator import InvalidPage, Page, Paginator
from django.db import InterfaceError, OperationalError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from directory.answers import Answer, answer_for, asked_answer, asked_answer_store, public_version, techniques_at
from directory.filters import PractitionerSearch
from directory.middleware import api_not_found, database_unavailable, unreadable_reason
from directory.models import FormerSlug, Location, Photo, Practitioner, Technique, Training
from directory.pagination import SearchPaginator
from directory.search import Search
from directory.services import demand_record

PHOTO_CACHE_SECONDS = 365 * 24 * 3600  # a photo's address names its content: a new photo is a new address


def page_of(request: HttpRequest, paginator: Paginator) -> Page:
    """The requested page (`?page=`); a page that does not exist is a 404."""
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error


def revalidated(response: HttpResponse) -> HttpResponse:
    """Caches may keep a search answer but must ask again each time (ETag and 304 make that cheap)."""
    patch_cache_control(response, no_cache=True)
    return response


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "filters": PractitionerSearch(None),
        "techniques": Technique.objects.order_by("name"),
        "practitioner_count": Practitioner.objects.published().count(),
    }
    return render(request, "directory/home.html", context)


def results_answer(request: HttpRequest, filters: PractitionerSearch, page_number: str) -> Answer:
    """The results part of the search page (the part worth caching): the list, its map data and page links."""
    search = filters.search
    paginator = SearchPaginator(search, settings.DIRECTORY_SEARCH_PAGE_SIZE)
    try:
        page = paginator.page(page_number)
    except InvalidPage:  # a page the search no longer has (a link kept while listings left): said, with the first
        context = {
            "search": search,
            "missing": page_number,
            "pages": paginator.num_pages,
            "query": filters.query_string(),
        }
        return Answer(render_to_string("directory/_results.html", context), 404)
    context = {"filters": filters, "search": search, "page": page, "query": filters.query_string()}
    unmet = None
    if search.place is not None and page.paginator.count == 0:
        context["nearest_beyond"] = search.nearest_beyond(3)
        unmet = search.place
    # Without the request: the fragment is cached for everyone, so it must not read the request's user or
    # messages (nor pay for the context processors: the language links alone are three URL resolutions).
    return Answer(render_to_string("directory/_results.html", context), 200, unmet)


def served(answer: Answer) -> Answer:
    """Counts a search that found nobody (each time it is asked, cached or not), and returns its answer."""
    if answer.unmet is not None:
        demand_record(place=answer.unmet)
    return answer


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    # A visitor who is not signed in and has no message waiting sees the same page as any other: the whole page,
    # for these exact parameters, is cached. Anyone else gets the page built around the cached results.
    same_for_everyone = not request.user.is_authenticated and not len(messages.get_messages(request))
    asked = f"{request.path}?{sorted(request.GET.lists())}"
    version, page = asked_answer("page-asked", asked)
    if same_for_everyone and page is not None:
        return revalidated(HttpResponse(served(page).body, status=page.status))
    filters = PractitionerSearch(request.GET, techniques=techniques_at(version))
    if not filters.is_valid():
        return render(request, "directory/search.html", {"filters": filters, "search": Search()}, status=400)
    page_number = str(filters.form.cleaned_data["page"])
    key = f"{filters.query_string()}|{page_number}"
    answer = served(answer_for(version, "page", key, lambda: results_answer(request, filters, page_number)))
    context = {"filters": filters, "search": filters.search, "results": answer.body}
    response = render(request, "directory/search.html", context, status=answer.status)
    if same_for_everyone:
        asked_answer_store(
            version, "page-asked", asked, Answer(response.content.decode(), response.status_code, answer.unmet)
        )
    return revalidated(response)


@require_safe
def practitioner_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    practitioner = get_object_or_404(Practitioner.objects.published().with_techniques(), pk=pk)
    if slug != practitioner.slug:
        return redirect(practitioner, permanent=True)
    locations = Location.objects.filter(practitioner=practitioner).order_by("pk")
    verified = Training.objects.verified_on(timezone.localdate()).filter(practitioner=practitioner).badges()
    for technique in practitioner.techniques.all():
        technique.verified_on = verified.get(technique.pk)
    context = {"practitioner": practitioner}
    if request.GET:  # opened from a search: the way back to it, and how far each location is, nearest first
        filters = PractitionerSearch(request.GET, techniques=techniques_at(public_version()))
        if filters.is_valid() and filters.search.place is not None:
            locations = locations.measured_from(filters.search.place.point).order_by("distance_km", "pk")
            context.update(search=filters.search, query=filters.query_string())
    context["locations"] = list(locations)
    context["portrait"] = _gallery(practitioner, context["locations"])
    return render(request, "directory/practitioner_detail.html", context)


def _gallery(practitioner: Practitioner, locations: list[Location]) -> Photo | None:
    """Gives each location its approved photos (`gallery`), in one query; returns the approved portrait."""
    photos = list(Photo.objects.approved().filter(practitioner=practitioner).order_by("position", "pk"))
    for location in locations:
        location.gallery = [photo for photo in photos if photo.location_id == location.pk]
    return next((photo for photo in photos if photo.is_portrait), None)


def may_see_unapproved_photo(user: object, photo: Photo) -> bool:
    """A photo patients may not see yet (or any more) is shown to the listing's owner, with a verified e-mail,
    and to the desk's moderators; to nobody else."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff and user.has_perm("directory.view_photo"):
        return True
    owner_id = photo.practitioner.owner_id
    return owner_id == user.pk and EmailAddress.objects.filter(user=user, verified=True).exists()


@require_safe
def photo_file(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One size of a photo, read from default_storage. An approved photo of a published listing is anyone's,
    cached for a year (its name changes with its content); any other only its owner's and the moderators'
    (never stored by a cache); a 404 to everyone else, who cannot tell whether it exists."""
    photo = get_object_or_404(Photo.objects.select_related("practitioner"), pk=pk)
    stored = next((stored for stored in photo.file_names if stored.rsplit("/", 1)[-1] == name), None)
    public = photo.status == Photo.Status.APPROVED and photo.practitioner.status == Practitioner.Status.PUBLISHED
    if stored is None or not (public or may_see_unapproved_photo(request.user, photo)):
        raise Http404("No such photo.")
    try:
        response = FileResponse(default_storage.open(stored, "rb"), content_type="image/jpeg")
    except FileNotFoundError as error:
        raise Http404("No such photo.") from error
    response["X-Content-Type-Options"] = "nosniff"
    if public:
        patch_cache_control(response, public=True, max_age=PHOTO_CACHE_SECONDS, immutable=True)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def technique_detail(request: HttpRequest, slug: str) -> HttpResponse:
    technique = Technique.objects.filter(slug=slug).first()
    if technique is None:
        former = get_object_or_404(FormerSlug.objects.select_related("technique"), slug=slug)
        return redirect(former.technique, permanent=True)
    paginator = SearchPaginator(Search(techniques=[technique]), settings.DIRECTORY_SEARCH_PAGE_SIZE)
    context = {
        "technique": technique,
        "page": page_of(request, paginator),
        "filters": PractitionerSearch({"technique": [technique.slug]}),
    }
    return render(request, "directory/technique_detail.html", context)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 for a request Django refuses before any view reads it (too many parameters, a malformed one): JSON
    on the API, the site's page elsewhere."""
    too_many = isinstance(exception, TooManyFieldsSent)
    reason = unreadable_reason(exception) if too_many else gettext("The request could not be read.")
    if is_api(request):
        return JsonResponse({"detail": reason}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, unless what failed was reaching the database outside a view (a middleware saving the session, say),
    which is the same friendly 503 as inside one (DatabaseUnavailableMiddleware)."""
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        return database_unavailable(request)
    return HttpResponseServerError(render_to_string("500.html"))


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON on the API (an unknown /api/v1/... path included), the site's page elsewhere."""
    if is_api(request):
        return api_not_found()
    return render(request, "404.html", status=404)


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
