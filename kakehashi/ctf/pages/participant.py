"""Participant pages: an event and its registration and teams, the challenge board, one challenge,
the scoreboard with its chart, and the public pages of a team and a user.

Server-rendered; every form posts to a view here and works without JavaScript (``ctf/play.js`` only
enhances). Views parse input, ask ``access`` once, call one service or selector and render. Service
errors (``ValidationError``) are shown on the page in the reader's language; access refusals become
a sign-in redirect, a 404, or the event page with the reason.
"""

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kakehashi.accounts import selectors as account_selectors
from kakehashi.accounts.access import require_user
from kakehashi.core.errors import ApiError, NotAuthenticated, NotFound, PermissionDenied
from kakehashi.core.languages import Display
from kakehashi.ctf import access, outcomes, phases, selectors
from kakehashi.ctf.choices import ChallengeState, CountryBracket, ParticipantStatus, SubmissionResult
from kakehashi.ctf.models import Bracket, Challenge, Event, Participant, Submission, Team
from kakehashi.ctf.services import play, teams
from kakehashi.ctf.services.standings import Snapshot

P = ParamSpec("P")
PageView = Callable[Concatenate[HttpRequest, P], HttpResponse]
FEED_LENGTH = 15


# --- forms: they only collect input; the rules are in the services ---------------------------


class RegistrationForm(forms.Form):
    invite_code = forms.CharField(label=gettext_lazy("Invitation code"), max_length=64, required=False)


class TeamCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Team name"), max_length=80)


class TeamJoinForm(forms.Form):
    invite_code = forms.CharField(
        label=gettext_lazy("Team invitation code"),
        max_length=32,
        help_text=gettext_lazy("Ask a member of the team for its code."),
    )


class FlagForm(forms.Form):
    flag = forms.CharField(label=gettext_lazy("Flag"), max_length=1000, strip=False)


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's errors on the matching fields; the others above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, found in error.message_dict.items():
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, found)


def _error_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


NOTICE = "ctf:notice"


def _notice(request: HttpRequest, target: str, target_id: int, text: str, *, ok: bool) -> None:
    """An outcome shown next to the form that caused it (``flag`` or ``hint``) after the redirect, where
    the page's anchor lands, rather than at the top of a long page."""
    request.session[NOTICE] = {"target": target, "id": target_id, "text": text, "ok": ok}


def _take_notice(request: HttpRequest) -> dict[str, Any]:
    found = request.session.pop(NOTICE, None)
    return found if isinstance(found, dict) else {}


# --- how pages answer refusals --------------------------------------------------------------


def _page(view: PageView[P]) -> PageView[P]:
    """Sign in when needed; unknown or invisible objects are 404; other refusals go back to the
    event page with the reason, or show it when there is no event."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        slug = kwargs.get("slug")
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated:
            back = request.get_full_path() if request.method == "GET" or not slug else _event_url(str(slug))
            return redirect_to_login(back)
        except NotFound:
            raise Http404 from None
        except ApiError as error:
            if not isinstance(slug, str):
                return render(request, "ctf/play/refused.html", {"message": error.message}, status=error.status)
            messages.error(request, str(error.message))
            return redirect("ctf:event", slug=slug)

    return wrapper


def _event_url(slug: str) -> str:
    return reverse("ctf:event", kwargs={"slug": slug})


def _challenge_url(slug: str, challenge_id: int) -> str:
    return reverse("ctf:challenge", kwargs={"slug": slug, "challenge_id": challenge_id})


# --- shared reads ---------------------------------------------------------------------------


def _display(request: HttpRequest) -> Display:
    found = getattr(request, "display", None)
    return found if isinstance(found, Display) else Display(mode="en", language="en")


def _own_registration(request: HttpRequest, event: Event) -> Participant | None:
    if not request.user.is_authenticated:
        return None
    try:
        return access.access_registration(request.user, event)
    except NotFound:
        return None


def _scoreboard_view(request: HttpRequest, event: Event) -> str | None:
    """``live`` or ``public`` when the viewer may follow the scoreboard (and its live stream)."""
    try:
        return access.access_scoreboard(request.user, event)
    except ApiError:
        return None


def _phase(event: Event) -> str:
    return phases.phase(access.schedule_of(event), timezone.now()).value


@dataclass(frozen=True)
class SolveLine:
    submission: Submission
    challenge: Challenge
    value: int
    blood: int | None


def _public_solves(
    event: Event, snapshot: Snapshot, *, team_id: int | None = None, limit: int = 200
) -> list[SolveLine]:
    """Solves as the scoreboard's readers see them, newest first: challenges they can see, ranked teams,
    before the freeze for the public. Blood places come from the snapshot's solve counts."""
    visible = {c.pk: c for c in selectors.playable_challenges(event, staff=snapshot.view == "live")}
    correct = selectors.submission_log(event, result=SubmissionResult.CORRECT, team_id=team_id, limit=limit)
    cut_off = snapshot.cut_off
    counted = [
        s
        for s in correct
        if s.challenge_id in visible and s.team.ranked and (cut_off is None or s.created_at < cut_off)
    ]
    counted.sort(key=lambda s: (s.created_at, s.pk), reverse=True)
    later: dict[int, int] = {}
    lines = []
    for submission in counted:
        place = snapshot.solve_counts.get(submission.challenge_id, 0) - later.get(submission.challenge_id, 0)
        later[submission.challenge_id] = later.get(submission.challenge_id, 0) + 1
        lines.append(
            SolveLine(
                submission=submission,
                challenge=visible[submission.challenge_id],
                value=snapshot.values.get(submission.challenge_id, 0),
                blood=place if team_id is None and 1 <= place <= 3 else None,
            )
        )
    return lines


