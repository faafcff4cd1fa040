"""What every CTFd request is about: the default event, and the language texts are given in."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.core.errors import NotFound
from kakehashi.ctf import access
from kakehashi.ctf.models import Challenge, Event

SOURCE = "en"


def default_event() -> Event:
    """The event CTFd requests address; there is at most one (a database constraint)."""
    event = Event.objects.prefetch_related("translations").filter(is_default=True).first()
    if event is None:
        raise NotFound(_("This instance has no default event."), code="no_default_event")
    return event


def language(request: HttpRequest) -> str:
    """``?lang=`` first, then ``Accept-Language``; English when the request asks for nothing."""
    codes = {code for code, _name in settings.LANGUAGES}
    asked = request.GET.get("lang", "")
    if asked in codes:
        return asked
    if request.headers.get("Accept-Language"):
        return get_language() or SOURCE
    return SOURCE


def organiser_event(request: HttpRequest) -> tuple[Event, User]:
    """The default event, for one of its organisers."""
    event = default_event()
    return event, access.access_event_manage(request.user, event)


def managed_challenge(request: HttpRequest, challenge_id: int) -> Challenge:
    """A challenge of the default event, for one of its organisers; others are not found."""
    event, _user = organiser_event(request)
    challenge = access.access_challenge_manage(request.user, challenge_id)
    if challenge.event_id != event.pk:
        raise NotFound()
    return challenge


def played_challenge(request: HttpRequest, challenge_id: int) -> tuple[Challenge, access.Player]:
    """A challenge of the default event that the caller may read and attempt."""
    return access.access_challenge_play(request.user, challenge_id, event_id=default_event().pk)
