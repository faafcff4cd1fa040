"""The one error shape of the JSON API: a stable machine ``code``, a ``message`` in the
requester's language, and optional field ``details``."""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ApiError(Exception):
    """Raised anywhere below an endpoint; rendered by the API's error handler."""

    status = 400
    code = "bad_request"
    default_message: str | Promise = _("The request could not be processed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details or []
        self.headers = headers or {}
        super().__init__(str(self.message))


class InvalidInput(ApiError):
    status = 422
    code = "validation_error"
    default_message = _("Some fields are not valid.")


class NotAuthenticated(ApiError):
    status = 401
    code = "not_authenticated"
    default_message = _("Please sign in first.")


class PermissionDenied(ApiError):
    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do that.")


class NotFound(ApiError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Conflict(ApiError):
    status = 409
    code = "conflict"
    default_message = _("That conflicts with something that already exists.")


class Throttled(ApiError):
    status = 429
    code = "throttled"
    default_message = _("Too many attempts. Please wait and try again.")

    def __init__(self, message: str | Promise | None = None, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)
