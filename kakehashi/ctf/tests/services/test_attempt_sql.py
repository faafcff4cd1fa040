"""The statements of a flag submission: what is read under the team's lock, and the stored row."""

import dataclasses
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.ctf.choices import SubmissionResult
from kakehashi.ctf.models import Challenge, Participant, Solve, Submission, Team
from kakehashi.ctf.services import attempt_sql
from kakehashi.ctf.services.play import submission_attempt
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory, ParticipantFactory, TeamFactory

pytestmark = pytest.mark.django_db

FAR = timezone.now() + timedelta(days=3650)


@pytest.fixture
def player() -> Participant:
    return ParticipantFactory.create()


def team_of(player: Participant) -> Team:
    assert player.team is not None
    return player.team


def store(player: Participant, challenge: Challenge, result: SubmissionResult, *, seconds_ago: float) -> Submission:
    return attempt_sql.record(
        challenge=challenge,
        team_id=team_of(player).pk,
        user_id=player.user_id,
        provided="flag{?}",
        result=result,
        source_address=None,
        now=timezone.now() - timedelta(seconds=seconds_ago),
        limit=1000,
    )


def read(player: Participant, challenge: Challenge, **options: object) -> attempt_sql.Locked:
    arguments: dict[str, object] = {
        "required": (),
        "wrong_limit": 3,
        "since": timezone.now() - timedelta(minutes=1),
        "attempts": True,
        "blood": True,
        "solved_up_to": FAR,
        **options,
    }
    with transaction.atomic():
        return attempt_sql.lock_and_read(
            team_id=team_of(player).pk,
            user_id=player.user_id,
            challenge_id=challenge.pk,
            **arguments,  # type: ignore[arg-type]
        )


def solve(team: Team, challenge: Challenge) -> None:
    member = ParticipantFactory.create(event=challenge.event, team=team)
    flag = challenge.flags.first() or FlagFactory.create(challenge=challenge)
    outcome = submission_attempt(challenge=challenge, team=team, user=member.user, provided=flag.content)
    assert outcome.correct


def test_the_schedule_and_the_team_are_read_as_stored(player: Participant) -> None:
    challenge = ChallengeFactory.create(event=player.event)
    state = read(player, challenge)
    event = player.event
    assert state.team_name == team_of(player).name
    assert state.ranked
    assert (state.schedule.starts_at, state.schedule.ends_at) == (event.starts_at, event.ends_at)
    assert state.schedule.starts_at.tzinfo is not None
    assert state.schedule.freeze_at == event.freeze_at
    assert state.schedule.paused is False
    assert state.wrong_limit == event.wrong_attempts_per_minute
    assert (state.solved, state.prerequisites_solved, state.attempts_used, state.earlier_ranked_solves) == (
        False,
        0,
        0,
        0,
    )
    assert state.boundary is None


def test_the_rate_limit_boundary_is_the_limit_th_newest_wrong_attempt_after_since(player: Participant) -> None:
    challenge = ChallengeFactory.create(event=player.event)
    other = ChallengeFactory.create(event=player.event)
    for age in (50, 40, 30):
        store(player, challenge, SubmissionResult.INCORRECT, seconds_ago=age)
    store(player, other, SubmissionResult.INCORRECT, seconds_ago=20)  # counts too: the limit is per account
    store(player, challenge, SubmissionResult.CORRECT, seconds_ago=10)  # does not count
    store(player, challenge, SubmissionResult.INCORRECT, seconds_ago=90)  # before ``since``
    state = read(player, challenge, wrong_limit=3)
    assert state.boundary is not None
    assert abs((timezone.now() - state.boundary).total_seconds() - 40) < 5
    assert read(player, challenge, wrong_limit=5).boundary is None
    assert read(player, challenge, wrong_limit=0).boundary is None
    assert read(player, challenge).attempts_used == 4  # wrong attempts at this challenge, any time
    assert read(player, challenge, attempts=False).attempts_used == 0


def test_solves_of_the_challenge_and_of_its_prerequisites(player: Participant) -> None:
    challenge, first, second = ChallengeFactory.create_batch(3, event=player.event)
    solve(team_of(player), first)
    state = read(player, challenge, required=(first.pk, second.pk))
    assert (state.solved, state.prerequisites_solved) == (False, 1)
    solve(team_of(player), challenge)
    assert read(player, challenge, required=(first.pk, second.pk)).solved is True


