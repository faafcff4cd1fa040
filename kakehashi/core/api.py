"""Plumbing for django-ninja APIs: the JSON error shape, body parsing, CSRF for anonymous writes."""

import json
import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny
from ninja.utils import check_csrf

from kakehashi.core import unavailable
from kakehashi.core.errors import ApiError, InvalidInput

logger = logging.getLogger(__name__)

MAX_JSON_DEPTH = 32


class ErrorDetail(Schema):
    field: str
    code: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


class MalformedBody(Exception):
    """The request body is not a JSON object we can read."""


def _depth(value: Any, limit: int) -> int:
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


class StrictJSONParser(Parser):
    """JSON bodies must be UTF-8 JSON objects of bounded depth."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise MalformedBody(str(error)) from error
        if not isinstance(data, dict):
            raise MalformedBody("the body must be a JSON object")
        if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise MalformedBody("the body is nested too deeply")
        return data


def require_csrf(request: HttpRequest) -> None:
    """CSRF for session-style writes that no authenticator has checked (sign-in, registration)."""
    if request.headers.get("Authorization"):
        return
    if check_csrf(request) is not None:
        raise ApiError(
            _("The security token of this form is missing or out of date. Reload the page and try again."),
            code="csrf_failed",
            status=403,
        )


def error_response(api: NinjaAPI, request: HttpRequest, error: ApiError) -> HttpResponse:
    body = {"code": error.code, "message": str(error.message), "details": error.details}
    response = api.create_response(request, body, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def _location(loc: Any) -> str:
    parts = [str(part) for part in loc if part not in ("body", "payload", "query", "path", "form")]
    return ".".join(parts) or "body"


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for item in errors:
        kind = str(item.get("type", "invalid"))
        if kind == "missing":
            message = _("This field is required.")
        elif kind.endswith("_type") or kind.endswith("_parsing"):
            message = _("This value has the wrong type.")
        elif kind.startswith("string_too_long"):
            message = _("This value is too long.")
        elif kind.startswith("string_too_short"):
            message = _("This value is too short.")
        else:
            message = _("This value is not valid.")
        details.append({"field": _location(item.get("loc", ())), "code": kind, "message": message})
    return details


def django_validation_details(error: DjangoValidationError) -> list[dict[str, Any]]:
    details = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                details.append({"field": field, "code": item.code or "invalid", "message": " ".join(item.messages)})
    else:
        for item in error.error_list:
            details.append({"field": "__all__", "code": item.code or "invalid", "message": " ".join(item.messages)})
    return details


def install_error_handlers(api: NinjaAPI) -> None:
    """Every failure leaves the API in the one shape, translated into the requester's language."""

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, ApiError)
        return error_response(api, request, exc)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, NinjaValidationError)
        return error_response(api, request, InvalidInput(details=_validation_details(exc.errors)))

    def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, DjangoValidationError)
        return error_response(api, request, InvalidInput(details=django_validation_details(exc)))

    def on_authentication(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            ApiError(_("Please sign in or send a valid API token."), code="not_authenticated", status=401),
        )

    def on_http(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, HttpError)
        if isinstance(exc.__cause__, MalformedBody):
            error = ApiError(_("The request body is not valid JSON."), code="malformed_json", status=400)
        elif exc.status_code == 403 and "CSRF" in exc.message:
            error = ApiError(
                _("The security token of this form is missing or out of date. Reload the page and try again."),
                code="csrf_failed",
                status=403,
            )
        elif exc.status_code == 405:
            error = ApiError(_("This method is not allowed here."), code="method_not_allowed", status=405)
        else:
            error = ApiError(code="http_error", status=exc.status_code)
        return error_response(api, request, error)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, ApiError(_("Not found."), code="not_found", status=404))

    def on_database_unavailable(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            ApiError(
                unavailable.message(),
                code=unavailable.CODE,
                status=503,
                headers={"Retry-After": str(unavailable.RETRY_AFTER_SECONDS)},
            ),
        )

    def on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        if unavailable.is_database_unavailable(exc):
            return on_database_unavailable(request, exc)
        logger.exception("unhandled error in API", exc_info=exc)
        return error_response(
            api,
            request,
            ApiError(_("Something went wrong on our side. Please try again."), code="server_error", status=500),
        )

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(Http404, on_not_found)
    for database_error in unavailable.DATABASE_ERRORS:
        api.add_exception_handler(database_error, on_database_unavailable)
    api.add_exception_handler(Exception, on_unexpected)