def _blood_messages() -> dict[str, str]:
    return {
        "1": _("First blood: your team is the first to solve this challenge."),
        "2": _("Second blood: your team is the second to solve this challenge."),
        "3": _("Third blood: your team is the third to solve this challenge."),
    }


def _script_strings(request: HttpRequest) -> dict[str, Any]:
    """Interface text for ``play.js``, translated here so that the script hard-codes no language."""
    display = _display(request)
    return {
        "language": display.language,
        "other_language": display.other_language,
        "both": display.side_by_side,
        "zone": timezone.get_current_timezone_name(),
        "new_announcement": _("New announcement: %(title)s"),
        "solved": _("%(team)s solved %(challenge)s"),
        "blood": {"1": _("First blood"), "2": _("Second blood"), "3": _("Third blood")},
        "blood_done": _blood_messages(),
        "scoreboard_updated": _("The scoreboard has been updated."),
        "board_updated": _("The challenge board has been updated."),
        "checking": _("Checking the flag…"),
        "network_error": _("The flag could not be sent. Check your connection and try again."),
        "retry": {
            "one": ngettext("Try again in %(seconds)s second.", "Try again in %(seconds)s seconds.", 1),
            "other": ngettext("Try again in %(seconds)s second.", "Try again in %(seconds)s seconds.", 2),
        },
        "ready": _("You can send a flag again."),
        "attempts": {
            "one": ngettext("%(left)s attempt left of %(max)s.", "%(left)s attempts left of %(max)s.", 1),
            "other": ngettext("%(left)s attempt left of %(max)s.", "%(left)s attempts left of %(max)s.", 2),
        },
        "own_team": _("your team"),
        "brackets": {value: str(label) for value, label in CountryBracket.choices},
    }


def _base_context(request: HttpRequest, event: Event, section: str) -> dict[str, Any]:
    prefetch_related_objects([event], "translations")  # a no-op when ``access_event`` fetched them
    display = _display(request)
    view = _scoreboard_view(request, event)
    return {
        "event": event,
        "event_name": event.text("name", display.language) or event.slug,
        "phase": _phase(event),
        "section": section,
        "stream_url": reverse("ctf:stream", kwargs={"slug": event.slug}) if view else "",
        "can_see_scoreboard": view is not None,
    }


# --- event, registration and team ------------------------------------------------------------


def _render_event(
    request: HttpRequest,
    event: Event,
    *,
    register_form: RegistrationForm | None = None,
    create_form: TeamCreateForm | None = None,
    join_form: TeamJoinForm | None = None,
    status: int = 200,
) -> HttpResponse:
    registration = _own_registration(request, event)
    approved = registration is not None and registration.status == ParticipantStatus.APPROVED
    team = registration.team if approved and registration is not None else None
    members = list(team.members.select_related("user").order_by("joined_at", "pk")) if team is not None else []
    context = {
        **_base_context(request, event, "event"),
        "frozen": phases.is_frozen(access.schedule_of(event), timezone.now()),
        "registration": registration,
        "approved": approved,
        "team": team,
        "members": members,
        "staff_role": access.staff_role(request.user, event),
        "announcements": selectors.announcements(event),
        "register_form": register_form or RegistrationForm(),
        "create_form": create_form or TeamCreateForm(),
        "join_form": join_form or TeamJoinForm(),
        "strings": _script_strings(request),
    }
    return render(request, "ctf/play/event.html", context, status=status)


