"""The CTFd-compatible API instance, mounted at ``/api/v1/`` before the native API.

Answers are ``{"success": true, "data": …}``; failures ``{"success": false, "errors": {field: [message]}}``
with CTFd's status codes (400 for invalid input, 403 without credentials, 404 for what the caller may not see).
"""

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kakehashi.accounts.authentication import api_auth
from kakehashi.core import unavailable
from kakehashi.core.api import (
    UNREADABLE_REQUESTS,
    MalformedBody,
    StrictJSONParser,
    body_problem,
    database_refusal_error,
    django_validation_details,
    malformed_error,
    unreadable_request_error,
)
from kakehashi.core.errors import ApiError
from kakehashi.ctf.ctfd import accounts, admin, challenges, configs, players, unlocks

logger = logging.getLogger(__name__)
GENERAL = "message"

api = NinjaAPI(
    title="Kakehashi CTFd-compatible API",
    version="ctfd-v1",
    description=(
        "The subset of CTFd's REST API v1 that ctfcli and CTFd clients use, addressing the default event. "
        "Authenticate with `Authorization: Token …`."
    ),
    urls_namespace="ctfd",
    auth=api_auth(),
    parser=StrictJSONParser(),
    docs_url="/docs",
)


def _failure(request: HttpRequest, errors: dict[str, list[str]], status: int) -> HttpResponse:
    return api.create_response(request, {"success": False, "errors": errors}, status=status)


def _on_api_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, ApiError)
    status = 400 if exc.status == 422 else exc.status
    errors: dict[str, list[str]] = {}
    for detail in exc.details:
        errors.setdefault(str(detail.get("field", GENERAL)), []).append(str(detail.get("message", "")))
    response = _failure(request, errors or {GENERAL: [str(exc.message)]}, status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def _on_django_validation(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, DjangoValidationError)
    errors: dict[str, list[str]] = {}
    for detail in django_validation_details(exc):
        field = GENERAL if detail["field"] == "__all__" else str(detail["field"])
        errors.setdefault(field, []).append(str(detail["message"]))
    return _failure(request, errors, 400)


def _on_validation(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, NinjaValidationError)
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        parts = [str(part) for part in item.get("loc", ()) if part not in ("body", "payload", "query", "path", "form")]
        errors.setdefault(".".join(parts) or GENERAL, []).append(str(item.get("msg", _("This value is not valid."))))
    return _failure(request, errors, 400)


def _on_authentication(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _failure(request, {GENERAL: [_("Please sign in or send a valid API token.")]}, 403)


def _on_http(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, HttpError)
    problem = body_problem(exc)
    if problem is not None:
        return _on_api_error(request, problem)
    return _failure(request, {GENERAL: [str(exc.message)]}, exc.status_code)


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _failure(request, {GENERAL: [_("Not found.")]}, 404)


def _on_database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _failure(request, {GENERAL: [unavailable.message()]}, 503)
    response["Retry-After"] = str(unavailable.RETRY_AFTER_SECONDS)
    return response


def _on_unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _on_api_error(request, unreadable_request_error(exc))


def _on_malformed(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, MalformedBody)
    return _on_api_error(request, malformed_error(exc))


def _on_database_refusal(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.warning("the database refused a value of the request: %s", exc)
    return _on_api_error(request, database_refusal_error())


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if unavailable.is_database_unavailable(exc):
        return _on_database_unavailable(request, exc)
    logger.exception("unhandled error in the CTFd-compatible API", exc_info=exc)
    return _failure(request, {GENERAL: [_("Something went wrong on our side. Please try again.")]}, 500)


handlers: list[tuple[type[Exception], Any]] = [
    (ApiError, _on_api_error),
    (NinjaValidationError, _on_validation),
    (DjangoValidationError, _on_django_validation),
    (AuthenticationError, _on_authentication),
    (HttpError, _on_http),
    (Http404, _on_not_found),
    *((error, _on_database_unavailable) for error in unavailable.DATABASE_ERRORS),
    *((unreadable, _on_unreadable) for unreadable in UNREADABLE_REQUESTS),
    (MalformedBody, _on_malformed),  # a query's; a body's comes wrapped in HttpError
    (DataError, _on_database_refusal),
    (Exception, _on_unexpected),
]
for exception, handler in handlers:
    api.add_exception_handler(exception, handler)

api.add_router("", challenges.router)
api.add_router("", admin.router)
api.add_router("", players.router)
api.add_router("", accounts.router)
api.add_router("", configs.router)
api.add_router("", unlocks.router)
