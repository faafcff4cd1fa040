"""The challenge-list shortcut: the same answer as Django, and Django again whenever a decision it
kept may have changed."""

import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kakehashi.accounts import services as accounts
from kakehashi.accounts.models import ApiToken, User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.core import versions
from kakehashi.ctf import known_challenges, known_events, outcomes, prepared, shortcut
from kakehashi.ctf.choices import EventRole, ParticipantStatus, SubmissionResult
from kakehashi.ctf.models import Challenge, Event, EventStaff, Participant, Solve, Submission
from kakehashi.ctf.services import play, standings, teams
from kakehashi.ctf.services.standings import forget as forget_standings
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

FLAG = "flag{kept}"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    by_django: bool


class Counting:
    """Django's WSGI handler, counting the requests that reach it."""

    def __init__(self) -> None:
        self.django = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.calls += 1
        return self.django(environ, start_response)


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    # Like Django's test client: the test's transaction is not closed at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()
    shortcut.forget()
    known_events.forget()
    prepared.forget()
    forget_standings()
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    shortcut.forget()


@pytest.fixture
def app() -> tuple[shortcut.Shortcut, Counting]:
    inner = Counting()
    return shortcut.Shortcut(inner), inner


def call(
    app: tuple[shortcut.Shortcut, Counting],
    path: str,
    *,
    token: str | None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    query: str = "",
    body: bytes = b"",
    content_type: str = "application/json",
) -> Reply:
    shortcut, inner = app
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if method == "POST":
        environ["CONTENT_TYPE"] = content_type
        environ["CONTENT_LENGTH"] = str(len(body))
    if token is not None:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    started: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"] = int(status.split(maxsplit=1)[0])
        started["headers"] = {name.lower(): value for name, value in response_headers}

    before = inner.calls
    result = shortcut(environ, start_response)
    body = b"".join(result)
    close = getattr(result, "close", None)
    if close is not None:
        close()
    return Reply(started["status"], started["headers"], body, by_django=inner.calls > before)


@pytest.fixture
def player() -> Participant:
    participant = ParticipantFactory.create()
    challenge = ChallengeFactory.create(event=participant.event, value=100)
    FlagFactory.create(challenge=challenge, content=FLAG)
    return participant


def token_of(user: User) -> str:
    _row, raw = accounts.api_token_create(user=user)
    return raw


def board(participant: Participant) -> str:
    return f"/api/events/{participant.event.slug}/challenges"


def warm(app: tuple[shortcut.Shortcut, Counting], path: str, token: str, **kwargs: Any) -> Reply:
    """Django answers once and keeps the grant; the next request is answered without it."""
    first = call(app, path, token=token, **kwargs)
    assert first.by_django
    second = call(app, path, token=token, **kwargs)
    assert not second.by_django, "the second request should be answered from the grant"
    return second


