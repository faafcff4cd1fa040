"""CTFd's configuration keys through the CTFd-compatible API, mapped onto the default event."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from kakehashi.ctf.models import Event, Participant
from kakehashi.ctf.tests.ctfd.conftest import Call

pytestmark = pytest.mark.django_db


def _data(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is True
    return body["data"]


def _errors(response: Any, status: int) -> dict[str, list[str]]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    errors: dict[str, list[str]] = body["errors"]
    return errors


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _snapshot(event: Event) -> tuple[Any, ...]:
    event.refresh_from_db()
    return (event.starts_at, event.ends_at, event.freeze_at, event.paused, event.mode)


def test_organiser_reads_the_keys(as_organiser: Call, event: Event) -> None:
    listed = _data(as_organiser("GET", "/api/v1/configs"))
    values = {item["key"]: item["value"] for item in listed}
    assert values == {
        "start": str(_seconds(event.starts_at)),
        "end": str(_seconds(event.ends_at)),
        "freeze": None,
        "paused": "0",
        "user_mode": "teams",
    }
    one = _data(as_organiser("GET", "/api/v1/configs/user_mode"))
    assert (one["key"], one["value"]) == ("user_mode", "teams")
    assert _errors(as_organiser("GET", "/api/v1/configs/ctf_theme"), 404)


def test_organiser_changes_times_pause_and_mode(as_organiser: Call, event: Event) -> None:
    now = timezone.now().replace(microsecond=0)
    start, freeze, end = now - timedelta(hours=2), now + timedelta(hours=20), now + timedelta(days=2)
    payload = {
        "start": _seconds(start),
        "end": str(_seconds(end)),
        "freeze": _seconds(freeze),
        "paused": True,
        "user_mode": "users",
    }
    response = as_organiser("PATCH", "/api/v1/configs", payload)
    assert response.status_code == 200, response.content
    assert response.json()["success"] is True
    assert _snapshot(event) == (start, end, freeze, True, "individual")
    assert event.starts_at.tzinfo is not None
    as_organiser("PATCH", "/api/v1/configs", {"freeze": "", "paused": "0"})
    assert _snapshot(event)[2:4] == (None, False)
    values = {item["key"]: item["value"] for item in _data(as_organiser("GET", "/api/v1/configs"))}
    assert (values["start"], values["user_mode"]) == (str(_seconds(start)), "users")


def test_participant_may_not_read_or_change(as_player: Call, event: Event) -> None:
    before = _snapshot(event)
    assert "message" in _errors(as_player("GET", "/api/v1/configs"), 403)
    assert "message" in _errors(as_player("GET", "/api/v1/configs/start"), 403)
    assert "message" in _errors(as_player("PATCH", "/api/v1/configs", {"paused": True}), 403)
    assert _snapshot(event) == before


def test_invalid_values_change_nothing(as_organiser: Call, event: Event) -> None:
    before = _snapshot(event)
    errors = _errors(
        as_organiser(
            "PATCH",
            "/api/v1/configs",
            {"start": "soon", "end": None, "paused": "maybe", "user_mode": "solo", "ctf_theme": "core", "freeze": 1},
        ),
        400,
    )
    assert {"start", "end", "paused", "user_mode", "ctf_theme"} <= set(errors)
    assert _snapshot(event) == before


def test_event_rules_are_reported_under_ctfd_keys(as_organiser: Call, event: Event) -> None:
    before = _snapshot(event)
    backwards = {"end": _seconds(event.starts_at - timedelta(hours=1)), "paused": True}
    assert "end" in _errors(as_organiser("PATCH", "/api/v1/configs", backwards), 400)
    outside = {"freeze": _seconds(event.ends_at + timedelta(hours=1))}
    assert "freeze" in _errors(as_organiser("PATCH", "/api/v1/configs", outside), 400)
    assert _snapshot(event) == before


def test_mode_is_fixed_once_people_registered(as_organiser: Call, event: Event, player: Participant) -> None:
    before = _snapshot(event)
    errors = _errors(as_organiser("PATCH", "/api/v1/configs", {"user_mode": "users", "paused": True}), 400)
    assert "user_mode" in errors
    assert _snapshot(event) == before


def test_unix_seconds_are_utc(as_organiser: Call, event: Event) -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=1)
    as_organiser("PATCH", "/api/v1/configs", {"start": _seconds(start), "end": _seconds(end)})
    assert _snapshot(event)[:2] == (start, end)


def test_configuration_changes_are_recorded(as_organiser: Call, organiser: Any, event: Event) -> None:
    from kakehashi.audit.models import Entry

    response = as_organiser("PATCH", "/api/v1/configs", {"paused": True, "user_mode": "users"})
    assert response.status_code == 200, response.content
    update = Entry.objects.get(action="event.update")
    assert (update.before, update.after) == ({"mode": "team"}, {"mode": "individual"})
    pause = Entry.objects.get(action="event.pause")
    assert pause.after == {"paused": True}
    assert {(entry.channel, entry.actor_id) for entry in (update, pause)} == {("ctfd", organiser.pk)}