@require_GET
@_page
def event_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_event(request, access.access_event(request.user, slug))


@require_POST
@_page
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = access.access_event(request.user, slug)
    user = require_user(request.user)
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            participant = teams.participant_register(
                event=event, user=user, invite_code=form.cleaned_data["invite_code"]
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if participant.status == ParticipantStatus.PENDING:
                messages.success(request, _("Thank you. An organiser will review your registration."))
            else:
                messages.success(request, _("You are registered for this event."))
            return redirect("ctf:event", slug=slug)
    return _render_event(request, event, register_form=form, status=400)


@require_POST
@_page
def team_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = access.access_event(request.user, slug)
    player = access.access_participation(request.user, event, need_team=False)
    form = TeamCreateForm(request.POST)
    if form.is_valid():
        try:
            teams.team_create(participant=player.participant, name=form.cleaned_data["name"])
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Your team has been created. Share its invitation code with your teammates."))
            return redirect("ctf:event", slug=slug)
    return _render_event(request, event, create_form=form, status=400)


@require_POST
@_page
def team_join(request: HttpRequest, slug: str) -> HttpResponse:
    event = access.access_event(request.user, slug)
    player = access.access_participation(request.user, event, need_team=False)
    form = TeamJoinForm(request.POST)
    if form.is_valid():
        try:
            team = teams.team_join(participant=player.participant, invite_code=form.cleaned_data["invite_code"])
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("You have joined %(team)s.") % {"team": team.name})
            return redirect("ctf:event", slug=slug)
    return _render_event(request, event, join_form=form, status=400)


@require_http_methods(["GET", "POST"])
@_page
def team_leave(request: HttpRequest, slug: str) -> HttpResponse:
    """A confirmation page (GET), then leaving (POST). With JavaScript the event page asks in a dialog."""
    event = access.access_event(request.user, slug)
    player = access.access_participation(request.user, event)
    if request.method == "GET":
        context = {**_base_context(request, event, "event"), "team": player.participant.team}
        return render(request, "ctf/play/team_leave.html", context)
    try:
        teams.team_leave(participant=player.participant)
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("You have left the team."))
    return redirect("ctf:event", slug=slug)


# --- challenge board ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    item: selectors.BoardItem
    new: bool
    locked: bool
    blocked: bool  # prerequisites not solved yet by the viewer's team
    hidden: bool


def _new_since_last_visit(request: HttpRequest, event: Event, challenge_ids: Iterable[int]) -> set[int]:
    """Challenges the viewer had not seen on the board at their previous visit (none on a first visit)."""
    key = f"ctf:board-seen:{event.pk}"
    current = set(challenge_ids)
    seen = request.session.get(key)
    request.session[key] = sorted(current | set(seen or []))
    return set() if seen is None else current - set(seen)


@require_GET
@_page
def board(request: HttpRequest, slug: str) -> HttpResponse:
    event = access.access_event(request.user, slug)
    context = {**_base_context(request, event, "board"), "strings": _script_strings(request)}
    try:
        viewer = access.access_board(request.user, event)
    except PermissionDenied as error:
        if error.code != "not_started":
            raise
        return render(request, "ctf/play/board_waiting.html", context)
    items = selectors.challenge_board(event, team=viewer.team, staff=viewer.staff)
    new = _new_since_last_visit(request, event, (item.challenge.pk for item in items))
    has_team = viewer.team is not None
    categories: dict[str, list[Card]] = {}
    for item in items:
        state = item.challenge.state
        card = Card(
            item=item,
            new=item.challenge.pk in new,
            locked=state == ChallengeState.LOCKED,
            blocked=has_team and not item.unlocked_prerequisites,
            hidden=state == ChallengeState.HIDDEN,
        )
        categories.setdefault(item.challenge.category, []).append(card)
    context |= {
        "categories": list(categories.items()),
        "team": viewer.team,
        "solved_count": sum(1 for item in items if item.solved),
        "total": len(items),
    }
    return render(request, "ctf/play/board.html", context)


