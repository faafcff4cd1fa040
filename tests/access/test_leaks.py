"""Secrets never leak: not through any answer, error, count, or the live stream.

Every secret of the fixture world carries a canary (:mod:`tests.access.world`). Every readable route
of the matrix is fetched as every role that is not the event's staff — with each case's parameters,
so hidden, scheduled, other events' and made-up ids too — and no canary may appear in a body or a
header. Then the numbers: public solve counts, scores, ``solves`` fields and solver lists show neither
hidden challenges nor anything after the freeze; a hidden object and one that does not exist get the
same answer; refusals of writes echo no secret; the live stream gives non-staff the public channel,
which hears nothing of hidden challenges or of solves after the freeze.
"""

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client

from kakehashi.core import live
from kakehashi.ctf import streams
from kakehashi.ctf.services import challenges, play
from tests.access.client import resolve, send, url_of
from tests.access.matrix import MATRIX, Case
from tests.access.routes import Route, all_routes
from tests.access.world import (
    AWARD_VALUE,
    GENERATED_VALUE,
    HIDDEN_FLAG,
    HIDDEN_TITLE,
    LATE_TEAM,
    MISSING_ID,
    NON_STAFF_ROLES,
    ROLES,
    STAFF_ROLES,
    VISIBLE_VALUE,
    World,
)

pytestmark = pytest.mark.slow
ROUTES = {route.key: route for route in all_routes()}
READS = [
    (route, case)
    for key, cases in MATRIX.items()
    for case in cases
    if (route := ROUTES.get(key)) is not None and route.method in {"GET", "*"} and "stream" not in key
]


def _text(response: HttpResponseBase) -> str:
    """The whole answer: headers and body (a streamed file is read to its end)."""
    if getattr(response, "streaming", False):
        chunks = getattr(response, "streaming_content", [])
        body = b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in chunks)
    else:
        body = getattr(response, "content", b"")
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n" + body.decode("utf-8", errors="replace")


def _fetch(world: World, route: Route, case: Case, role: str, *, auth: str, language: str = "en") -> str:
    client = world.session_client(role if auth == "session" else "anonymous")
    headers = {"Accept-Language": language, **(world.token_headers(role) if auth == "token" else {})}
    url = url_of(world, route, case)
    with transaction.atomic():
        response = send(
            client, route.method, url, None, api=route.pattern.startswith("api/"), multipart=False, **headers
        )
        text = _text(response)
        transaction.set_rollback(True)
    return text


def _leaks(world: World, role: str, text: str) -> list[str]:
    lowered = text.lower()
    return sorted(name for name, secret in world.secrets_for(role).items() if secret.lower() in lowered)


def _auths(route: Route, role: str) -> Iterator[str]:
    """The token for the APIs (the matrix checks that the session is treated alike), the session for pages."""
    if role == "anonymous":
        yield "none"
    elif route.pattern.startswith("api/"):
        yield "token"
    else:
        yield "session"


@pytest.mark.parametrize("role", NON_STAFF_ROLES)
def test_no_secret_in_any_readable_answer(role: str, world: World, db: Any) -> None:
    found = []
    for route, case in READS:
        for auth in _auths(route, role):
            leaked = _leaks(world, role, _fetch(world, route, case, role, auth=auth))
            if leaked:
                found.append(f"{url_of(world, route, case)} ({auth}): {', '.join(leaked)}")
    assert not found, "\n".join(found)


def test_no_secret_in_japanese_answers(world: World, db: Any) -> None:
    found = []
    for role in ("anonymous", "player"):
        for route, case in READS:
            auth = "none" if role == "anonymous" else ("token" if route.pattern.startswith("api/") else "session")
            leaked = _leaks(world, role, _fetch(world, route, case, role, auth=auth, language="ja"))
            if leaked:
                found.append(f"{role} {url_of(world, route, case)}: {', '.join(leaked)}")
    assert not found, "\n".join(found)