def test_earlier_solves_count_ranked_teams_only_and_at_most_three(player: Participant) -> None:
    challenge = ChallengeFactory.create(event=player.event)
    event = player.event
    solve(TeamFactory.create(event=event, hidden=True), challenge)
    solve(TeamFactory.create(event=event, banned=True), challenge)
    assert read(player, challenge).earlier_ranked_solves == 0
    for _ in range(4):
        solve(TeamFactory.create(event=event), challenge)
    assert read(player, challenge).earlier_ranked_solves == 3
    assert read(player, challenge, solved_up_to=timezone.now() - timedelta(hours=1)).earlier_ranked_solves == 0
    assert read(player, challenge, blood=False).earlier_ranked_solves == 0


def test_a_hidden_team_reads_as_unranked(player: Participant) -> None:
    Team.objects.filter(pk=team_of(player).pk).update(hidden=True)
    assert read(player, ChallengeFactory.create(event=player.event)).ranked is False


def test_a_deleted_team_is_an_error(player: Participant) -> None:
    challenge = ChallengeFactory.create(event=player.event)
    team_of(player).delete()
    with pytest.raises(Team.DoesNotExist):
        read(player, challenge)


def test_the_stored_row_is_the_one_returned(player: Participant) -> None:
    challenge = ChallengeFactory.create(event=player.event)
    now = timezone.now()
    stored = attempt_sql.record(
        challenge=challenge,
        team_id=team_of(player).pk,
        user_id=player.user_id,
        provided="x" * 20,
        result=SubmissionResult.INCORRECT,
        source_address="2001:db8::7",
        now=now,
        shared_from=team_of(player).pk,
        limit=12,
    )
    row = Submission.objects.get(pk=stored.pk)
    assert (row.event_id, row.challenge_id, row.team_id, row.user_id) == (
        player.event_id,
        challenge.pk,
        team_of(player).pk,
        player.user_id,
    )
    assert (row.provided, row.result, row.source_address, row.shared_from_id, row.created_at) == (
        "x" * 12,
        "incorrect",
        "2001:db8::7",
        team_of(player).pk,
        now,
    )
    assert stored._state.adding is False
    assert stored.provided == row.provided


def test_a_wrong_attempt_is_the_lock_one_read_and_one_write(player: Participant) -> None:
    challenge = ChallengeFactory.create(event=player.event)
    FlagFactory.create(challenge=challenge)
    submission_attempt(challenge=challenge, team=team_of(player), user=player.user, provided="warm")
    with CaptureQueriesContext(connection) as captured:
        submission_attempt(challenge=challenge, team=team_of(player), user=player.user, provided="wrong")
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    lock = ["SELECT"] if connection.features.has_select_for_update else []  # SQLite: the transaction is the lock
    assert [s for s in statements if s not in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}] == [
        *lock,
        "SELECT",
        "INSERT",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_both_statements_are_prepared(player: Participant) -> None:
    challenge = ChallengeFactory.create(event=player.event)
    FlagFactory.create(challenge=challenge)
    submission_attempt(challenge=challenge, team=team_of(player), user=player.user, provided="wrong")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(text.endswith("FOR UPDATE") for text in prepared)
    assert any("wrong_attempts_per_minute" in text for text in prepared)
    assert any(text.startswith("INSERT INTO") for text in prepared)


def test_a_second_solve_of_the_same_team_is_not_written(player: Participant) -> None:
    challenge = ChallengeFactory.create(event=player.event)
    first = store(player, challenge, SubmissionResult.CORRECT, seconds_ago=5)
    made = attempt_sql.record_solve(submission=first)
    assert made is not None
    assert made.pk is not None
    assert (made.team_id, made.challenge_id, made.user_id, made.created_at) == (
        team_of(player).pk,
        challenge.pk,
        player.user_id,
        first.created_at,
    )
    second = store(player, challenge, SubmissionResult.CORRECT, seconds_ago=1)
    assert attempt_sql.record_solve(submission=second) is None
    assert Solve.objects.filter(challenge=challenge).count() == 1


def test_a_solve_written_meanwhile_without_the_lock_makes_the_attempt_already_solved(
    player: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a writer that ignores the team's lock (an import) can get there first."""
    challenge = ChallengeFactory.create(event=player.event)
    flag = FlagFactory.create(challenge=challenge)
    earlier = store(player, challenge, SubmissionResult.CORRECT, seconds_ago=5)
    assert attempt_sql.record_solve(submission=earlier) is not None
    unsolved = attempt_sql.lock_and_read

    def as_if_unsolved(**arguments: object) -> attempt_sql.Locked:
        return dataclasses.replace(unsolved(**arguments), solved=False)  # type: ignore[arg-type]

    monkeypatch.setattr(attempt_sql, "lock_and_read", as_if_unsolved)
    outcome = submission_attempt(challenge=challenge, team=team_of(player), user=player.user, provided=flag.content)
    assert outcome.result == "already_solved"
    assert Submission.objects.get(pk=outcome.submission.pk).result == "already_solved"
    assert Solve.objects.filter(challenge=challenge).count() == 1
