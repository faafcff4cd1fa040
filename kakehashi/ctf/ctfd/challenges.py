"""``/challenges``: the organisers' writes ctfcli makes, and what participants read and attempt."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from kakehashi.ctf import access, outcomes, selectors
from kakehashi.ctf.choices import SubmissionResult, ValueFunction
from kakehashi.ctf.ctfd import pending, shapes
from kakehashi.ctf.ctfd.context import (
    SOURCE,
    default_event,
    language,
    managed_challenge,
    organiser_event,
    played_challenge,
)
from kakehashi.ctf.ctfd.inputs import AttemptIn, ChallengeIn, RequirementsIn
from kakehashi.ctf.models import Challenge, Hint
from kakehashi.ctf.services import challenges, play
from kakehashi.ctf.services.challenges import ChallengeChanges

router = Router(tags=["CTFd challenges"])

OVERRIDE_REASON = "Published through the CTFd-compatible API (ctfcli)"
VALUE_KEYS = frozenset({"type", "value", "initial", "decay", "minimum", "function"})
TEXT_KEYS = frozenset({"name", "description", "connection_info"})
STATUSES = {
    SubmissionResult.CORRECT: "correct",
    SubmissionResult.INCORRECT: "incorrect",
    SubmissionResult.ALREADY_SOLVED: "already_solved",
    SubmissionResult.RATE_LIMITED: "ratelimited",
    SubmissionResult.PAUSED: "paused",
}


def _loaded(challenge_id: int) -> Challenge:
    hints = Prefetch("hints", queryset=Hint.objects.prefetch_related("translations").order_by("position", "id"))
    related = ("translations", "attachments", "tags", "prerequisites")
    return Challenge.objects.prefetch_related(*related, hints).get(pk=challenge_id)


def _first(*values: int | None) -> int | None:
    return next((value for value in values if value is not None), None)


def _value_changes(payload: ChallengeIn, current: Challenge | None, changes: ChallengeChanges) -> None:
    """CTFd's ``type`` (standard or dynamic) with ``value``/``initial``, ``decay``, ``minimum`` and
    ``function`` become the value rule."""
    decaying = current is not None and current.function != ValueFunction.STATIC
    kind = payload.type or ("dynamic" if decaying else "standard")
    value = _first(payload.initial if kind == "dynamic" else None, payload.value, current.value if current else None)
    if value is not None:
        changes["value"] = value
    if kind == "standard":
        changes |= {"function": ValueFunction.STATIC, "minimum": None, "decay": None}
        return
    function = payload.function or (current.function if current is not None and decaying else None)
    changes["function"] = function or ValueFunction.LOGARITHMIC
    changes["minimum"] = _first(payload.minimum, current.minimum if current else None)
    changes["decay"] = _first(payload.decay, current.decay if current else None)


def _text_changes(payload: ChallengeIn, current: Challenge | None) -> dict[str, dict[str, str]]:
    """English from CTFd's fields, other languages from ``translations`` (those with a name)."""
    given = payload.model_fields_set
    texts: dict[str, dict[str, str]] = {}
    if given & TEXT_KEYS:
        row = current.translation_map().get(SOURCE) if current is not None else None
        texts[SOURCE] = {
            "title": payload.name if payload.name is not None else (row.title if row else ""),
            "description": payload.description if payload.description is not None else (row.description if row else ""),
            "connection_info": (payload.connection_info or "")
            if "connection_info" in given
            else (row.connection_info if row else ""),
        }
    for code, block in (payload.translations or {}).items():
        if code != SOURCE and block.name.strip():
            texts[code] = {
                "title": block.name,
                "description": block.description,
                "connection_info": block.connection_info or "",
            }
    return texts


def _changes(payload: ChallengeIn, current: Challenge | None) -> ChallengeChanges:
    given = payload.model_fields_set
    changes: ChallengeChanges = {}
    if payload.category is not None:
        changes["category"] = payload.category
    if "attribution" in given:
        changes["author"] = payload.attribution or ""
    if payload.max_attempts is not None:
        changes["max_attempts"] = payload.max_attempts
    if current is None or given & VALUE_KEYS:
        _value_changes(payload, current, changes)
    texts = _text_changes(payload, current)
    if texts:
        changes["translations"] = texts
    return changes


def _set_prerequisites(request: HttpRequest, challenge: Challenge, requirements: RequirementsIn | None) -> None:
    wanted = set(requirements.prerequisites) if requirements is not None else set()
    others = list(Challenge.objects.filter(pk__in=wanted))
    if len(others) != len(wanted):
        message = _("Prerequisites must be challenges of the same event.")
        raise ValidationError({"requirements": [ValidationError(message, code="unknown_prerequisite")]})
    challenges.prerequisites_set(actor=request.user, challenge=challenge, prerequisites=others)


