"""Plumbing for django-ninja APIs: the JSON error shape, body parsing, CSRF for anonymous writes."""

import json
import logging
import math
import re
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
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
    """The request body is not a JSON object we can read; ``code`` tells the caller why."""

    def __init__(self, reason: str, *, code: str = "malformed_json") -> None:
        super().__init__(reason)
        self.code = code


# Text the database cannot hold (PostgreSQL refuses NUL; no encoding holds a lone surrogate).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large for a number")
    return number


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return data


def _inspect(value: Any, limit: int) -> int:
    """The nesting depth of ``value`` (stops counting past ``limit``); refuses text that cannot be stored."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                raise MalformedBody("the body holds a NUL character or a lone surrogate", code="invalid_text")
        elif isinstance(item, dict):
            for key, child in item.items():
                if _UNSTORABLE.search(key):
                    raise MalformedBody("the body holds a NUL character or a lone surrogate", code="invalid_text")
                stack.append((child, level + 1))
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


def parse_json_object(raw: bytes) -> DictStrAny:
    """A request body as :class:`StrictJSONParser` accepts it; :class:`MalformedBody` otherwise."""
    try:
        data = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constants,
            parse_float=_finite,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise MalformedBody(str(error)) from error
    if not isinstance(data, dict):
        raise MalformedBody("the body must be a JSON object")
    if _inspect(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise MalformedBody("the body is nested too deeply")
    return data


class StrictJSONParser(Parser):
    """JSON bodies must be UTF-8 JSON objects of bounded depth, with unique keys, finite numbers and
    text a database can store (no NUL, no lone surrogates)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        return parse_json_object(request.body)

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> DictStrAny:
        for key, values in data.lists():  # query strings and form fields; uploaded files are not text
            if any(isinstance(text, str) and _UNSTORABLE.search(text) for text in (key, *values)):
                raise MalformedBody("a parameter holds a NUL character or a lone surrogate", code="invalid_text")
        return super().parse_querydict(data, list_fields, request)


def invalid_text_error() -> ApiError:
    message = _("The request contains a NUL character or an unpaired surrogate, which cannot be stored.")
    return ApiError(message, code="invalid_text", status=400)


def database_refusal_error() -> ApiError:
    """A value the database refused to compare or store (NUL in a path on PostgreSQL, an integer past
    the column's range): the request's fault, so a 400, not a 500."""
    return ApiError(_("A value in the request is out of range or cannot be stored."), code="invalid_value", status=400)


def malformed_error(exc: MalformedBody) -> ApiError:
    if exc.code == "invalid_text":
        return invalid_text_error()
    return ApiError(_("The request body is not valid JSON."), code="malformed_json", status=400)


def body_problem(exc: HttpError) -> ApiError | None:
    """The answer to a body that could not be parsed (``exc`` is ninja's wrapper), or None."""
    cause = exc.__cause__
    if isinstance(cause, MalformedBody):
        return malformed_error(cause)
    if cause is not None and isinstance(cause, UNREADABLE_REQUESTS):
        return unreadable_request_error(cause)
    return None


# Django raises these while reading a request body; they are the client's fault, never a 500.
UNREADABLE_REQUESTS: tuple[type[Exception], ...] = (SuspiciousOperation, MultiPartParserError, UnreadablePostError)


def unreadable_request_error(exc: Exception) -> ApiError:
    """The answer to a request body Django refused to read: too large, too many parts, or malformed."""
    if isinstance(exc, RequestDataTooBig):
        return ApiError(_("The request is too large."), code="request_too_large", status=413)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return ApiError(_("The request has too many fields or files."), code="too_many_parts", status=400)
    if isinstance(exc, MultiPartParserError | UnreadablePostError):
        return ApiError(_("The request body could not be read."), code="malformed_body", status=400)
    return ApiError(code="bad_request", status=400)


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
        problem = body_problem(exc)
        if problem is not None:
            error = problem
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

    def on_unreadable(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, unreadable_request_error(exc))

    def on_malformed(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, MalformedBody)
        return error_response(api, request, malformed_error(exc))

    def on_database_refusal(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.warning("the database refused a value of the request: %s", exc)
        return error_response(api, request, database_refusal_error())

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
    for unreadable in UNREADABLE_REQUESTS:
        api.add_exception_handler(unreadable, on_unreadable)
    api.add_exception_handler(MalformedBody, on_malformed)  # a query's; a body's comes wrapped in HttpError
    api.add_exception_handler(DataError, on_database_refusal)
    api.add_exception_handler(Exception, on_unexpected)
