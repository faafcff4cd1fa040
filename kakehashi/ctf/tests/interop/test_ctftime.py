import json
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.feeds import ctftime_feed
from kakehashi.ctf.interop import ctftime
from kakehashi.ctf.models import Bracket, Challenge, Event, EventStaff, Solve, Submission, Team
from kakehashi.ctf.services.standings import refresh_now
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory, ParticipantFactory, TeamFactory

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def solve(team: Team, challenge: Challenge, at: datetime) -> None:
    user = UserFactory.create()
    submission = Submission.objects.create(
        event=team.event, challenge=challenge, team=team, user=user, provided="x", result="correct", created_at=at
    )
    Solve.objects.create(challenge=challenge, team=team, user=user, submission=submission, created_at=at)


def get(event: Event, user: User | AnonymousUser | None = None, **headers: str) -> HttpResponse:
    query = {"bracket": headers.pop("bracket")} if "bracket" in headers else {}
    request = RequestFactory().get(f"/ctf/events/{event.slug}/ctftime.json", query, headers=headers)
    request.user = user or AnonymousUser()
    return ctftime_feed(request, event.slug)


def unix(minutes: int) -> int:
    return int((START + timedelta(minutes=minutes)).timestamp())


@pytest.fixture
def event() -> Event:
    """A finished event: Sakura (Japan) leads Alpha (UK); a hidden and an unreleased challenge exist."""
    event = EventFactory.create(slug="spring", starts_at=START, ends_at=START + timedelta(days=1))
    bridge = ChallengeFactory.create(event=event, value=100, position=1)
    gate = ChallengeFactory.create(event=event, value=200, position=2, english__title="Gate", japanese__title="門")
    secret = ChallengeFactory.create(event=event, value=50, position=3, state="hidden", english__title="Secret")
    ChallengeFactory.create(
        event=event, value=70, position=4, english__title="Later", release_at=datetime(2999, 1, 1, tzinfo=UTC)
    )
    students = Bracket.objects.create(event=event, slug="students")
    sakura = TeamFactory.create(event=event, name="さくら", country_bracket="jp", bracket=students)
    alpha = TeamFactory.create(event=event, name="Alpha", country_bracket="uk")
    solve(sakura, bridge, START + timedelta(minutes=10))
    solve(sakura, gate, START + timedelta(minutes=20))
    solve(alpha, bridge, START + timedelta(minutes=5))
    solve(alpha, secret, START + timedelta(minutes=30))
    return event


def test_feed_is_exact_and_ascii(event: Event) -> None:
    response = get(event)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=30"
    body = response.content.decode("ascii")
    assert "\\u3055\\u304f\\u3089" in body
    assert json.loads(body) == {
        "tasks": ["Bridge", "Gate"],
        "standings": [
            {
                "pos": 1,
                "team": "さくら",
                "score": 300,
                "taskStats": {
                    "Bridge": {"points": 100, "time": unix(10)},
                    "Gate": {"points": 200, "time": unix(20)},
                },
                "lastAccept": unix(20),
            },
            {
                "pos": 2,
                "team": "Alpha",
                "score": 100,  # the hidden challenge's points are not public
                "taskStats": {"Bridge": {"points": 100, "time": unix(5)}},
                "lastAccept": unix(5),
            },
        ],
    }
    assert "Secret" not in body
    assert "Later" not in body


def test_task_names_fall_back_to_any_language(event: Event) -> None:
    gate = Challenge.objects.get(event=event, position=2)
    gate.translations.filter(language_code="en").delete()
    assert json.loads(get(event).content)["tasks"] == ["Bridge", "門"]


@pytest.mark.parametrize(("bracket", "teams"), [("uk", ["Alpha"]), ("jp", ["さくら"]), ("students", ["さくら"])])
def test_bracket_counts_positions_within_it(event: Event, bracket: str, teams: list[str]) -> None:
    standings = json.loads(get(event, bracket=bracket).content)["standings"]
    assert [(row["pos"], row["team"]) for row in standings] == [(1, name) for name in teams]


def test_unknown_bracket_is_not_found(event: Event) -> None:
    assert get(event, bracket="nobody").status_code == 404


def test_frozen_view_hides_later_solves_even_from_staff() -> None:
    now = datetime.now(UTC)
    event = EventFactory.create(
        starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=2), freeze_at=now - timedelta(hours=1)
    )
    early, late = (ChallengeFactory.create(event=event, value=100, english__title=t) for t in ("Early", "Late"))
    team = TeamFactory.create(event=event, name="Team")
    solve(team, early, now - timedelta(minutes=90))
    solve(team, late, now - timedelta(minutes=30))
    organiser = UserFactory.create()
    EventStaff.objects.create(event=event, user=organiser, role="organiser")
    for viewer in (None, organiser):
        (row,) = json.loads(get(event, viewer).content)["standings"]
        assert row["score"] == 100
        assert list(row["taskStats"]) == ["Early"]


def test_private_scoreboard_needs_a_participant(event: Event) -> None:
    event.scoreboard_visibility = "participants"
    event.save()
    assert get(event).status_code == 401
    assert get(event, UserFactory.create()).status_code == 403
    participant = ParticipantFactory.create(event=event)
    response = get(event, participant.user)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=30"


def test_matching_etag_answers_not_modified_until_standings_change(event: Event) -> None:
    first = get(event)
    etag = first["ETag"]
    cached = get(event, If_None_Match=etag)
    assert cached.status_code == 304
    assert cached.content == b""
    assert get(event, bracket="uk", If_None_Match=etag).status_code == 200
    alpha = Team.objects.get(event=event, name="Alpha")
    solve(alpha, Challenge.objects.get(event=event, position=2), START + timedelta(minutes=40))
    refresh_now(event.pk)
    changed = get(event, If_None_Match=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    standings = {row["team"]: row["score"] for row in json.loads(changed.content)["standings"]}
    assert standings == {"さくら": 300, "Alpha": 300}  # Alpha solved Gate too (hidden points are not public)


def test_builder_skips_unlisted_tasks_and_makes_names_distinct() -> None:
    time = START + timedelta(minutes=1)
    tasks = [ctftime.Task(challenge_id=1, name=name, points=10) for name in ctftime.distinct(["A"])]
    tasks.append(ctftime.Task(challenge_id=2, name=ctftime.distinct(["A", "A"])[1], points=20))
    standing = ctftime.Standing(position=1, team="T", score=30, last_accept=time, solves={1: time, 2: time, 9: time})
    document = ctftime.feed(tasks=tasks, standings=[standing])
    assert document["tasks"] == ["A", "A (2)"]
    assert document["standings"][0]["taskStats"] == {
        "A": {"points": 10, "time": unix(1)},
        "A (2)": {"points": 20, "time": unix(1)},
    }
    assert ctftime.render({"team": "橋"}) == b'{"team":"\\u6a4b"}'