# --- one challenge: text, files, hints, flag -------------------------------------------------------


def _playable(request: HttpRequest, slug: str, challenge_id: int) -> tuple[Challenge, access.Player]:
    event = access.access_event(request.user, slug)
    return access.access_challenge_play(request.user, challenge_id, event_id=event.pk)


@require_GET
@_page
def challenge_page(request: HttpRequest, slug: str, challenge_id: int) -> HttpResponse:
    found, player = _playable(request, slug, challenge_id)
    event = found.event
    team = player.participant.team
    staff = access.staff_role(request.user, event) is not None
    items = {item.challenge.pk: item for item in selectors.challenge_board(event, team=team, staff=staff)}
    item = items.get(found.pk)
    if item is None:
        raise Http404
    challenge = item.challenge
    unlocked = selectors.unlocked_hint_ids(team, challenge)
    used = selectors.attempts_used(team, challenge) if team is not None and challenge.max_attempts else 0
    missing = [
        items[pre.pk].challenge for pre in challenge.prerequisites.all() if pre.pk in items and not items[pre.pk].solved
    ]
    hints = [
        (position, hint, hint.pk in unlocked, any(row.title.strip() for row in hint.translation_map().values()))
        for position, hint in enumerate(challenge.hints.all(), start=1)
    ]
    phase = _phase(event)
    closed = SubmissionResult.NOT_STARTED if phase == phases.Phase.NOT_STARTED else SubmissionResult.ENDED
    context = {
        **_base_context(request, event, "board"),
        "challenge": challenge,
        "challenge_title": challenge.text("title", _display(request).language),
        "item": item,
        "locked": challenge.state == ChallengeState.LOCKED,
        "missing": missing,
        "has_connection_info": any(row.connection_info.strip() for row in challenge.translation_map().values()),
        "attachments": list(challenge.attachments.all()),
        "hints": hints,
        "attempts_left": max(challenge.max_attempts - used, 0) if challenge.max_attempts else None,
        "accepting": phase in {phases.Phase.RUNNING, phases.Phase.PAUSED},
        "closed_message": outcomes.message(closed),
        "paused_message": outcomes.message(SubmissionResult.PAUSED),
        "form": FlagForm(),
        "notice": _take_notice(request),
        "strings": _script_strings(request),
    }
    return render(request, "ctf/play/challenge.html", context)


@require_POST
@_page
def submit(request: HttpRequest, slug: str, challenge_id: int) -> HttpResponse:
    """The flag form without JavaScript: judge it, say the outcome, show the challenge again."""
    challenge, player = _playable(request, slug, challenge_id)
    form = FlagForm(request.POST)
    target = _challenge_url(slug, challenge.pk) + "#flag"
    if not form.is_valid() or not form.cleaned_data["flag"].strip():
        _notice(request, "flag", challenge.pk, _("Enter a flag to send."), ok=False)
        return redirect(target)
    team = player.participant.team
    assert team is not None  # access_challenge_play requires a team
    outcome = play.submission_attempt(
        challenge=challenge,
        team=team,
        user=player.user,
        provided=form.cleaned_data["flag"],
        source_address=request.META.get("REMOTE_ADDR"),
    )
    text = outcomes.message(outcome.result)
    if outcome.result == SubmissionResult.RATE_LIMITED:
        seconds = outcome.retry_after
        retry = ngettext("Try again in %(seconds)s second.", "Try again in %(seconds)s seconds.", seconds)
        text = f"{text} {retry % {'seconds': seconds}}"
    if outcome.blood is not None:
        text = f"{text} {_blood_messages()[str(outcome.blood)]}"
    accepted = outcome.result in {SubmissionResult.CORRECT, SubmissionResult.ALREADY_SOLVED}
    _notice(request, "flag", challenge.pk, text, ok=accepted)
    return redirect(target)