@router.get("/challenges", summary="Challenges (organisers: ?view=admin lists hidden ones too)")
def challenge_list(request: HttpRequest, view: str = "") -> dict[str, Any]:
    lang = language(request)
    if view == "admin":
        event, _user = organiser_event(request)
        rows = Challenge.objects.filter(event=event).prefetch_related("translations").order_by("position", "id")
        return shapes.ok([shapes.admin_summary(challenge, lang) for challenge in rows])
    event = default_event()
    viewer = access.access_board(request.user, event)
    board = selectors.challenge_board(event, team=viewer.team, staff=viewer.staff)
    return shapes.ok(
        [
            shapes.player_summary(
                item.challenge, value=item.value, solves=item.solves, solved=item.solved, language=lang
            )
            for item in board
        ]
    )


@router.post("/challenges", summary="Create a challenge (organisers)")
def challenge_create(request: HttpRequest, payload: ChallengeIn) -> dict[str, Any]:
    event, _user = organiser_event(request)
    if not (payload.name or "").strip():
        raise ValidationError({"name": [ValidationError(_("This field is required."), code="required")]})
    changes = _changes(payload, None)
    if changes.get("value") is None:
        raise ValidationError({"value": [ValidationError(_("This field is required."), code="required")]})
    challenge = challenges.challenge_create(
        actor=request.user,
        event=event,
        category=changes.get("category", ""),
        value=changes["value"],
        function=changes["function"],
        minimum=changes.get("minimum"),
        decay=changes.get("decay"),
        author=changes.get("author", ""),
        max_attempts=changes.get("max_attempts", 0),
        translations=changes.get("translations", {}),
    )
    if payload.translations:
        pending.remember(challenge.pk, payload.translations)
    if payload.requirements is not None:
        _set_prerequisites(request, challenge, payload.requirements)
    if payload.state == "visible":
        challenges.challenge_publish(actor=request.user, challenge=challenge, override_reason=OVERRIDE_REASON)
    return shapes.ok(shapes.admin_challenge(_loaded(challenge.pk), language(request)))


@router.get("/challenges/{int:challenge_id}", summary="A challenge (organisers: ?view=admin)")
def challenge_detail(request: HttpRequest, challenge_id: int, view: str = "") -> dict[str, Any]:
    lang = language(request)
    if view == "admin":
        return shapes.ok(shapes.admin_challenge(_loaded(managed_challenge(request, challenge_id).pk), lang))
    challenge, player = played_challenge(request, challenge_id)
    team = player.participant.team
    item = next(i for i in selectors.challenge_board(challenge.event, team=team) if i.challenge.pk == challenge.pk)
    challenge = item.challenge
    data = shapes.player_summary(challenge, value=item.value, solves=item.solves, solved=item.solved, language=lang)
    data |= {
        "description": shapes.text(challenge, "description", lang),
        "connection_info": shapes.text(challenge, "connection_info", lang) or None,
        "attribution": challenge.author,
        "state": shapes.ctfd_state(challenge),
        "max_attempts": challenge.max_attempts,
        "attempts": selectors.attempts_used(team, challenge) if team is not None else 0,
        "files": [shapes.file_url(attachment) for attachment in challenge.attachments.all()],
        "hints": [{"id": h.pk, "cost": h.cost, "title": shapes.text(h, "title", lang)} for h in challenge.hints.all()],
        "type_data": {"id": data["type"], "name": data["type"], "templates": {}, "scripts": {}},
    }
    return shapes.ok(data)


@router.patch("/challenges/{int:challenge_id}", summary="Change a challenge (organisers)")
def challenge_update(request: HttpRequest, challenge_id: int, payload: ChallengeIn) -> dict[str, Any]:
    challenge = managed_challenge(request, challenge_id)
    if payload.state == "hidden":
        challenges.challenge_hide(actor=request.user, challenge=challenge)
    changes = _changes(payload, challenge)
    if changes:
        challenges.challenge_update(actor=request.user, challenge=challenge, **changes)
    if payload.translations:
        pending.remember(challenge.pk, payload.translations)
    if "requirements" in payload.model_fields_set:
        _set_prerequisites(request, challenge, payload.requirements)
    if payload.state == "visible":
        challenges.challenge_publish(actor=request.user, challenge=challenge, override_reason=OVERRIDE_REASON)
    return shapes.ok(shapes.admin_challenge(_loaded(challenge.pk), language(request)))


@router.delete("/challenges/{int:challenge_id}", summary="Delete a challenge (organisers)")
def challenge_delete(request: HttpRequest, challenge_id: int) -> dict[str, Any]:
    challenges.challenge_delete(actor=request.user, challenge=managed_challenge(request, challenge_id))
    return {"success": True}


@router.post("/challenges/attempt", summary="Submit a flag")
def attempt(request: HttpRequest, payload: AttemptIn) -> JsonResponse:
    challenge, player = played_challenge(request, payload.challenge_id)
    team = player.participant.team
    assert team is not None  # access_challenge_play requires a team
    outcome = play.submission_attempt(
        challenge=challenge,
        team=team,
        user=player.user,
        provided=payload.submission,
        source_address=request.META.get("REMOTE_ADDR"),
    )
    body = shapes.ok({"status": STATUSES.get(outcome.result, "incorrect"), "message": outcomes.message(outcome.result)})
    if outcome.result != SubmissionResult.RATE_LIMITED:
        return JsonResponse(body)
    response = JsonResponse(body, status=429)
    response["Retry-After"] = str(max(1, outcome.retry_after))
    return response
