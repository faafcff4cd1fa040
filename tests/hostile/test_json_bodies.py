"""Hostile JSON bodies on every family of write endpoints: native (participants and organisers),
accounts, and the CTFd-compatible API.

Each body must be refused with a 4xx in the API's error shape, in the requester's language, and
must change nothing that is stored. A 500 is a bug.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from kakehashi.accounts import services as accounts
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import Award, Challenge, EventStaff, Flag, Hint, Submission
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory, FlagFactory, HintFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

Body = bytes


@dataclass(frozen=True)
class Route:
    """A write endpoint, who calls it, a valid body, a text field and an integer field to attack."""

    name: str
    method: str
    path: str
    caller: str
    body: dict[str, Any]
    text_field: str
    int_field: str
    ctfd: bool = False

    def number(self) -> str:
        return self.int_field or self.text_field


ROUTES = [
    Route("attempt", "post", "/api/challenges/{challenge}/attempts", "player", {"flag": "x"}, "flag", ""),
    Route("flag_create", "post", "/api/manage/challenges/{challenge}/flags", "organiser", {}, "content", ""),
    Route("challenge_update", "patch", "/api/manage/challenges/{challenge}", "organiser", {}, "category", "value"),
    Route("hint_create", "post", "/api/manage/challenges/{challenge}/hints", "organiser", {}, "position", "cost"),
    Route("award", "post", "/api/events/{slug}/awards", "organiser", {"value": 5}, "reason", "team_id"),
    Route("prerequisites", "put", "/api/manage/challenges/{challenge}/prerequisites", "organiser", {}, "", ""),
    Route("profile", "patch", "/api/accounts/me", "player", {}, "display_name", ""),
    Route("token", "post", "/api/accounts/tokens", "player", {"name": "t"}, "name", "expires_days"),
    Route("ctfd_attempt", "post", "/api/v1/challenges/attempt", "player", {}, "submission", "challenge_id", True),
    Route("ctfd_challenge", "post", "/api/v1/challenges", "organiser", {"name": "n"}, "category", "value", True),
    Route("ctfd_flag", "post", "/api/v1/flags", "organiser", {"content": "f"}, "content", "challenge_id", True),
    Route("ctfd_hint", "post", "/api/v1/hints", "organiser", {"content": "h"}, "content", "challenge_id", True),
    Route("ctfd_unlock", "post", "/api/v1/unlocks", "player", {"type": "hints"}, "type", "target", True),
]

TEN_MB = 10 * 1024 * 1024


def _json(data: Any) -> Body:
    return json.dumps(data).encode()


def _raw(field: str, literal: str) -> Body:
    """``{"field": literal}`` with the literal as written, which ``json.dumps`` could not produce."""
    return b'{"' + field.encode() + b'": ' + literal.encode() + b"}"


HOSTILE: dict[str, Callable[[Route], Body]] = {
    "ten_megabytes": lambda route: _json({**route.body, "padding": "a" * TEN_MB}),
    "deep_nesting": lambda route: b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "deep_arrays": lambda route: b'{"a":' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    "huge_array": lambda route: _json({**route.body, route.number() or "challenge_ids": [1] * 200_000}),
    "huge_float": lambda route: _raw(route.number(), "1e309"),
    "infinity": lambda route: _raw(route.number(), "Infinity"),
    "nan": lambda route: _raw(route.number(), "NaN"),
    "two_to_the_64": lambda route: _json({**route.body, route.number() or "challenge_ids": [2**64]}),
    "minus_two_to_the_64": lambda route: _json({**route.body, route.number() or "challenge_ids": [-(2**64)]}),
    "huge_integer_text": lambda route: _raw(route.number() or "challenge_ids", "9" * 4000),
    "over_python_digit_limit": lambda route: _raw(route.number() or "x", "9" * 5000),
    "duplicate_keys": lambda route: b'{"a": 1, "a": 2}',
    "invalid_utf8": lambda route: b'{"name": "\xff\xfe\xc3\x28"}',
    "overlong_utf8": lambda route: b'{"name": "\xc0\xaf"}',
    "lone_surrogate": lambda route: b'{"name": "\\ud800", "flag": "\\udfff", "submission": "\\ud800"}',
    "nul_character": lambda route: b'{"name": "a\\u0000b", "flag": "\\u0000", "submission": "\\u0000"}',
    "not_an_object": lambda route: b"[1, 2, 3]",
    "empty": lambda route: b"",
    "utf16": lambda route: '{"name": "x"}'.encode("utf-16"),
}

# What each attack must be answered with (status, native code); CTFd clients see 400 for 422.
EXPECTED: dict[str, tuple[int, set[str]]] = {
    "ten_megabytes": (413, {"request_too_large"}),
    "deep_nesting": (400, {"malformed_json"}),
    "deep_arrays": (400, {"malformed_json"}),
    "huge_float": (400, {"malformed_json"}),
    "infinity": (400, {"malformed_json"}),
    "nan": (400, {"malformed_json"}),
    "over_python_digit_limit": (400, {"malformed_json"}),
    "duplicate_keys": (400, {"malformed_json"}),
    "invalid_utf8": (400, {"malformed_json"}),
    "overlong_utf8": (400, {"malformed_json"}),
    "lone_surrogate": (400, {"invalid_text"}),
    "nul_character": (400, {"invalid_text"}),
    "not_an_object": (400, {"malformed_json"}),
    "utf16": (400, {"malformed_json"}),
}


@dataclass
class World:
    slug: str
    challenge: int
    headers: dict[str, dict[str, str]]


def _token(user: Any) -> dict[str, str]:
    _row, raw = accounts.api_token_create(user=user)
    return {"Authorization": f"Token {raw}"}


@pytest.fixture
def world(db: Any) -> World:
    event = EventFactory.create(is_default=True)
    organiser = UserFactory.create()
    EventStaff.objects.create(event=event, user=organiser, role="organiser")
    challenge = ChallengeFactory.create(event=event)
    FlagFactory.create(challenge=challenge)
    HintFactory.create(challenge=challenge)
    player = ParticipantFactory.create(event=event)
    return World(
        slug=event.slug,
        challenge=challenge.pk,
        headers={"organiser": _token(organiser), "player": _token(player.user)},
    )


def _stored() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Challenge, Flag, Hint, Award, Submission))


def _send(world: World, route: Route, body: Body, language: str = "en") -> Any:
    path = route.path.format(slug=world.slug, challenge=world.challenge)
    headers = {**world.headers[route.caller], "Accept-Language": language}
    call = getattr(Client(), route.method)
    return call(path, body, content_type="application/json", headers=headers)


def _messages(route: Route, body: dict[str, Any]) -> list[str]:
    if route.ctfd:
        assert body["success"] is False
        return [message for messages in body["errors"].values() for message in messages]
    assert set(body) == {"code", "message", "details"}
    return [body["message"], *(detail["message"] for detail in body["details"])]


@pytest.mark.parametrize("attack", sorted(HOSTILE))
@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_hostile_body_is_refused_in_the_api_shape(world: World, route: Route, attack: str) -> None:
    before = _stored()
    response = _send(world, route, HOSTILE[attack](route))
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    messages = _messages(route, response.json())
    assert all(messages)
    if attack in EXPECTED:
        status, codes = EXPECTED[attack]
        assert response.status_code == status
        if not route.ctfd:
            assert response.json()["code"] in codes
    assert _stored() == before


# Only attacks answered with messages the Japanese catalog already holds; the new messages (too large,
# NUL or surrogate) are listed for translators in the branch's translation file until it is merged.
@pytest.mark.parametrize("attack", ["deep_nesting", "duplicate_keys", "huge_float", "invalid_utf8"])
@pytest.mark.parametrize("route", [ROUTES[0], ROUTES[1], ROUTES[8]], ids=["native", "organiser", "ctfd"])
def test_refusal_is_in_japanese_when_asked(world: World, route: Route, attack: str) -> None:
    english = _messages(route, _send(world, route, HOSTILE[attack](route)).json())
    japanese = _messages(route, _send(world, route, HOSTILE[attack](route), language="ja").json())
    assert english != japanese
    assert all(any("\u3040" <= character <= "\u30ff" for character in message) for message in japanese)


def test_minus_zero_is_an_ordinary_zero(world: World) -> None:
    """``-0`` is not refused as malformed: it is the number 0, judged by the field's own rules."""
    route = ROUTES[7]  # token: expires_days must be 1 to 3650
    response = _send(world, route, b'{"name": "t", "expires_days": -0}')
    assert response.status_code == 422, response.content
    assert [detail["field"] for detail in response.json()["details"]] == ["expires_days"]
    accepted = _send(world, route, b'{"name": "t", "expires_days": 1}')
    assert accepted.status_code == 201, accepted.content