@require_http_methods(["GET", "POST"])
@_page
def hint_unlock(request: HttpRequest, slug: str, hint_id: int) -> HttpResponse:
    """Asks to confirm the cost (GET), then unlocks (POST). With JavaScript the challenge page asks in a dialog."""
    hint, player = access.access_hint_play(request.user, hint_id, event_id=access.access_event(request.user, slug).pk)
    challenge = hint.challenge
    event = challenge.event
    back = _challenge_url(slug, challenge.pk) + f"#hint-{hint.pk}"
    team = player.participant.team
    assert team is not None  # access_hint_play requires a team
    if hint.pk in selectors.unlocked_hint_ids(team, challenge):
        return redirect(back)
    if request.method == "GET":
        context = {**_base_context(request, event, "board"), "hint": hint, "challenge": challenge, "back": back}
        return render(request, "ctf/play/hint_unlock.html", context)
    try:
        play.hint_unlock(hint=hint, team=team, user=player.user)
    except ValidationError as error:
        _notice(request, "hint", hint.pk, " ".join(_error_messages(error)), ok=False)
    else:
        _notice(request, "hint", hint.pk, _("The hint is unlocked."), ok=True)
    return redirect(back)


# --- scoreboard and its chart ----------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Line:
    team_id: int
    name: str
    index: int
    own: bool
    points: str
    data: tuple[tuple[datetime, int], ...]

    @property
    def final(self) -> int:
        return self.data[-1][1] if self.data else 0


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]


