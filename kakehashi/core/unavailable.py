"""The database is unreachable (restarting, failing over, network cut): answer 503 with retry advice.

While PostgreSQL restarts, every query raises ``django.db.OperationalError`` or ``InterfaceError``.
Those are not bugs of the request: the client should wait a few seconds and try again. The API then
answers ``503`` in the one JSON error shape (code ``service_unavailable``) and pages a short
translated page, both with ``Retry-After``; never an HTML 500. Django opens a fresh connection for
the next request (``CONN_HEALTH_CHECKS`` drops a dead persistent one), so the service recovers by
itself once the database is back.

Three ways an exception can surface, all covered:

- raised in a view: :class:`DatabaseUnavailableMiddleware` (``process_exception``);
- raised inside a ninja API: the API's exception handler calls :func:`api_body`;
- raised in a middleware (the session behind ``request.user``): Django turns it into the
  ``handler500`` view, which asks :func:`current_database_error` first.
"""

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from kakehashi.core.languages import resolve_display

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
CODE = "service_unavailable"
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) says the database cannot be reached."""
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, DATABASE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def current_database_error() -> bool:
    """Whether the exception being handled right now is the database being unreachable."""
    return is_database_unavailable(sys.exc_info()[1])


def message() -> str:
    return _("The service is briefly unavailable. Please try again in a few seconds.")


def api_body() -> dict[str, object]:
    return {"code": CODE, "message": message(), "details": []}


def _log(error: BaseException | None) -> None:
    logger.warning("database unavailable: %s", error)


def _language(request: HttpRequest) -> str:
    """The request's language; from cookie and header alone when the failure came before it was set."""
    decided = getattr(request, "LANGUAGE_CODE", None)
    if decided:
        return str(decided)
    return resolve_display(
        preference=None,
        cookie=request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        accept_language=request.headers.get("Accept-Language", ""),
    ).language


def response(request: HttpRequest, error: BaseException | None = None) -> HttpResponse:
    """The 503 answer: JSON under ``/api/``, a page elsewhere. Touches neither database nor session."""
    _log(error)
    language = _language(request)
    with translation.override(language):
        if request.path.startswith("/api/"):
            answer: HttpResponse = JsonResponse(api_body(), status=503)
        else:
            # No request context: the context processors would ask the database for the user.
            context = {"title": _("Service unavailable"), "message": message()}
            answer = HttpResponse(
                render_to_string("core/unavailable.html", context), status=503, content_type="text/html; charset=utf-8"
            )
    answer["Retry-After"] = str(RETRY_AFTER_SECONDS)
    answer["Cache-Control"] = "no-store"
    answer["Content-Language"] = language
    return answer


class DatabaseUnavailableMiddleware:
    """Turns a view's database-connection failure into a 503 with ``Retry-After``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return response(request, exception)
        return None
