"""How API callers prove who they are: a personal token, or the browser session (CSRF checked)."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.base import AuthBase

from kakehashi.accounts import selectors, services, tokens
from kakehashi.core.errors import ApiError

TOKEN_REFUSALS = {
    "unknown": ("invalid_token", _("This API token is not valid.")),
    "revoked": ("revoked_token", _("This API token has been revoked.")),
    "expired": ("expired_token", _("This API token has expired. Create a new one.")),
    "inactive": ("invalid_token", _("This API token is not valid.")),
}


class TokenAuth(HttpBearer):
    """``Authorization: Token <token>`` (as CTFd and ctfcli send it) or ``Bearer <token>``."""

    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        raw = tokens.from_authorization(request.headers.get("Authorization"))
        if raw is None:
            return None
        return self.authenticate(request, raw)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        check = selectors.token_check(token)
        if check.user is None:
            code, message = TOKEN_REFUSALS[check.reason]
            raise ApiError(message, code=code, status=401)
        if check.stale_use and check.token_id is not None:
            services.api_token_used(token_id=check.token_id)
        request.user = check.user
        request.api_token_used = True  # type: ignore[attr-defined]
        return check.user


class SessionAuth(APIKeyCookie):
    """The browser session; writes must carry the CSRF token."""

    param_name = "kakehashi_session"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated and request.user.is_active:
            return request.user
        return None


def api_auth() -> list[AuthBase]:
    return [TokenAuth(), SessionAuth()]


def anonymous(request: HttpRequest) -> Any:
    """Lets a request through without credentials; a token that is sent is still checked first."""
    return request.user if request.user.is_authenticated else True


def optional_auth() -> list[Any]:
    """For public reads that show more to a signed-in caller (staff views, private scoreboards)."""
    return [TokenAuth(), SessionAuth(), anonymous]