def test_the_canaries_are_found_where_staff_may_read_them(world: World, db: Any) -> None:
    """The check above can fail: the organisers' own reads do contain the canaries."""
    route = ROUTES["GET /api/manage/challenges/<challenge_id>"]
    text = _fetch(world, route, Case({}, params={"challenge_id": "@challenge:hidden"}), "organiser", auth="token")
    leaked = _leaks(world, "player", text)
    assert "hidden challenge title" in leaked
    assert "hidden challenge flag" in leaked
    assert "hidden attachment name" in leaked


@pytest.mark.parametrize("role", NON_STAFF_ROLES)
def test_refusals_echo_no_secret(role: str, world: World, db: Any) -> None:
    """Every write of the matrix that this role is refused: the error answer names no secret."""
    found = []
    for key, cases in MATRIX.items():
        route = ROUTES[key]
        if route.method in {"GET", "*"}:
            continue
        for case in cases:
            if case.expect[role] == "allow":
                continue
            for auth in _auths(route, role):
                client = world.session_client(role if auth == "session" else "anonymous")
                headers = world.token_headers(role) if auth == "token" else {}
                body = resolve(world, case.body) if case.body is not None else None
                with transaction.atomic():
                    response = send(
                        client,
                        route.method,
                        url_of(world, route, case),
                        body,
                        api=route.pattern.startswith("api/"),
                        multipart=case.multipart,
                        **headers,
                    )
                    transaction.set_rollback(True)
                leaked = _leaks(world, role, _text(response))
                if leaked:
                    found.append(f"{key} ({auth}): {', '.join(leaked)}")
    assert not found, "\n".join(found)


# --- guessed ids: a hidden object and a missing one get the same answer -------------------------------


