from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from directory.context_processors import site

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached, answer 503 with a friendly page (JSON for the API), not a 500.

    Connections are health-checked before reuse (CONN_HEALTH_CHECKS), so the site recovers by itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return database_unavailable(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The friendly 503 (JSON for the API), with Retry-After."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "The directory is briefly unavailable. Please try again in a minute."}, status=503
        )
    else:
        # Rendered without the request's context processors: they read the account and its messages from the
        # session, in the database that is away (a signed-in visitor would get a 500 instead).
        context = {**site(request), "request": request, "user": AnonymousUser(), "messages": ()}
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
