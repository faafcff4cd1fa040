"""Hot reads are prepared once per change: ETags, 304s, paging, query-count bounds, and invalidation
only on the changes that matter (a wrong flag changes nothing)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.accounts import services as accounts
from kakehashi.accounts.models import User
from kakehashi.ctf.models import Challenge, Event, Participant, Team
from kakehashi.ctf.services import challenges as challenge_services
from kakehashi.ctf.services import play
from kakehashi.ctf.tests.factories import (
    ChallengeFactory,
    FlagFactory,
    ParticipantFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

FLAG = "flag{prepared}"


def auth(user: User) -> dict[str, str]:
    _row, raw = accounts.api_token_create(user=user)
    return {"Authorization": f"Token {raw}"}


@pytest.fixture
def player() -> Participant:
    return ParticipantFactory.create()


@pytest.fixture
def board(player: Participant) -> list[Challenge]:
    made = []
    for index in range(5):
        challenge = ChallengeFactory.create(event=player.event, value=100 + index, category="web")
        challenge.translations.filter(language_code="ja").update(title=f"問題{index}")
        FlagFactory.create(challenge=challenge, content=f"{FLAG}{index}")
        made.append(challenge)
    return made


def attempt(client: Client, challenge: Challenge, flag: str, headers: dict[str, str]) -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):  # as after a real commit: standings refresh
        response = client.post(
            f"/api/challenges/{challenge.pk}/attempts", {"flag": flag}, content_type="application/json", headers=headers
        )
    return int(response.status_code)


def scoreboard_url(event: Event, query: str = "") -> str:
    return f"/api/events/{event.slug}/scoreboard{query}"


def test_scoreboard_answers_304_to_its_etag_until_a_solve(
    client: Client, player: Participant, board: list[Challenge]
) -> None:
    headers = auth(player.user)
    first = client.get(scoreboard_url(player.event))
    etag = first["ETag"]
    assert first.status_code == 200
    assert etag.startswith('W/"')
    again = client.get(scoreboard_url(player.event), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert attempt(client, board[0], "wrong", headers) == 200
    after_wrong = client.get(scoreboard_url(player.event), headers={"If-None-Match": etag})
    assert after_wrong.status_code == 304  # a wrong flag changes nothing
    assert attempt(client, board[0], f"{FLAG}0", headers) == 200
    after_solve = client.get(scoreboard_url(player.event), headers={"If-None-Match": etag})
    assert after_solve.status_code == 200
    assert after_solve["ETag"] != etag
    assert [(e["team_id"], e["score"]) for e in after_solve.json()["entries"]] == [(player.team_id, 100)]


def test_scoreboard_pages_with_limit_and_offset(client: Client, player: Participant, board: list[Challenge]) -> None:
    teams = [TeamFactory.create(event=player.event) for _ in range(5)]
    for index, team in enumerate(teams):
        for challenge in board[: index + 1]:
            challenge_services_solve(team, challenge)
    whole = client.get(scoreboard_url(player.event)).json()
    assert whole["total"] == 5
    assert len(whole["entries"]) == 5
    page = client.get(scoreboard_url(player.event, "?limit=2&offset=1")).json()
    assert page["total"] == 5
    assert page["entries"] == whole["entries"][1:3]
    assert client.get(scoreboard_url(player.event, "?limit=0")).status_code == 422
    assert client.get(scoreboard_url(player.event, "?offset=-1")).status_code == 422
    assert client.get(scoreboard_url(player.event, "?limit=2")).json()["entries"] == whole["entries"][:2]


def challenge_services_solve(team: Team, challenge: Challenge) -> None:
    member = ParticipantFactory.create(event=challenge.event, team=team)
    flag = challenge.flags.get().content
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = play.submission_attempt(challenge=challenge, team=team, user=member.user, provided=flag)
    assert result.result == "correct"


def test_challenge_list_etag_follows_solves_board_changes_and_language(
    client: Client, player: Participant, board: list[Challenge]
) -> None:
    headers = auth(player.user)
    url = f"/api/events/{player.event.slug}/challenges"
    first = client.get(url, headers=headers)
    etag = first["ETag"]
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    assert [c["title"] for c in first.json()] == [c.translation_map()["en"].title for c in board]
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    assert attempt(client, board[1], "wrong", headers) == 200
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    japanese = client.get(url, headers={**headers, "Accept-Language": "ja"})
    assert japanese["ETag"] != etag
    assert japanese.json()[0]["title"] == "問題0"
    with TestCase.captureOnCommitCallbacks(execute=True):
        challenge_services.challenge_update(challenge=board[2], category="pwn")  # an organiser's edit
    edited = client.get(url, headers={**headers, "If-None-Match": etag})
    assert edited.status_code == 200
    assert edited.json()[2]["category"] == "pwn"
    assert attempt(client, board[1], f"{FLAG}1", headers) == 200
    solved = client.get(url, headers={**headers, "If-None-Match": edited["ETag"]})
    assert solved.status_code == 200
    assert [c["solved"] for c in solved.json()] == [False, True, False, False, False]
    assert solved.json()[1]["solves"] == 1


def test_a_scheduled_challenge_appears_once_released_without_any_write(
    client: Client, player: Participant, board: list[Challenge]
) -> None:
    headers = auth(player.user)
    soon = ChallengeFactory.create(event=player.event, release_at=timezone.now() + timedelta(hours=1))
    url = f"/api/events/{player.event.slug}/challenges"
    before = client.get(url, headers=headers)
    assert soon.pk not in [c["id"] for c in before.json()]
    later = timezone.now() + timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):  # time passes; nothing is written
        after = client.get(url, headers={**headers, "If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert soon.pk in [c["id"] for c in after.json()]


def test_other_teams_do_not_get_the_prepared_list_of_another(
    client: Client, player: Participant, board: list[Challenge]
) -> None:
    assert attempt(client, board[0], f"{FLAG}0", auth(player.user)) == 200
    other = ParticipantFactory.create(event=player.event)
    mine = client.get(f"/api/events/{player.event.slug}/challenges", headers=auth(player.user))
    theirs = client.get(f"/api/events/{player.event.slug}/challenges", headers=auth(other.user))
    assert mine.json()[0]["solved"]
    assert not theirs.json()[0]["solved"]
    assert mine["ETag"] != theirs["ETag"]


def count_queries(client: Client, url: str, headers: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("size", [3, 30])
def test_hot_reads_make_a_bounded_number_of_queries_whatever_the_event_size(client: Client, size: int) -> None:
    player = ParticipantFactory.create()
    for index in range(size):
        challenge = ChallengeFactory.create(event=player.event, value=100)
        FlagFactory.create(challenge=challenge, content=f"f{index}")
        team = TeamFactory.create(event=player.event)
        challenge_services_solve(team, challenge)
    headers = auth(player.user)
    slug = player.event.slug
    # Building a prepared answer reads the snapshot, the visible challenges and the release times: a
    # fixed number of queries. Serving it again reads only the event (and the caller and team).
    for url, auth_headers, building, serving in [
        (f"/api/events/{slug}/scoreboard", {}, 5, 2),  # event + its translations
        (f"/api/events/{slug}/scoreboard?bracket=uk&limit=10", {}, 5, 2),
        # token, event + translations, staff role, registration and team, the team's solves
        (f"/api/events/{slug}/challenges", headers, 13, 6),
    ]:
        cold, warm = count_queries(client, url, auth_headers), count_queries(client, url, auth_headers)
        assert cold <= building, url
        assert warm <= serving, url