def _normalised(text: str, path: str) -> str:
    """The answer without what differs by nature: the address asked for (echoed in links), the length
    that follows from it, and the per-response masking of the CSRF token."""
    text = text.replace(path, "PATH")
    text = re.sub(r"(?m)^Content-Length: \d+$", "Content-Length: N", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', text)


GUESSES = [
    ("GET", "/api/challenges/{}", None),
    ("POST", "/api/challenges/{}/attempts", {"flag": "flag{guess}"}),
    ("GET", "/api/v1/challenges/{}", None),
    ("GET", "/api/v1/challenges/{}/solves", None),
    ("GET", "/events/kk-target/challenges/{}/", None),
    ("POST", "/events/kk-target/challenges/{}/flag/", {"flag": "flag{guess}"}),
]


@pytest.mark.parametrize("role", NON_STAFF_ROLES)
def test_a_hidden_challenge_looks_like_a_missing_one(role: str, world: World, db: Any) -> None:
    hidden, scheduled = world.challenges["hidden"].pk, world.challenges["scheduled"].pk
    hint = world.hints["hidden"].pk
    guesses = [
        *((method, path, body, (hidden, scheduled)) for method, path, body in GUESSES),
        ("POST", "/api/hints/{}/unlock", {}, (hint,)),
        ("POST", "/api/v1/unlocks", None, (hint,)),
        ("GET", "/events/kk-target/hints/{}/unlock/", None, (hint,)),
        ("GET", "/files/{}/" + "notes.txt", None, (world.attachments["hidden"].pk,)),
    ]
    differences = []
    for method, path, body, secret_ids in guesses:
        api = path.startswith("/api/")
        answers = {}
        for number in (*secret_ids, MISSING_ID):
            client = world.session_client(role)
            headers = world.token_headers(role) if api else {}
            data = {"target": number, "type": "hints"} if path == "/api/v1/unlocks" else body
            with transaction.atomic():
                response = send(client, method, path.format(number), data, api=api, multipart=False, **headers)
                transaction.set_rollback(True)
            answers[number] = (response.status_code, _normalised(_text(response), path.format(number)))
        missing = answers.pop(MISSING_ID)
        for number, answer in answers.items():
            if answer != missing:
                differences.append(f"{method} {path.format(number)}: {answer[0]} vs {missing[0]} for a missing id")
    assert not differences, "\n".join(differences)


def test_another_events_organiser_cannot_tell_our_challenges_from_missing_ones(world: World, db: Any) -> None:
    hidden = world.challenges["hidden"].pk
    for path in ("/api/manage/challenges/{}", "/api/v1/challenges/{}?view=admin"):
        answers = []
        for number in (hidden, MISSING_ID):
            client = world.session_client("foreign_organiser")
            response = client.get(path.format(number), headers=world.token_headers("foreign_organiser"))
            answers.append((response.status_code, _normalised(_text(response), path.format(number))))
        assert answers[0] == answers[1], path


# --- numbers: counts, scores and solvers as the public sees them ----------------------------------------


def _json(client: Client, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return json.loads(response.content)


def _public_viewers(world: World) -> Iterator[tuple[str, Client, dict[str, str]]]:
    for role in NON_STAFF_ROLES:
        yield role, world.session_client("anonymous"), world.token_headers(role)


def test_the_public_scoreboard_is_frozen_and_counts_no_hidden_challenge(world: World, db: Any) -> None:
    visible, generated = world.challenges["visible"].pk, world.challenges["generated"].pk
    team_a = world.teams["A"].pk
    for role, client, headers in _public_viewers(world):
        board = _json(client, "/api/events/kk-target/scoreboard", **headers)
        assert board["frozen"] is True, role
        assert board["live"] is False, role
        assert [entry["team_id"] for entry in board["entries"]] == [team_a], role  # B and C scored after the freeze
        assert {int(k): v for k, v in board["solve_counts"].items()} == {visible: 1, generated: 1}, role
        assert {int(k): v for k, v in board["bloods"].items()} == {visible: [team_a], generated: [team_a]}, role
        assert board["entries"][0]["solves"] == 2, f"{role}: the solve of the hidden challenge is counted"
        assert {series["team_id"] for series in board["series"]} == {team_a}, role


def test_the_public_score_counts_no_hidden_challenge(world: World, db: Any) -> None:
    board = _json(Client(), "/api/events/kk-target/scoreboard")
    assert board["entries"][0]["score"] == VISIBLE_VALUE + GENERATED_VALUE + AWARD_VALUE


def test_the_public_score_is_the_score_at_the_freeze(world: World, db: Any) -> None:
    """Team A's public score is what it had at the freeze, without the hidden challenge's points;
    the organisers' live view counts them."""
    board = _json(Client(), "/api/events/kk-target/scoreboard")
    assert board["entries"][0]["score"] == VISIBLE_VALUE + GENERATED_VALUE + AWARD_VALUE
    live_board = _json(Client(), "/api/events/kk-target/scoreboard", **world.token_headers("judge"))
    assert live_board["live"] is True
    assert {entry["name"] for entry in live_board["entries"]} == {"Team A", "Team B", LATE_TEAM}


def test_challenge_lists_show_frozen_counts_of_shown_challenges_only(world: World, db: Any) -> None:
    shown = {world.challenges[name].pk for name in ("visible", "locked", "generated")}
    visible = world.challenges["visible"].pk
    for role in ("rival", "player"):
        headers = world.token_headers(role)
        native = _json(Client(), "/api/events/kk-target/challenges", **headers)
        assert {item["id"] for item in native} == shown, role
        assert next(item["solves"] for item in native if item["id"] == visible) == 1, role
        ctfd = _json(Client(), "/api/v1/challenges", **headers)["data"]
        assert {item["id"] for item in ctfd} == shown, role
        assert next(item["solves"] for item in ctfd if item["id"] == visible) == 1, role
        detail = _json(Client(), f"/api/challenges/{visible}", **headers)
        assert detail["solves"] == 1, role
        solvers = _json(Client(), f"/api/v1/challenges/{visible}/solves", **headers)["data"]
        assert [row["account_id"] for row in solvers] == [world.teams["A"].pk], role


def test_ctfd_scoreboards_and_the_ctftime_feed_are_frozen(world: World, db: Any) -> None:
    team_a = world.teams["A"].pk
    shown = {world.challenges[name].pk for name in ("visible", "generated")}
    for _role, client, headers in _public_viewers(world):
        board = _json(client, "/api/v1/scoreboard", **headers)["data"]
        assert [row["account_id"] for row in board] == [team_a]
        top = _json(client, "/api/v1/scoreboard/top/10", **headers)["data"]
        assert list(top) == ["1"]
        assert {solve["challenge_id"] for solve in top["1"]["solves"]} == shown
        feed = json.loads(client.get("/events/kk-target/ctftime.json", headers=headers).content)
        assert [row["team"] for row in feed["standings"]] == ["Team A"]
        assert HIDDEN_TITLE not in json.dumps(feed)
        assert {task for row in feed["standings"] for task in row.get("taskStats", {})} <= set(feed["tasks"])


def test_pages_show_no_solve_after_the_freeze(world: World, db: Any) -> None:
    client = Client()
    scoreboard = client.get("/events/kk-target/scoreboard/").content.decode()
    assert "Team B" not in scoreboard
    assert LATE_TEAM not in scoreboard
    team_b = client.get(f"/events/kk-target/teams/{world.teams['B'].pk}/").content.decode()
    assert "Bridge" not in team_b  # its solve came after the freeze
    rival = client.get("/users/kk-rival/").content.decode()
    assert "Bridge" not in rival


# --- the live stream ----------------------------------------------------------------------------------------


async def _first_chunk(response: Any) -> bytes:
    chunks = response.streaming_content.__aiter__()
    first = await chunks.__anext__()
    await chunks.aclose()
    return first if isinstance(first, bytes) else first.encode()


def test_only_staff_hear_the_live_channel(world: World, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    channels: list[str] = []

    async def listen(channel: str, heartbeat: float) -> Any:
        channels.append(channel)
        yield "retry: 3000\n\n"

    monkeypatch.setattr(streams, "_events", listen)
    for role in ROLES:
        client = world.session_client(role)
        response = client.get("/events/kk-target/stream")
        assert response.status_code == 200, role
        assert asyncio.run(_first_chunk(response)) == b"retry: 3000\n\n", role
        audience = "staff" if role in STAFF_ROLES else "public"
        assert channels.pop() == f"event:{world.target.pk}:{audience}", role


def test_the_public_channel_hears_nothing_hidden_or_frozen(
    world: World, db: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[tuple[str, str, dict[str, Any]]] = []
    # Services publish through ``kakehashi.core.live``: one module object, patched once.
    monkeypatch.setattr(live, "publish", lambda channel, kind, data: heard.append((channel, kind, data)))
    hidden = world.challenges["hidden"]
    team_b, rival = world.teams["B"], world.users["rival"]
    with django_capture_on_commit_callbacks(execute=True):
        play.submission_attempt(challenge=hidden, team=team_b, user=rival, provided=HIDDEN_FLAG)
    with django_capture_on_commit_callbacks(execute=True):
        play.submission_attempt(
            challenge=world.challenges["generated"],
            team=world.teams["C"],
            user=world.late,
            provided=world.generated["C"],
        )
    public = [(kind, data) for channel, kind, data in heard if channel.endswith(":public")]
    staff = [(kind, data) for channel, kind, data in heard if channel.endswith(":staff")]
    assert any(kind == "solve" for kind, _data in staff)  # the staff hear the solve after the freeze
    assert not [item for item in public if item[0] in {"solve", "scoreboard"}], public
    assert HIDDEN_TITLE not in json.dumps(public, ensure_ascii=False)


def test_an_unfrozen_scoreboard_counts_no_hidden_challenge_either(world: World, db: Any) -> None:
    """The other event has no freeze: its public view leaves the hidden challenge out entirely, so a
    team whose only solve is of that challenge has no public row; the organisers see it."""
    elsewhere, team = world.challenges["elsewhere"], world.teams["O"]
    outcome = play.submission_attempt(
        challenge=elsewhere, team=team, user=world.users["outsider"], provided="flag{elsewhere}"
    )
    assert outcome.correct
    challenges.challenge_hide(challenge=elsewhere)
    public = _json(Client(), "/api/events/kk-other/scoreboard")
    assert public["frozen"] is False
    assert public["entries"] == []
    assert public["solve_counts"] == {}
    live_board = _json(Client(), "/api/events/kk-other/scoreboard", **world.token_headers("foreign_organiser"))
    assert [(entry["team_id"], entry["solves"]) for entry in live_board["entries"]] == [(team.pk, 1)]
