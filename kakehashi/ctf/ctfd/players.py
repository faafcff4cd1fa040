"""What participants and their tools read besides challenges: scoreboard, themselves, tokens, notifications."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from kakehashi.accounts.access import require_admin, require_user
from kakehashi.accounts.authentication import optional_auth
from kakehashi.accounts.selectors import active_user
from kakehashi.accounts.services import api_token_create
from kakehashi.core.markdown import render_markdown
from kakehashi.ctf import access, selectors
from kakehashi.ctf.choices import ChallengeState
from kakehashi.ctf.ctfd import shapes
from kakehashi.ctf.ctfd.context import SOURCE, default_event, language, organiser_event
from kakehashi.ctf.ctfd.inputs import TokenIn
from kakehashi.ctf.models import Bracket, Event, Participant, Solve
from kakehashi.ctf.services.announcements import announcement_create
from kakehashi.ctf.services.standings import Entry

router = Router(tags=["CTFd players"])

TOP_LIMIT = 100


def _account_type(event: Event) -> str:
    return "team" if event.is_team_mode else "user"


def _bracket_names(event: Event, lang: str) -> dict[int, str]:
    return {
        bracket.pk: bracket.text("name", lang)
        for bracket in Bracket.objects.filter(event=event).prefetch_related("translations")
    }


def _public_board(request: HttpRequest) -> tuple[Event, tuple[Entry, ...], Any]:
    """The public (frozen) standings of the default event, for whoever may see them."""
    event = default_event()
    access.access_scoreboard(request.user, event)
    board = selectors.scoreboard(event, view="public")
    return event, board.entries, board.snapshot


@router.get("/scoreboard", auth=optional_auth(), summary="Standings (the public view)")
def scoreboard(request: HttpRequest) -> dict[str, Any]:
    event, entries, _shared = _public_board(request)
    names = _bracket_names(event, language(request))
    members: dict[int, list[dict[str, Any]]] = {}
    for participant in Participant.objects.filter(event=event, team__isnull=False).select_related("user"):
        assert participant.team_id is not None
        members.setdefault(participant.team_id, []).append(
            {"id": participant.user_id, "oauth_id": None, "name": participant.user.public_name}
        )
    return shapes.ok(
        [
            {
                "pos": entry.position,
                "account_id": entry.team_id,
                "account_url": f"/teams/{entry.team_id}",
                "account_type": _account_type(event),
                "oauth_id": None,
                "name": entry.name,
                "score": entry.score,
                "bracket_id": entry.bracket_id,
                "bracket_name": names.get(entry.bracket_id) if entry.bracket_id else None,
                "members": members.get(entry.team_id, []),
            }
            for entry in entries
        ]
    )


@router.get("/scoreboard/top/{count}", auth=optional_auth(), summary="The first teams with their solves")
def scoreboard_top(request: HttpRequest, count: int) -> dict[str, Any]:
    event, entries, shared = _public_board(request)
    top = entries[: max(0, min(count, TOP_LIMIT))]
    solves = Solve.objects.filter(team_id__in=[entry.team_id for entry in top]).exclude(
        challenge__state=ChallengeState.HIDDEN
    )
    if shared.cut_off is not None:
        solves = solves.filter(created_at__lt=shared.cut_off)
    by_team: dict[int, list[dict[str, Any]]] = {}
    for solve in solves.order_by("created_at", "id"):
        by_team.setdefault(solve.team_id, []).append(
            {
                "challenge_id": solve.challenge_id,
                "account_id": solve.team_id,
                "team_id": solve.team_id if event.is_team_mode else None,
                "user_id": solve.user_id,
                "value": shared.values.get(solve.challenge_id, 0),
                "date": solve.created_at.isoformat(),
            }
        )
    names = _bracket_names(event, language(request))
    return shapes.ok(
        {
            str(index): {
                "id": entry.team_id,
                "account_url": f"/teams/{entry.team_id}",
                "name": entry.name,
                "score": entry.score,
                "bracket_id": entry.bracket_id,
                "bracket_name": names.get(entry.bracket_id) if entry.bracket_id else None,
                "solves": by_team.get(entry.team_id, []),
            }
            for index, entry in enumerate(top, start=1)
        }
    )


def _standing(event: Event, team_id: int | None) -> tuple[int, int | None]:
    """Score and place of a team on the public scoreboard (0 and ``None`` when not on it)."""
    entry = next((e for e in selectors.scoreboard(event, view="public").entries if e.team_id == team_id), None)
    return (entry.score, entry.position) if entry is not None else (0, None)


@router.get("/users/me", summary="Yourself, in the default event")
def user_me(request: HttpRequest) -> dict[str, Any]:
    user = require_user(request.user)
    event = default_event()
    participant = Participant.objects.filter(event=event, user=user).first()
    team_id = participant.team_id if participant is not None else None
    score, place = _standing(event, team_id)
    return shapes.ok(
        {
            "id": user.pk,
            "name": user.public_name,
            "email": user.email,
            "country": user.country or None,
            "team_id": team_id,
            "score": score,
            "place": place,
        }
    )


@router.get("/teams/me", summary="Your team in the default event")
def team_me(request: HttpRequest) -> dict[str, Any]:
    event = default_event()
    player = access.access_participation(request.user, event)
    team = player.participant.team
    assert team is not None  # access_participation requires a team
    score, place = _standing(event, team.pk)
    members = list(team.members.values_list("user_id", flat=True))
    return shapes.ok(
        {
            "id": team.pk,
            "name": team.name,
            "captain_id": team.captain_id,
            "members": members,
            "bracket_id": team.bracket_id,
            "score": score,
            "place": place,
        }
    )


@router.post("/tokens", summary="Create an API token (for yourself; admins may give user_id, a Kakehashi extension)")
def token_create(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    caller = user = require_user(request.user)
    if payload.user_id is not None and payload.user_id != user.pk:
        require_admin(user)
        owner = active_user(payload.user_id)
        if owner is None:
            message = _("There is no such user.")
            raise ValidationError({"user_id": [ValidationError(message, code="unknown_user")]})
        user = owner
    days = None
    if payload.expiration:
        try:
            days = (date.fromisoformat(payload.expiration[:10]) - timezone.localdate()).days
        except ValueError:
            message = _("Give the expiry date as YYYY-MM-DD.")
            raise ValidationError({"expiration": [ValidationError(message, code="invalid")]}) from None
    row, raw = api_token_create(user=user, name=payload.description or "", expires_days=days, actor=caller)
    return shapes.ok(
        {
            "id": row.pk,
            "type": "user",
            "user_id": user.pk,
            "value": raw,
            "description": row.name,
            "created": row.created_at.isoformat(),
            "expiration": row.expires_at.isoformat(),
        }
    )


@router.get("/notifications", auth=optional_auth(), summary="Announcements of the default event")
def notifications(request: HttpRequest) -> dict[str, Any]:
    lang = language(request)
    event = default_event()
    return shapes.ok(
        [
            {
                "id": announcement.pk,
                "title": announcement.text("title", lang),
                "content": announcement.text("body", lang),
                "html": str(render_markdown(announcement.text("body", lang))),
                "date": announcement.created_at.isoformat(),
                "type": "toast",
                "sound": True,
            }
            for announcement in selectors.announcements(event)
        ]
    )


class NotificationIn(Schema):
    title: str = Field(..., max_length=200)
    content: str = Field(..., max_length=20_000)
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description='Kakehashi extension: the other languages, e.g. {"ja": {"title": …, "content": …}}.',
    )


@router.post("/notifications", summary="Announce to the default event (organisers; every event language needed)")
def notification_create(request: HttpRequest, payload: NotificationIn) -> dict[str, Any]:
    event, organiser = organiser_event(request)
    texts = {SOURCE: {"title": payload.title, "body": payload.content}}
    for code, values in payload.translations.items():
        texts[code] = {"title": values.get("title", ""), "body": values.get("content", "")}
    announcement = announcement_create(event=event, author=organiser, translations=texts)
    return shapes.ok(
        {
            "id": announcement.pk,
            "title": payload.title,
            "content": payload.content,
            "date": announcement.created_at.isoformat(),
            "type": "toast",
            "sound": True,
        }
    )
