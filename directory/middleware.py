import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers

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


class MalformedRequestMiddleware:
    """Reads the query string and a POST's form before anything else does, so that a request Django cannot read
    (too many fields or files, a body too large, a charset that cannot read it, a broken multipart body) is
    refused here with a 400 (413 for the size), JSON on the API, in every setting: not a 500 from the CSRF check,
    a view, or the debug page reading the body a second time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            read_parameters(request)
        except UNREADABLE as error:
            return malformed_request(request, error)
        return self.get_response(request)


# What parsing a request's query string and form can raise; LookupError is a charset Python knows that is no text
# encoding ("zlib", "rot13"), UnreadablePostError a body that stopped arriving.
UNREADABLE = (
    SuspiciousOperation,
    BadRequest,
    MultiPartParserError,
    UnicodeError,
    LookupError,
    UnreadablePostError,
)
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def read_parameters(request: HttpRequest) -> None:
    """Parses now what Django parses on first use: the query string and a POST's body."""
    posts_a_form = request.method == "POST" and request.content_type in FORM_CONTENT_TYPES
    if request.encoding and (request.META.get("QUERY_STRING") or posts_a_form):
        check_charset(request.encoding)
    _ = request.GET
    if request.method == "POST":
        _ = request.POST


def check_charset(charset: str) -> None:
    """Refuses a declared charset that does not read ASCII as ASCII (UTF-16, UTF-7, a compression codec): a query
    string and a form's field names are ASCII, and Django would decode them into something else."""
    try:
        reads_ascii = PRINTABLE_ASCII.decode(charset) == PRINTABLE_ASCII.decode("ascii")
    except (LookupError, UnicodeError):
        reads_ascii = False
    if not reads_ascii:
        raise BadRequest(f"The request declares the charset {charset!r}, which cannot read it. Send UTF-8.")


def malformed_request(request: HttpRequest, error: Exception) -> HttpResponse:
    """The 400 (413 for a body too large) for a request that cannot be read: JSON on the API, the site's page
    elsewhere, logged to django.security.* as Django logs a SuspiciousOperation it refuses itself."""
    status = 413 if isinstance(error, RequestDataTooBig) else 400
    if isinstance(error, SuspiciousOperation):
        security_logger = logging.getLogger(f"django.security.{type(error).__name__}")
        security_logger.error(str(error), extra={"status_code": status, "request": request})
    reason = unreadable_reason(error)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason}, status=status)
    return render(request, "400.html", {"reason": reason}, status=status)


def unreadable_reason(error: Exception) -> str:
    """What was wrong, in a sentence for whoever sent the request."""
    if isinstance(error, TooManyFieldsSent):
        return f"Too many parameters: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} are read."
    if isinstance(error, TooManyFilesSent):
        return f"Too many files: at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} are read."
    if isinstance(error, RequestDataTooBig):
        return f"The request is too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes are read, files aside."
    if isinstance(error, BadRequest):
        return str(error)
    if isinstance(error, UnicodeError | LookupError):
        return "The request could not be read in the charset it declares. Send UTF-8."
    if isinstance(error, UnreadablePostError):
        return "The request's body could not be received in full."
    return "The request's form could not be read."


def api_not_found() -> JsonResponse:
    """The API's 404, whatever is not found there (an unknown /api/... path included)."""
    return JsonResponse({"detail": "Not found."}, status=404)


class ApiNotFoundMiddleware:
    """An unknown /api/... path answers the API's JSON 404 in every setting: with DEBUG on (as `make run` serves)
    Django answers its HTML debug page instead of calling handler404. Placed outside CommonMiddleware, so a path
    that only lacks its slash is still redirected to it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if response.status_code == 404 and request.path.startswith("/api/") and not is_json:
            return api_not_found()
        return response


class LanguageMiddleware:
    """Answers each request in one language, chosen by its address alone: the prefix for pages (/es/, /fr-ca/;
    none is English), so a cached page is always its URL's language; for the API (language-neutral but for
    technique names) the request's Accept-Language, and the answer says it varies by it. No cookie or session is
    read: the language switcher is a link to the same page under another prefix."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = translation.get_language_from_path(request.path_info)
        negotiated = language is None and request.path_info.startswith("/api/")
        if negotiated:
            language = accepted_language(request.headers.get("Accept-Language", ""))
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        if negotiated:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def accepted_language(header: str) -> str:
    """The first of settings.LANGUAGES the Accept-Language header accepts, in its order of preference ("fr" and
    "fr-FR" are answered in fr-ca, "es-MX" in es); the default language when it accepts none of them."""
    for code, _quality in translation.trans_real.parse_accept_lang_header(header[:500]):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code.lower())
        except LookupError:
            continue
    return settings.LANGUAGE_CODE
