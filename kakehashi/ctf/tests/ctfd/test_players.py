"""What participants and their tools read and send through the CTFd-compatible API."""

from typing import Any

import pytest
from django.test import Client

from kakehashi.accounts.selectors import token_check
from kakehashi.ctf.models import Event, Participant, Submission
from kakehashi.ctf.tests.ctfd.conftest import Call
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory, HintFactory

pytestmark = pytest.mark.django_db


def _data(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is True
    return body["data"]


def _attempt(call: Call, challenge_id: int, submission: str) -> Any:
    return call("POST", "/api/v1/challenges/attempt", {"challenge_id": challenge_id, "submission": submission})


def test_list_and_detail_in_english_unless_asked(as_player: Call, event: Event) -> None:
    challenge = ChallengeFactory.create(event=event)
    HintFactory.create(challenge=challenge, cost=10)
    ChallengeFactory.create(event=event, state="hidden")
    listed = _data(as_player("GET", "/api/v1/challenges"))
    assert [(c["id"], c["name"], c["type"], c["solved_by_me"]) for c in listed] == [
        (challenge.pk, "Bridge", "standard", False)
    ]
    detail = _data(as_player("GET", f"/api/v1/challenges/{challenge.pk}"))
    assert (detail["description"], detail["attempts"], detail["max_attempts"]) == ("Cross it.", 0, 0)
    assert [set(hint) for hint in detail["hints"]] == [{"id", "cost", "title"}]
    assert _data(as_player("GET", "/api/v1/challenges?lang=ja"))[0]["name"] == "橋"
    assert _data(as_player("GET", "/api/v1/challenges", **{"Accept-Language": "ja"}))[0]["name"] == "橋"


def test_attempts_report_ctfd_statuses(as_player: Call, event: Event) -> None:
    challenge = ChallengeFactory.create(event=event)
    FlagFactory.create(challenge=challenge)
    assert _data(_attempt(as_player, challenge.pk, "nope"))["status"] == "incorrect"
    assert _data(_attempt(as_player, challenge.pk, "flag{kakehashi}"))["status"] == "correct"
    assert _data(_attempt(as_player, challenge.pk, "flag{kakehashi}"))["status"] == "already_solved"
    assert Submission.objects.filter(challenge=challenge).count() == 3
    assert _data(as_player("GET", "/api/v1/challenges"))[0]["solved_by_me"] is True


def test_rate_limited_attempts_are_429(as_player: Call, event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(wrong_attempts_per_minute=1)
    challenge = ChallengeFactory.create(event=event)
    FlagFactory.create(challenge=challenge)
    _attempt(as_player, challenge.pk, "wrong")
    response = _attempt(as_player, challenge.pk, "wrong again")
    assert response.status_code == 429
    assert response.json()["data"]["status"] == "ratelimited"
    assert int(response["Retry-After"]) >= 1


def test_paused_event(as_player: Call, event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(paused=True)
    challenge = ChallengeFactory.create(event=event)
    assert _data(_attempt(as_player, challenge.pk, "x"))["status"] == "paused"


def test_hidden_challenges_are_not_found_for_players(as_player: Call, event: Event) -> None:
    hidden = ChallengeFactory.create(event=event, state="hidden")
    response = as_player("GET", f"/api/v1/challenges/{hidden.pk}")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_scoreboard_and_top(as_player: Call, player: Participant, event: Event) -> None:
    challenge = ChallengeFactory.create(event=event, value=300)
    FlagFactory.create(challenge=challenge)
    _attempt(as_player, challenge.pk, "flag{kakehashi}")
    board = _data(Client().get("/api/v1/scoreboard"))
    assert [(row["pos"], row["account_id"], row["score"], row["account_type"]) for row in board] == [
        (1, player.team_id, 300, "team")
    ]
    assert [member["id"] for member in board[0]["members"]] == [player.user_id]
    top = _data(Client().get("/api/v1/scoreboard/top/10"))
    assert top["1"]["id"] == player.team_id
    assert [(s["challenge_id"], s["value"]) for s in top["1"]["solves"]] == [(challenge.pk, 300)]


def test_me_endpoints(as_player: Call, player: Participant) -> None:
    me = _data(as_player("GET", "/api/v1/users/me"))
    assert (me["id"], me["team_id"]) == (player.user_id, player.team_id)
    team = _data(as_player("GET", "/api/v1/teams/me"))
    assert (team["id"], team["members"]) == (player.team_id, [player.user_id])


def test_token_creation_returns_a_working_token(as_player: Call, player: Participant) -> None:
    token = _data(as_player("POST", "/api/v1/tokens", {"description": "ctfcli"}))
    assert token_check(token["value"]).user == player.user
    assert {"id", "value", "expiration"} <= set(token)


def test_notifications_and_missing_default_event(as_player: Call, event: Event) -> None:
    assert _data(as_player("GET", "/api/v1/notifications")) == []
    Event.objects.filter(pk=event.pk).update(is_default=False)
    response = as_player("GET", "/api/v1/challenges")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_anonymous_requests_are_refused(client: Client) -> None:
    response = client.get("/api/v1/challenges?view=admin")
    assert response.status_code == 403
    assert response.json()["success"] is False
