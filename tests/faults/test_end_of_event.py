"""The clock at the exact end of an event: no submission after ``ends_at`` is accepted.

The rule: a submission is accepted only if its recorded time is before ``ends_at``, and that time
is read after the team's row is locked (the event's schedule re-read under the same lock). So a
submission that arrives before the end but waits for the lock until after it is refused: CTFd
checks the end when the request arrives and lets such submissions through (CTFd PR #2908).
"""

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from kakehashi.ctf.choices import SubmissionResult
from kakehashi.ctf.models import Challenge, Event, Participant, Solve, Submission, Team
from kakehashi.ctf.services.play import submission_attempt
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory, ParticipantFactory

pytestmark = pytest.mark.slow

FLAG = "flag{the-end}"
MICROSECOND = timedelta(microseconds=1)


class Clock:
    """Stands in for ``django.utils.timezone.now``; the test moves it."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment
        self.reads = 0

    def __call__(self) -> datetime:
        self.reads += 1
        return self.moment


@pytest.fixture
def clock() -> Iterator[Clock]:
    patched = Clock(timezone.now())
    with mock.patch("django.utils.timezone.now", patched):
        yield patched


def _setup() -> tuple[Participant, Challenge, datetime]:
    player = ParticipantFactory.create()
    challenge = ChallengeFactory.create(event=player.event, value=100)
    FlagFactory.create(challenge=challenge, content=FLAG)
    end = timezone.now() + timedelta(hours=1)
    Event.objects.filter(pk=player.event.pk).update(ends_at=end)
    challenge.refresh_from_db()
    return player, challenge, Event.objects.get(pk=player.event.pk).ends_at


def _submit(player: Participant, challenge: Challenge) -> str:
    assert player.team is not None
    return submission_attempt(challenge=challenge, team=player.team, user=player.user, provided=FLAG).result


@pytest.mark.django_db
def test_one_microsecond_before_the_end_is_accepted_and_the_end_itself_refused(clock: Clock) -> None:
    player, challenge, end = _setup()
    other = ParticipantFactory.create(event=player.event)
    clock.moment = end
    assert _submit(player, challenge) == SubmissionResult.ENDED
    clock.moment = end - MICROSECOND
    assert _submit(other, challenge) == SubmissionResult.CORRECT
    clock.moment = end + MICROSECOND
    assert _submit(player, challenge) == SubmissionResult.ENDED
    solve = Solve.objects.get()
    assert solve.team_id == other.team_id
    assert solve.created_at == end - MICROSECOND
    stored = dict(Submission.objects.values_list("team_id", "created_at").filter(result="correct"))
    assert stored == {other.team_id: end - MICROSECOND}


@pytest.mark.django_db
def test_an_end_moved_by_an_organiser_is_seen_under_the_lock(clock: Clock) -> None:
    """The challenge the caller loaded still carries the old end; the lock re-reads the event."""
    player, challenge, end = _setup()
    challenge.event  # noqa: B018  (loads the event with the old end, as a request would have)
    Event.objects.filter(pk=player.event.pk).update(ends_at=end - timedelta(minutes=30))
    clock.moment = end - timedelta(minutes=10)
    assert _submit(player, challenge) == SubmissionResult.ENDED
    assert not Solve.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_submission_that_waits_for_the_lock_past_the_end_is_refused(clock: Clock) -> None:
    """Arrives before the end; another attempt of its team holds the lock until the end has passed."""
    player, challenge, end = _setup()
    assert player.team is not None
    team_id = player.team.pk
    clock.moment = end - timedelta(milliseconds=1)
    locked = threading.Event()
    release = threading.Event()

    def hold_the_team_lock() -> None:
        try:
            with transaction.atomic():
                Team.objects.select_for_update().get(pk=team_id)
                locked.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    results: list[str] = []

    def late_submitter() -> None:
        try:
            results.append(_submit(player, challenge))
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_team_lock)
    holder.start()
    assert locked.wait(timeout=20)
    submitter = threading.Thread(target=late_submitter)
    submitter.start()
    time.sleep(0.5)  # the submission has arrived and is waiting for the team's lock
    assert submitter.is_alive(), "the submission should be waiting for the team's lock"
    clock.moment = end
    release.set()
    holder.join(timeout=30)
    submitter.join(timeout=30)
    assert results == [SubmissionResult.ENDED]
    assert not Solve.objects.exists()
    assert Submission.objects.get().created_at == end


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real row-lock concurrency needs PostgreSQL (run by .ci/run)"
)


def run_in_threads(actions: list[Callable[[], object]]) -> list[object]:
    results: list[object] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def worker(action: Callable[[], object]) -> None:
        try:
            value = action()
            with guard:
                results.append(value)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_racing_the_real_end() -> None:
    """Eight teams, each sending its flag from four threads around the real end of the event.

    Whatever the interleaving, every accepted submission and every solve is recorded before the
    end, every refusal for the end is recorded at or after it, and a team solves at most once.
    """
    first = ParticipantFactory.create()
    event = first.event
    challenge = ChallengeFactory.create(event=event, value=100)
    FlagFactory.create(challenge=challenge, content=FLAG)
    players = [first, *(ParticipantFactory.create(event=event) for _ in range(7))]
    end = timezone.now() + timedelta(milliseconds=400)
    Event.objects.filter(pk=event.pk).update(ends_at=end)
    challenge.refresh_from_db()
    barrier = threading.Barrier(len(players) * 4)

    def sender(player: Participant, delay: float) -> Callable[[], object]:
        def run() -> object:
            barrier.wait(timeout=30)
            pause = (end - timezone.now()).total_seconds() + delay
            if pause > 0:
                time.sleep(pause)
            return _submit(player, challenge)

        return run

    offsets = (-0.004, -0.001, 0.0, 0.002)
    results = run_in_threads([sender(p, offset) for p in players for offset in offsets])
    assert len(results) == 32
    assert set(results) <= {SubmissionResult.CORRECT, SubmissionResult.ALREADY_SOLVED, SubmissionResult.ENDED}
    assert results.count(SubmissionResult.ENDED) >= 1, "the race should reach the end"
    stored = list(Submission.objects.values_list("team_id", "result", "created_at"))
    assert len(stored) == 32
    for team_id, result, created_at in stored:
        if result == SubmissionResult.ENDED:
            assert created_at >= end, (team_id, created_at)
        else:
            assert created_at < end, (team_id, result, created_at)
    solves = list(Solve.objects.values_list("team_id", "created_at"))
    assert len(solves) == len({team_id for team_id, _at in solves})
    assert all(at < end for _team, at in solves)
    assert len(solves) == results.count(SubmissionResult.CORRECT)
