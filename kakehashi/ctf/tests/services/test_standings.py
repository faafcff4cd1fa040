from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import Award, Event, HintUnlock, Solve, Submission, Team
from kakehashi.ctf.services.standings import compute, snapshot, standings_changed
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory, HintFactory, TeamFactory

pytestmark = pytest.mark.django_db


def solve(team: Team, challenge_id: int, at: datetime) -> Solve:
    user = UserFactory.create()
    submission = Submission.objects.create(
        event=team.event, challenge_id=challenge_id, team=team, user=user, provided="x", result="correct", created_at=at
    )
    return Solve.objects.create(challenge_id=challenge_id, team=team, user=user, submission=submission, created_at=at)


@pytest.fixture
def event() -> Event:
    return EventFactory.create()


def test_ranks_by_score_then_time(event: Event) -> None:
    start = event.starts_at
    easy = ChallengeFactory.create(event=event, value=100)
    hard = ChallengeFactory.create(event=event, value=300)
    first, second, third = (TeamFactory.create(event=event, name=n) for n in ("First", "Second", "Third"))
    solve(second, easy.pk, start + timedelta(minutes=1))
    solve(second, hard.pk, start + timedelta(minutes=5))
    solve(first, hard.pk, start + timedelta(minutes=2))
    solve(first, easy.pk, start + timedelta(minutes=3))
    solve(third, easy.pk, start + timedelta(minutes=4))
    rows = compute(event, view="live").entries
    assert [(r.name, r.score, r.solves) for r in rows] == [("First", 400, 2), ("Second", 400, 2), ("Third", 100, 1)]
    assert [r.position for r in rows] == [1, 2, 3]


def test_awards_and_hint_costs_count(event: Event) -> None:
    challenge = ChallengeFactory.create(event=event, value=100)
    team = TeamFactory.create(event=event)
    solve(team, challenge.pk, event.starts_at + timedelta(minutes=1))
    Award.objects.create(event=event, team=team, value=-30, reason="rule break", created_at=timezone.now())
    hint = HintFactory.create(challenge=challenge, cost=15)
    HintUnlock.objects.create(hint=hint, team=team, user=UserFactory.create(), cost=15, created_at=timezone.now())
    assert compute(event, view="live").entries[0].score == 55


def test_hidden_and_banned_teams_are_left_out_and_do_not_lower_values(event: Event) -> None:
    dynamic = ChallengeFactory.create(event=event, function="linear", value=500, minimum=100, decay=100)
    honest = TeamFactory.create(event=event)
    hidden = TeamFactory.create(event=event, hidden=True)
    banned = TeamFactory.create(event=event, banned=True)
    solve(hidden, dynamic.pk, event.starts_at + timedelta(minutes=1))
    solve(banned, dynamic.pk, event.starts_at + timedelta(minutes=2))
    solve(honest, dynamic.pk, event.starts_at + timedelta(minutes=3))
    result = compute(event, view="live")
    assert [(e.team_id, e.score) for e in result.entries] == [(honest.pk, 500)]
    assert result.solve_counts == {dynamic.pk: 1}


def test_public_view_freezes_scores_and_values(event: Event) -> None:
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(freeze_at=now - timedelta(minutes=10))
    event.refresh_from_db()
    dynamic = ChallengeFactory.create(event=event, function="linear", value=500, minimum=100, decay=100)
    early, late = TeamFactory.create(event=event), TeamFactory.create(event=event)
    solve(early, dynamic.pk, now - timedelta(minutes=20))
    solve(late, dynamic.pk, now - timedelta(minutes=5))  # after the freeze
    public = compute(event, view="public")
    live = compute(event, view="live")
    assert public.frozen
    assert [(e.team_id, e.score) for e in public.entries] == [(early.pk, 500)]
    assert public.values[dynamic.pk] == 500  # the hidden solve does not lower the public value
    assert not live.frozen
    assert {e.team_id: e.score for e in live.entries} == {early.pk: 400, late.pk: 400}


def test_snapshot_is_computed_once_and_served_from_cache(event: Event) -> None:
    ChallengeFactory.create(event=event)
    TeamFactory.create(event=event)
    first = snapshot(event, "public")
    with CaptureQueriesContext(connection) as queries:
        again = snapshot(event, "public")
    assert len(queries) == 0
    assert again.version == first.version


def test_change_bumps_the_version(event: Event) -> None:
    challenge = ChallengeFactory.create(event=event)
    team = TeamFactory.create(event=event)
    before = snapshot(event, "live")
    solve(team, challenge.pk, event.starts_at + timedelta(minutes=1))
    assert snapshot(event, "live").entries == before.entries  # nothing recomputed on read
    standings_changed(event.pk)
    after = snapshot(event, "live")
    assert after.version > before.version
    assert after.entries[0].team_id == team.pk


def test_lost_cache_is_rebuilt(event: Event) -> None:
    challenge = ChallengeFactory.create(event=event)
    team = TeamFactory.create(event=event)
    solve(team, challenge.pk, event.starts_at + timedelta(minutes=1))
    cache.clear()
    assert snapshot(event, "public").entries[0].team_id == team.pk


def test_compute_uses_a_fixed_number_of_queries(event: Event) -> None:
    challenges = [ChallengeFactory.create(event=event) for _ in range(5)]
    for index in range(6):
        team = TeamFactory.create(event=event)
        for challenge in challenges[: index % 5 + 1]:
            solve(team, challenge.pk, event.starts_at + timedelta(minutes=index))
    with CaptureQueriesContext(connection) as queries:
        compute(event, view="public")
    assert len(queries) <= 5


@pytest.mark.django_db(transaction=True)
def test_background_refresh_coalesces_and_publishes(settings: Any) -> None:
    import time

    from kakehashi.ctf.services.standings import refresher

    settings.STANDINGS_IN_BACKGROUND = True
    event = EventFactory.create()
    challenge = ChallengeFactory.create(event=event)
    before = snapshot(event, "live").version
    teams = [TeamFactory.create(event=event) for _ in range(3)]
    for index, team in enumerate(teams):
        solve(team, challenge.pk, event.starts_at + timedelta(minutes=index))
        standings_changed(event.pk)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        current = snapshot(event, "live")
        if len(current.entries) == 3 and not refresher.pending():
            break
        time.sleep(0.05)
    current = snapshot(event, "live")
    assert [e.team_id for e in current.entries] == [t.pk for t in teams]
    assert before < current.version <= before + 3  # three changes, at most three recomputations