def _nice_step(span: float, parts: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) dividing ``span`` into about ``parts``."""
    raw = max(span / parts, 1.0)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def score_chart(
    series: Sequence[tuple[int, str, Sequence[tuple[datetime, int]]]],
    *,
    start: datetime,
    end: datetime,
    own_team_id: int | None = None,
    width: int = 960,
    height: int = 420,
) -> Chart:
    """Score over time as step lines in SVG user units: each team starts at 0 at ``start`` and
    keeps its last score until ``end``. Pure: ``series`` is (team id, name, [(time, score), ...])."""
    left, right, top, bottom = 84, width - 24, 20, height - 60
    start = min([start, *(points[0][0] for _id, _name, points in series if points)])
    end = max([end, start, *(points[-1][0] for _id, _name, points in series if points)])
    span = (end - start).total_seconds() or 1.0
    scores = [score for _id, _name, points in series for _time, score in points]
    step = _nice_step(max([*scores, 1]) - min([*scores, 0]))
    low = math.floor(min([*scores, 0]) / step) * step
    high = max(math.ceil(max([*scores, 1]) / step) * step, low + step)

    def x(moment: datetime) -> float:
        return round(left + (right - left) * (moment - start).total_seconds() / span, 1)

    def y(score: int) -> float:
        return round(bottom - (bottom - top) * (score - low) / (high - low), 1)

    lines = []
    for index, (team_id, name, points) in enumerate(series):
        coordinates = [(x(start), y(0))]
        previous = 0
        for moment, score in points:
            coordinates += [(x(moment), y(previous)), (x(moment), y(score))]
            previous = score
        coordinates.append((x(end), y(previous)))
        text = " ".join(f"{px:g},{py:g}" for px, py in coordinates)
        lines.append(Line(team_id, name, index, team_id == own_team_id, text, tuple(points)))
    label = "%m/%d %H:%M" if span > 86_400 else "%H:%M"
    x_ticks = tuple(
        Tick(x(moment), timezone.localtime(moment).strftime(label))
        for moment in (start + (end - start) * i / 4 for i in range(5))
    )
    y_ticks = tuple(Tick(y(value), str(value)) for value in range(low, high + 1, step))
    return Chart(width, height, left, right, top, bottom, tuple(lines), x_ticks, y_ticks)


def _bracket_tabs(brackets: Sequence[Bracket], current: str) -> list[dict[str, Any]]:
    tabs: list[dict[str, Any]] = [{"value": "", "label": _("Overall"), "bracket": None}]
    tabs += [{"value": value, "label": label, "bracket": None} for value, label in CountryBracket.choices]
    tabs += [{"value": b.slug, "label": "", "bracket": b} for b in brackets]
    for tab in tabs:
        tab["current"] = tab["value"] == current
    return tabs


@require_GET
@_page
def scoreboard(request: HttpRequest, slug: str) -> HttpResponse:
    event = access.access_event(request.user, slug)
    view = access.access_scoreboard(request.user, event)
    bracket = request.GET.get("bracket", "")
    country, bracket_id = access.bracket_filter(event, bracket)
    standings = selectors.scoreboard(event, view=view, country=country, bracket_id=bracket_id)
    registration = _own_registration(request, event)
    own_team_id = registration.team_id if registration is not None else None
    brackets = list(event.brackets.prefetch_related("translations"))
    names = {entry.team_id: entry.name for entry in standings.entries}
    series = [(s.account_id, names[s.account_id], s.points) for s in standings.snapshot.series if s.account_id in names]
    cut_off = standings.snapshot.cut_off
    end = cut_off or min(timezone.now(), event.ends_at)
    api = reverse("api:scoreboard", kwargs={"slug": slug})
    context = {
        **_base_context(request, event, "scoreboard"),
        "view": view,
        "board": standings,
        "entries": standings.entries,
        "tabs": _bracket_tabs(brackets, bracket),
        "bracket": bracket,
        "own_team_id": own_team_id,
        "country_brackets": CountryBracket.choices,
        "zone": timezone.get_current_timezone_name(),
        "feed_length": FEED_LENGTH,
        "chart": score_chart(series, start=event.starts_at, end=end, own_team_id=own_team_id) if series else None,
        "feed": _public_solves(event, standings.snapshot, limit=200)[:FEED_LENGTH],
        "api_url": f"{api}?{urlencode({'bracket': bracket})}" if bracket else api,
        "strings": _script_strings(request),
    }
    return render(request, "ctf/play/scoreboard.html", context)


# --- public pages of teams and users -----------------------------------------------------------------


@require_GET
@_page
def team_page(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    event = access.access_event(request.user, slug)
    team = access.access_team(request.user, event, team_id)
    view = _scoreboard_view(request, event)
    entry, solves, frozen = None, None, False
    if view is not None:
        standings = selectors.scoreboard(event, view=view)
        entry = next((e for e in standings.entries if e.team_id == team.pk), None)
        solves = _public_solves(event, standings.snapshot, team_id=team.pk)
        frozen = standings.frozen
    context = {
        **_base_context(request, event, "scoreboard"),
        "team": team,
        "members": list(team.members.select_related("user").order_by("joined_at", "pk")),
        "is_member": access.is_member(request.user, team),
        "entry": entry,
        "solves": solves,
        "board_frozen": frozen,
    }
    return render(request, "ctf/play/team.html", context)


@dataclass(frozen=True)
class Participation:
    event: Event
    team: Team
    place: int | None
    score: int | None
    solves: list[SolveLine] | None


@require_GET
@_page
def user_page(request: HttpRequest, username: str) -> HttpResponse:
    person = account_selectors.active_user_by_name(username)
    if person is None:
        raise Http404
    rows = []
    registrations = person.participations.filter(team__isnull=False).select_related("event", "team")
    for participant in registrations.prefetch_related("event__translations").order_by("-event__starts_at"):
        event = participant.event
        try:
            team = access.access_team(request.user, event, participant.team_id or 0)
        except NotFound:
            continue
        view = _scoreboard_view(request, event)
        if view is None:
            rows.append(Participation(event, team, None, None, None))
            continue
        standings = selectors.scoreboard(event, view=view)
        entry = next((e for e in standings.entries if e.team_id == team.pk), None)
        solves = _public_solves(event, standings.snapshot, team_id=team.pk)
        place, score = (entry.position, entry.score) if entry is not None else (None, None)
        rows.append(Participation(event, team, place, score, solves))
    return render(request, "ctf/play/user.html", {"person": person, "participations": rows})


urlpatterns = [
    # "events/new/" is the organisers' page for creating an event: an event cannot be called "new".
    re_path(r"^events/(?!new/$)(?P<slug>[-a-zA-Z0-9_]+)/$", event_page, name="event"),
    path("events/<slug:slug>/register/", register, name="register"),
    path("events/<slug:slug>/team/create/", team_create, name="team_create"),
    path("events/<slug:slug>/team/join/", team_join, name="team_join"),
    path("events/<slug:slug>/team/leave/", team_leave, name="team_leave"),
    path("events/<slug:slug>/challenges/", board, name="board"),
    path("events/<slug:slug>/challenges/<int:challenge_id>/", challenge_page, name="challenge"),
    path("events/<slug:slug>/challenges/<int:challenge_id>/flag/", submit, name="submit"),
    path("events/<slug:slug>/hints/<int:hint_id>/unlock/", hint_unlock, name="hint_unlock"),
    path("events/<slug:slug>/scoreboard/", scoreboard, name="scoreboard"),
    path("events/<slug:slug>/teams/<int:team_id>/", team_page, name="team"),
    path("users/<str:username>/", user_page, name="user"),
]
