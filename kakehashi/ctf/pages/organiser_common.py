"""What every organiser and judge page shares: refusing callers, finding the event, showing errors."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.core.errors import NotAuthenticated, NotFound, PermissionDenied
from kakehashi.ctf import access
from kakehashi.ctf.choices import EventRole
from kakehashi.ctf.models import Event

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def staff_page(view: View[P]) -> View[P]:
    """Turns the refusals of the access functions into pages: anonymous callers go to the sign-in
    page, others see a translated 403 or 404 page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated:
            return redirect_to_login(request.get_full_path())
        except PermissionDenied as error:
            return refusal(request, status=403, message=str(error.message))
        except NotFound:
            return refusal(request, status=404, message=_("There is nothing here, or it belongs to another event."))

    return wrapper


def refusal(request: HttpRequest, *, status: int, message: str) -> HttpResponse:
    context = {"status": status, "message": message}
    return render(request, "ctf/manage/refusal.html", context, status=status)


@dataclass(frozen=True)
class Staff:
    """Who is looking at which event's staff pages."""

    event: Event
    user: User
    organiser: bool


def managed_event(request: HttpRequest, slug: str) -> Staff:
    """The event, for one of its organisers (administrators organise every event)."""
    event = access.access_event(request.user, slug)
    user = access.access_event_manage(request.user, event)
    return Staff(event=event, user=user, organiser=True)


def judged_event(request: HttpRequest, slug: str) -> Staff:
    """The event, for one of its judges or organisers."""
    event = access.access_event(request.user, slug)
    user = access.access_event_judge(request.user, event)
    return Staff(event=event, user=user, organiser=access.staff_role(user, event) == EventRole.ORGANISER)


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, staff: Staff, status: int = 200
) -> HttpResponse:
    """Renders a staff page of an event, with the event's navigation."""
    context = {"event": staff.event, "is_organiser": staff.organiser, **context}
    return render(request, template, context, status=status)
