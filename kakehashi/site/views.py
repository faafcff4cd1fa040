from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.accounts import services as account_services
from kakehashi.accounts.models import User
from kakehashi.core.languages import DISPLAY_MODES
from kakehashi.ctf import access as ctf_access
from kakehashi.ctf import phases
from kakehashi.ctf import selectors as ctf_selectors

ONE_YEAR = 365 * 24 * 60 * 60


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Events under way and coming first (soonest first), then past ones (latest first)."""
    now = timezone.now()
    current: list[dict[str, Any]] = []
    past: list[dict[str, Any]] = []
    for event in ctf_selectors.event_list():
        phase = phases.phase(ctf_access.schedule_of(event), now).value
        (past if phase == phases.Phase.ENDED else current).append({"event": event, "phase": phase})
    current.sort(key=lambda card: card["event"].starts_at)
    return render(request, "site/home.html", {"current_events": current, "past_events": past})


@require_POST
def display(request: HttpRequest) -> HttpResponse:
    """Switch between English, Japanese and side by side; remembered in a cookie and the profile."""
    mode = request.POST.get("mode", "")
    if mode not in DISPLAY_MODES:
        return HttpResponseBadRequest(_("Unknown display language."))
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if isinstance(request.user, User) and request.user.is_authenticated:
        try:
            account_services.user_update_profile(user=request.user, preferred_language=mode)
        except ValidationError:
            return HttpResponseBadRequest(_("Unknown display language."))
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        mode,
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
    )
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
