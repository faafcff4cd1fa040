"""CTFd's configuration keys, mapped onto the default event's settings (organisers only).

``start``, ``end`` and ``freeze`` are Unix seconds (``freeze`` may be cleared with ``null`` or ``""``);
``paused`` is a boolean; ``user_mode`` is ``users`` (an individual event) or ``teams``. Values are read
back as CTFd stores them: strings, ``null`` when unset. Changes go through ``event_update`` and
``event_set_paused``, which hold the rules (times in order, the mode fixed once people registered).
"""

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kakehashi.core.errors import NotFound
from kakehashi.ctf.choices import EventMode
from kakehashi.ctf.ctfd import shapes
from kakehashi.ctf.ctfd.context import organiser_event
from kakehashi.ctf.models import Event
from kakehashi.ctf.services.events import EventChanges, event_set_paused, event_update

router = Router(tags=["CTFd configuration"])

KEYS = ("start", "end", "freeze", "paused", "user_mode")
MODES = {"users": EventMode.INDIVIDUAL, "teams": EventMode.TEAM}
# Where the event's own errors are reported, under CTFd's names.
FIELD_KEYS = {"starts_at": "start", "ends_at": "end", "freeze_at": "freeze", "mode": "user_mode"}
TRUE_TEXTS = {"1", "true", "yes", "on"}
FALSE_TEXTS = {"0", "false", "no", "off"}

Scalar = bool | int | str | None


class ConfigIn(Schema):
    """Any of CTFd's keys; a key that is absent is left as it is, an unknown key is refused."""

    start: Scalar = None
    end: Scalar = None
    freeze: Scalar = None
    paused: Scalar = None
    user_mode: Scalar = None


def _seconds(moment: datetime | None) -> str | None:
    return None if moment is None else str(int(moment.timestamp()))


def _values(event: Event) -> dict[str, str | None]:
    return {
        "start": _seconds(event.starts_at),
        "end": _seconds(event.ends_at),
        "freeze": _seconds(event.freeze_at),
        "paused": "1" if event.paused else "0",
        "user_mode": "teams" if event.mode == EventMode.TEAM else "users",
    }


def _config_out(key: str, value: str | None) -> dict[str, Any]:
    return {"id": KEYS.index(key) + 1, "key": key, "value": value}


def _moment(value: Scalar) -> datetime:
    """Unix seconds, as a number or as digits; anything else raises ``ValueError``."""
    if isinstance(value, bool) or value is None:
        raise ValueError
    seconds = int(value.strip()) if isinstance(value, str) else value
    return datetime.fromtimestamp(seconds, tz=UTC)


def _paused(value: Scalar) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_TEXTS | FALSE_TEXTS:
        return value.strip().lower() in TRUE_TEXTS
    raise ValueError


def _moments(payload: ConfigIn, errors: dict[str, list[str]]) -> dict[str, datetime | None]:
    """The times given; ``None`` for a cleared freeze."""
    moments: dict[str, datetime | None] = {}
    for key in ("start", "end", "freeze"):
        value = getattr(payload, key)
        if key not in payload.model_fields_set:
            continue
        if key == "freeze" and value in (None, ""):
            moments[key] = None
            continue
        try:
            moments[key] = _moment(value)
        except (ValueError, OverflowError, OSError):
            errors[key] = [_("Give the time in Unix seconds.")]
    return moments


def _changes(payload: ConfigIn, sent: Iterable[str]) -> tuple[EventChanges, bool | None]:
    """The event's settings the payload asks for, and the pause; every mistake at once."""
    errors: dict[str, list[str]] = {key: [_("Kakehashi has no such setting.")] for key in sent if key not in KEYS}
    changes: EventChanges = {}
    paused: bool | None = None
    moments = _moments(payload, errors)
    if (start := moments.get("start")) is not None:
        changes["starts_at"] = start
    if (end := moments.get("end")) is not None:
        changes["ends_at"] = end
    if "freeze" in moments:
        changes["freeze_at"] = moments["freeze"]
    if "paused" in payload.model_fields_set:
        try:
            paused = _paused(payload.paused)
        except ValueError:
            errors["paused"] = [_("Give true or false.")]
    if "user_mode" in payload.model_fields_set:
        mode = MODES.get(str(payload.user_mode))
        if mode is None:
            errors["user_mode"] = [_("Choose users or teams.")]
        else:
            changes["mode"] = mode
    if errors:
        raise ValidationError(errors)
    return changes, paused


def _ctfd_keys(error: ValidationError) -> ValidationError:
    """The event's errors under the names of CTFd's keys."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({FIELD_KEYS.get(field, field): items for field, items in error.error_dict.items()})


@router.get("/configs", summary="The default event's settings, as CTFd's configuration keys")
def config_list(request: HttpRequest) -> dict[str, Any]:
    event, _user = organiser_event(request)
    return shapes.ok([_config_out(key, value) for key, value in _values(event).items()])


@router.get("/configs/{key}", summary="One configuration key")
def config_detail(request: HttpRequest, key: str) -> dict[str, Any]:
    event, _user = organiser_event(request)
    values = _values(event)
    if key not in values:
        raise NotFound()
    return shapes.ok(_config_out(key, values[key]))


@router.patch("/configs", summary="Change start, end, freeze (Unix seconds), paused or user_mode")
def config_update(request: HttpRequest, payload: ConfigIn) -> dict[str, Any]:
    event, _user = organiser_event(request)
    sent = json.loads(request.body)  # already parsed as a JSON object to validate the payload
    changes, paused = _changes(payload, sent)
    with transaction.atomic():
        if changes:
            try:
                event = event_update(actor=request.user, event=event, **changes)
            except ValidationError as error:
                raise _ctfd_keys(error) from None
        if paused is not None:
            event_set_paused(actor=request.user, event=event, paused=paused)
    return {"success": True}
