"""Per-request language and time zone, decided once from the account, cookies and headers;
the Content-Security-Policy of every answer."""

from collections.abc import Callable
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from kakehashi.core.languages import resolve_display
from kakehashi.core.timezones import is_valid_zone

TIMEZONE_COOKIE_NAME = "kakehashi_tz"


class LanguageMiddleware:
    """Preference of the signed-in account, then the language cookie, then ``Accept-Language``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        preference = getattr(user, "preferred_language", None) if user and user.is_authenticated else None
        display = resolve_display(
            preference=preference or None,
            cookie=request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
            accept_language=request.headers.get("Accept-Language", ""),
        )
        request.display = display  # type: ignore[attr-defined]
        request.LANGUAGE_CODE = display.language
        translation.activate(display.language)
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", display.language)
        return response


class TimezoneMiddleware:
    """The account's time zone, else the zone the browser reported in a cookie, else UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", "") if user and user.is_authenticated else ""
        if not zone:
            zone = unquote(request.COOKIES.get(TIMEZONE_COOKIE_NAME, ""))[:64]
        if zone and is_valid_zone(zone):
            timezone.activate(ZoneInfo(zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """``CONTENT_SECURITY_POLICY`` on HTML pages; ``CONTENT_SECURITY_POLICY_NON_HTML`` on everything else.

    A JSON answer, a live stream or a file opened directly in a tab then cannot run or load
    anything, even if a browser were persuaded to render it. A view that sets its own policy
    (challenge files) keeps it.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and not is_html(response):
            parts.config = dict(settings.CONTENT_SECURITY_POLICY_NON_HTML["DIRECTIVES"])
            parts.update = parts.replace = None
        return parts


def is_html(response: HttpResponseBase) -> bool:
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return content_type in HTML_CONTENT_TYPES