def test_the_shortcut_answers_exactly_as_django(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    first = call(app, board(player), token=token)
    assert first.status == 200
    assert first.by_django
    second = call(app, board(player), token=token)
    assert not second.by_django
    assert second.status == 200
    assert second.body == first.body
    assert second.headers == first.headers  # same security headers, ETag, Vary, Content-Language, length
    assert int(second.headers["content-length"]) == len(second.body)


def test_if_none_match_gets_304_without_a_body(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    etag = warm(app, board(player), token).headers["etag"]
    again = call(app, board(player), token=token, headers={"If-None-Match": etag})
    assert not again.by_django
    assert again.status == 304
    assert again.body == b""
    assert "content-type" not in again.headers
    assert again.headers["etag"] == etag


def test_a_solve_changes_the_answer_at_once(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    before = warm(app, board(player), token)
    challenge = Challenge.objects.get(event=player.event)
    assert player.team is not None
    play.submission_attempt(challenge=challenge, team=player.team, user=player.user, provided=FLAG)
    after = call(app, board(player), token=token)
    assert not after.by_django  # a solve changes the list, not the decision to show it
    assert b'"solved":true' in after.body
    assert b'"solved":true' not in before.body
    assert after.headers["etag"] != before.headers["etag"]


def test_each_language_and_host_has_its_own_grant(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    english = warm(app, board(player), token, headers={"Accept-Language": "en"})
    japanese = call(app, board(player), token=token, headers={"Accept-Language": "ja"})
    assert japanese.by_django
    assert japanese.headers["content-language"] == "ja"
    assert english.headers["content-language"] == "en"
    other_host = call(app, board(player), token=token, headers={"Host": "evil.example"})
    assert other_host.by_django
    assert other_host.status == 400


def test_any_change_to_the_account_is_seen(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    warm(app, board(player), token, headers={"Accept-Language": "en"})
    player.user.preferred_language = "ja"
    player.user.save()
    assert call(app, board(player), token=token, headers={"Accept-Language": "en"}).by_django


def test_a_sign_in_does_not_undo_grants(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    warm(app, board(player), token)
    player.user.last_login = timezone.now()
    player.user.save(update_fields=["last_login"])
    assert not call(app, board(player), token=token).by_django


# --- every change to what the decision read sends the next request to Django -------------------


def revoke(participant: Participant) -> None:
    accounts.api_token_revoke(token=ApiToken.objects.get(user=participant.user))


def deactivate(participant: Participant) -> None:
    participant.user.is_active = False
    participant.user.save()


def ban_participant(participant: Participant) -> None:
    teams.participant_set_status(participant=participant, status=ParticipantStatus.BANNED)


def ban_team(participant: Participant) -> None:
    assert participant.team is not None
    participant.team.banned = True
    participant.team.save()


def leave_team(participant: Participant) -> None:
    teams.team_leave(participant=participant)


def delete_registration(participant: Participant) -> None:
    Participant.objects.filter(pk=participant.pk).delete()


def delete_account(participant: Participant) -> None:
    User.objects.filter(pk=participant.user_id).delete()


def postpone_event(participant: Participant) -> None:
    event = Event.objects.get(pk=participant.event_id)
    event.starts_at = timezone.now() + timedelta(hours=1)
    event.ends_at = timezone.now() + timedelta(hours=5)
    event.save()


def delete_event(participant: Participant) -> None:
    Event.objects.filter(pk=participant.event_id).delete()


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (revoke, 401),
        (deactivate, 401),
        (ban_participant, 403),
        (ban_team, 403),
        (leave_team, 403),
        (delete_registration, 403),
        (delete_account, 401),
        (postpone_event, 403),
        (delete_event, 404),
    ],
)
def test_a_change_to_the_decision_reaches_django(
    app: Any, player: Participant, change: Callable[[Participant], None], status: int
) -> None:
    token = token_of(player.user)
    warm(app, board(player), token)
    change(player)
    reply = call(app, board(player), token=token)
    assert reply.by_django
    assert reply.status == status, reply.body
    assert call(app, board(player), token=token).by_django  # and no grant was made from the refusal


def test_losing_a_staff_role_is_seen(app: Any) -> None:
    organiser = UserFactory.create()
    event = ChallengeFactory.create(event__starts_at=timezone.now() + timedelta(days=1)).event
    EventStaff.objects.create(event=event, user=organiser, role=EventRole.ORGANISER)
    token = token_of(organiser)
    path = f"/api/events/{event.slug}/challenges"
    staff_view = warm(app, path, token)
    assert staff_view.status == 200
    assert b'"id"' in staff_view.body
    EventStaff.objects.filter(event=event, user=organiser).delete()
    reply = call(app, path, token=token)
    assert reply.by_django
    assert reply.status == 403


def test_an_expired_token_is_refused_at_once(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    warm(app, board(player), token)
    ApiToken.objects.filter(user=player.user).update(expires_at=timezone.now() - timedelta(seconds=1))
    # A bulk update sends no signal: the expiry the grant holds is checked on every request.
    kept = next(iter(shortcut._grants._items.values()))  # the one grant made
    object.__setattr__(kept.candidate, "expires_at", timezone.now() - timedelta(seconds=1))
    reply = call(app, board(player), token=token)
    assert reply.by_django
    assert reply.status == 401


def test_a_lost_cache_sends_requests_to_django(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    warm(app, board(player), token)
    cache.clear()
    assert call(app, board(player), token=token).by_django
    assert not call(app, board(player), token=token).by_django


def test_grants_are_made_again_after_their_maximum_age(player: Participant) -> None:
    now = [1000.0]
    inner = Counting()
    app = (shortcut.Shortcut(inner, clock=lambda: now[0]), inner)
    token = token_of(player.user)
    warm(app, board(player), token)
    now[0] += shortcut.MAX_AGE
    assert call(app, board(player), token=token).by_django


@pytest.mark.parametrize(
    "variant",
    [
        {"token": "none"},
        {"token": "bad"},
        {"token": "good", "headers": {"Cookie": "kakehashi_session=x"}},
        {"token": "good", "query": "x=1"},
        {"token": "good", "method": "HEAD"},
    ],
)
def test_other_requests_always_reach_django(app: Any, player: Participant, variant: dict[str, Any]) -> None:
    options = dict(variant)
    token = {"none": None, "bad": "kkh_not-a-token", "good": token_of(player.user)}[options.pop("token")]
    for _ in range(2):
        assert call(app, board(player), token=token, **options).by_django


def test_another_team_never_gets_this_teams_answer(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    challenge = Challenge.objects.get(event=player.event)
    assert player.team is not None
    play.submission_attempt(challenge=challenge, team=player.team, user=player.user, provided=FLAG)
    rival = ParticipantFactory.create(event=player.event)
    rival_token = token_of(rival.user)
    mine = warm(app, board(player), token)
    theirs = warm(app, board(rival), rival_token)
    assert b'"solved":true' in mine.body
    assert b'"solved":true' not in theirs.body
    assert Solve.objects.filter(team=rival.team).count() == 0


def test_an_answer_from_a_grant_costs_one_query(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    warm(app, board(player), token)
    with CaptureQueriesContext(connection) as queries:
        reply = call(app, board(player), token=token)
    assert not reply.by_django
    assert reply.status == 200
    assert len(queries) == 1, [q["sql"] for q in queries]  # the team's solves; the rest is kept or in the cache


# --- flag submissions ----------------------------------------------------------------------------


def attempt_path(participant: Participant) -> str:
    return f"/api/challenges/{Challenge.objects.get(event=participant.event).pk}/attempts"


def submit(app: Any, participant: Participant, token: str, flag: str, **kwargs: Any) -> Reply:
    body = json.dumps({"flag": flag}).encode()
    return call(app, attempt_path(participant), token=token, method="POST", body=body, **kwargs)


def without_date(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name != "date"}


def test_a_wrong_flag_is_judged_and_stored_as_django_would(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    first = submit(app, player, token, "flag{nope-1}")
    assert first.by_django
    assert first.status == 200
    second = submit(app, player, token, "flag{nope-2}")
    assert not second.by_django
    assert second.status == 200
    assert json.loads(second.body) == json.loads(first.body)
    assert second.body == first.body
    assert without_date(second.headers) == without_date(first.headers)
    stored = list(Submission.objects.filter(team=player.team).order_by("pk").values_list("provided", "result"))
    assert stored == [("flag{nope-1}", "incorrect"), ("flag{nope-2}", "incorrect")]
    assert Submission.objects.filter(team=player.team, user=player.user, source_address="127.0.0.1").count() == 2


def test_a_correct_flag_through_the_shortcut_solves_once(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    submit(app, player, token, "flag{nope}")
    solved = submit(app, player, token, FLAG)
    assert not solved.by_django
    assert json.loads(solved.body)["result"] == "correct"
    again = submit(app, player, token, FLAG)
    assert not again.by_django
    assert json.loads(again.body)["result"] == "already_solved"
    assert Solve.objects.filter(team=player.team).count() == 1


def test_the_message_is_in_the_language_asked_for(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    japanese = {"Accept-Language": "ja"}
    submit(app, player, token, "flag{nope-1}", headers=japanese)
    reply = submit(app, player, token, "flag{nope-2}", headers=japanese)
    assert not reply.by_django
    assert reply.headers["content-language"] == "ja"
    message = json.loads(reply.body)["message"]
    with translation.override("ja"):
        assert message == outcomes.message(SubmissionResult.INCORRECT)
    with translation.override("en"):
        assert message != outcomes.message(SubmissionResult.INCORRECT)


def test_the_rate_limit_answers_429_with_retry_after(app: Any, player: Participant) -> None:
    Event.objects.filter(pk=player.event_id).update(wrong_attempts_per_minute=2)
    known_events.forget()
    token = token_of(player.user)
    replies = [submit(app, player, token, f"flag{{nope-{n}}}") for n in range(4)]
    assert [r.status for r in replies] == [200, 200, 429, 429]
    assert not replies[3].by_django
    assert replies[3].body == replies[2].body or json.loads(replies[3].body)["result"] == "rate_limited"
    assert int(replies[3].headers["retry-after"]) > 0


@pytest.mark.parametrize(
    "body",
    [b"{", b'{"flag": 1}', b'{"flag": "a", "flag": "b"}', b'{"flag": "a", "extra": 1}', rb'{"flag": "a\u0000"}'],
)
def test_bodies_the_api_refuses_are_left_to_django(app: Any, player: Participant, body: bytes) -> None:
    token = token_of(player.user)
    submit(app, player, token, "flag{nope}")
    reply = call(app, attempt_path(player), token=token, method="POST", body=body)
    assert reply.by_django
    assert Submission.objects.filter(team=player.team).count() == 1 + (reply.status == 200)


def test_a_hidden_challenge_is_left_to_django(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    submit(app, player, token, "flag{nope}")
    Challenge.objects.filter(event=player.event).update(state="hidden")
    reply = submit(app, player, token, FLAG)
    assert reply.by_django
    assert reply.status == 404
    assert not Solve.objects.exists()


def test_a_banned_team_is_refused_by_django(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    submit(app, player, token, "flag{nope}")
    ban_team(player)
    reply = submit(app, player, token, FLAG)
    assert reply.by_django
    assert reply.status == 403
    assert not Solve.objects.exists()


def test_a_lost_database_answers_503_and_stores_nothing(
    app: Any, player: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = token_of(player.user)
    submit(app, player, token, "flag{nope}")

    def unreachable(**kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(play, "submission_attempt", unreachable)
    reply = submit(app, player, token, FLAG)
    assert not reply.by_django
    assert reply.status == 503
    assert json.loads(reply.body)["code"] == "service_unavailable"
    assert reply.headers["retry-after"] == "5"
    assert Submission.objects.filter(team=player.team).count() == 1


def test_one_grant_serves_every_challenge_of_its_event_only(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    submit(app, player, token, "flag{nope}")
    other = ChallengeFactory.create(event=player.event, value=50)
    body = json.dumps({"flag": "flag{nope-other}"}).encode()
    reply = call(app, f"/api/challenges/{other.pk}/attempts", token=token, method="POST", body=body)
    assert not reply.by_django
    assert json.loads(reply.body)["result"] == "incorrect"
    elsewhere = ChallengeFactory.create()  # another event, where this player is not registered
    reply = call(app, f"/api/challenges/{elsewhere.pk}/attempts", token=token, method="POST", body=body)
    assert reply.by_django
    assert reply.status == 403
    assert not Submission.objects.filter(challenge=elsewhere).exists()


class CountingCache:
    """The cache, counting the calls that would be round trips to Redis."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.real, name)
        if name in {"get", "get_many", "set", "add", "set_many", "delete"}:

            def counted(*args: Any, **kwargs: Any) -> Any:
                self.calls.append(name)
                return attribute(*args, **kwargs)

            return counted
        return attribute


def test_an_answer_from_a_grant_reads_the_shared_cache_once(
    app: Any, player: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = token_of(player.user)
    warm(app, board(player), token)
    counting = CountingCache(cache)
    for module in (shortcut, versions, standings):
        monkeypatch.setattr(module, "cache", counting)
    reply = call(app, board(player), token=token)
    assert not reply.by_django
    assert counting.calls == ["get_many"]


def test_a_flag_from_a_grant_reads_the_shared_cache_once_before_judging(
    app: Any, player: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = token_of(player.user)
    submit(app, player, token, "flag{nope}")  # Django makes the grant
    assert not submit(app, player, token, "flag{nope-again}").by_django  # this process keeps the event
    counting = CountingCache(cache)
    for module in (shortcut, versions, known_challenges):
        monkeypatch.setattr(module, "cache", counting)
    reply = submit(app, player, token, "flag{still-not}")
    assert not reply.by_django
    assert counting.calls == ["get_many"]


def test_a_body_over_the_limit_or_without_a_length_is_left_to_django(app: Any, player: Participant) -> None:
    token = token_of(player.user)
    submit(app, player, token, "flag{nope}")
    large = json.dumps({"flag": "x" * (shortcut.LARGEST_ATTEMPT + 1)}).encode()
    reply = call(app, attempt_path(player), token=token, method="POST", body=large)
    assert reply.by_django
    assert reply.status == 422  # Django's schema refuses a flag over 1,000 characters
    assert Submission.objects.filter(team=player.team).count() == 1
