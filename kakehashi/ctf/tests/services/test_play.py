"""Flag submissions and hint unlocks: every outcome, recorded once, charged once."""

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from kakehashi.ctf import flags
from kakehashi.ctf.models import Challenge, Event, HintUnlock, Participant, Solve, Submission, Team
from kakehashi.ctf.services.play import hint_unlock, submission_attempt
from kakehashi.ctf.services.standings import snapshot
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory, HintFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

FLAG = "flag{kakehashi}"


@pytest.fixture
def player() -> Participant:
    return ParticipantFactory.create()


@pytest.fixture
def challenge(player: Participant) -> Challenge:
    challenge = ChallengeFactory.create(event=player.event, value=100)
    FlagFactory.create(challenge=challenge, content=FLAG)
    return challenge


def attempt(player: Participant, challenge: Challenge, text: str, now: datetime | None = None) -> str:
    assert player.team is not None
    outcome = submission_attempt(
        challenge=challenge, team=player.team, user=player.user, provided=text, source_address="192.0.2.7", now=now
    )
    return outcome.result


def set_event(event: Event, **fields: object) -> None:
    Event.objects.filter(pk=event.pk).update(**fields)
    event.refresh_from_db()


def test_correct_flag_solves_once(player: Participant, challenge: Challenge) -> None:
    assert player.team is not None
    outcome = submission_attempt(challenge=challenge, team=player.team, user=player.user, provided=f"  {FLAG}\n")
    assert outcome.correct
    assert outcome.blood == 1
    assert outcome.solve is not None
    assert attempt(player, challenge, FLAG) == "already_solved"
    assert Solve.objects.count() == 1
    assert list(Submission.objects.order_by("id").values_list("result", flat=True)) == ["correct", "already_solved"]


def test_every_attempt_is_recorded_with_who_when_where(player: Participant, challenge: Challenge) -> None:
    assert attempt(player, challenge, "flag{nope}") == "incorrect"
    submission = Submission.objects.get()
    assert (submission.user, submission.team, submission.source_address) == (player.user, player.team, "192.0.2.7")
    assert submission.provided == "flag{nope}"
    assert abs(submission.created_at - timezone.now()) < timedelta(seconds=5)


def test_case_insensitive_flags(player: Participant) -> None:
    challenge = ChallengeFactory.create(event=player.event)
    FlagFactory.create(challenge=challenge, content="Bridge{Tea}", case_insensitive=True)
    assert attempt(player, challenge, "BRIDGE{tea}") == "correct"


def test_regex_flags_match_in_full(player: Participant) -> None:
    challenge = ChallengeFactory.create(event=player.event)
    FlagFactory.create(challenge=challenge, kind="regex", content=r"bridge\{[0-9]{4}\}")
    assert attempt(player, challenge, "xbridge{1234}") == "incorrect"
    assert attempt(player, challenge, "bridge{1234}") == "correct"


def test_one_of_several_flags(player: Participant, challenge: Challenge) -> None:
    FlagFactory.create(challenge=challenge, content="flag{second}")
    assert attempt(player, challenge, "flag{second}") == "correct"


@pytest.mark.parametrize(
    ("fields", "result"),
    [
        ({"starts_at": timezone.now() + timedelta(hours=1)}, "not_started"),
        ({"paused": True}, "paused"),
    ],
)
def test_event_phase_outcomes(
    player: Participant, challenge: Challenge, fields: dict[str, object], result: str
) -> None:
    if "starts_at" in fields:
        fields["ends_at"] = timezone.now() + timedelta(days=2)
    set_event(player.event, **fields)
    assert attempt(player, challenge, FLAG) == result
    assert not Solve.objects.exists()


def test_no_flag_is_accepted_at_the_exact_end(player: Participant, challenge: Challenge) -> None:
    end = player.event.ends_at
    assert attempt(player, challenge, FLAG, now=end) == "ended"
    assert attempt(player, challenge, FLAG, now=end + timedelta(microseconds=1)) == "ended"
    assert not Solve.objects.exists()
    assert attempt(player, challenge, FLAG, now=end - timedelta(microseconds=1)) == "correct"


def test_locked_challenge(player: Participant, challenge: Challenge) -> None:
    Challenge.objects.filter(pk=challenge.pk).update(state="locked")
    challenge.refresh_from_db()
    assert attempt(player, challenge, FLAG) == "locked"


def test_prerequisites(player: Participant, challenge: Challenge) -> None:
    follow_up = ChallengeFactory.create(event=player.event)
    FlagFactory.create(challenge=follow_up, content="flag{next}")
    follow_up.prerequisites.add(challenge)
    assert attempt(player, follow_up, "flag{next}") == "prerequisites_missing"
    assert attempt(player, challenge, FLAG) == "correct"
    assert attempt(player, follow_up, "flag{next}") == "correct"


def test_attempts_are_limited_per_team(player: Participant, challenge: Challenge) -> None:
    Challenge.objects.filter(pk=challenge.pk).update(max_attempts=2)
    challenge.refresh_from_db()
    teammate = ParticipantFactory.create(event=player.event, team=player.team)
    assert attempt(player, challenge, "a") == "incorrect"
    assert attempt(teammate, challenge, "b") == "incorrect"
    assert attempt(player, challenge, FLAG) == "attempts_exhausted"


def test_rate_limit_per_account(player: Participant, challenge: Challenge) -> None:
    set_event(player.event, wrong_attempts_per_minute=3)
    for guess in ("a", "b", "c"):
        assert attempt(player, challenge, guess) == "incorrect"
    assert player.team is not None
    limited = submission_attempt(challenge=challenge, team=player.team, user=player.user, provided=FLAG)
    assert limited.result == "rate_limited"
    assert 1 <= limited.retry_after <= 60
    # Another account is not slowed down by this one.
    other = ParticipantFactory.create(event=player.event)
    assert attempt(other, challenge, "x") == "incorrect"
    # A minute later the first account may try again.
    assert attempt(player, challenge, FLAG, now=timezone.now() + timedelta(seconds=61)) == "correct"


def test_a_limit_changed_after_the_caller_read_the_event_is_the_one_applied(
    player: Participant, challenge: Challenge
) -> None:
    assert player.team is not None
    stale = Event.objects.get(pk=player.event_id)
    assert stale.wrong_attempts_per_minute > 2
    for _ in range(2):
        assert attempt(player, challenge, "wrong") == "incorrect"
    Event.objects.filter(pk=stale.pk).update(wrong_attempts_per_minute=2)
    outcome = submission_attempt(challenge=challenge, team=player.team, user=player.user, provided="x", event=stale)
    assert outcome.result == "rate_limited"
    assert outcome.retry_after > 0


def test_the_first_three_ranked_solvers_get_their_place(player: Participant, challenge: Challenge) -> None:
    places = []
    hidden = ParticipantFactory.create(event=player.event, team__hidden=True)
    assert hidden.team is not None
    outcome = submission_attempt(challenge=challenge, team=hidden.team, user=hidden.user, provided=FLAG)
    assert outcome.correct
    assert outcome.blood is None  # a hidden team takes no place and is not counted before others
    for _ in range(4):
        solver = ParticipantFactory.create(event=player.event)
        assert solver.team is not None
        places.append(submission_attempt(challenge=challenge, team=solver.team, user=solver.user, provided=FLAG).blood)
    assert places == [1, 2, 3, None]


def test_generated_flags_and_sharing(player: Participant) -> None:
    event = player.event
    challenge = ChallengeFactory.create(event=event)
    FlagFactory.create(challenge=challenge, kind="generated", content="")
    other = ParticipantFactory.create(event=event)
    assert player.team is not None
    assert other.team is not None

    def generated(team: Team) -> str:
        return flags.generated_flag(event.flag_secret, team.pk, challenge.pk, fmt=event.generated_flag_format)

    assert attempt(player, challenge, generated(other.team)) == "incorrect"
    shared = Submission.objects.get()
    assert shared.shared_from == other.team
    assert attempt(player, challenge, generated(player.team)) == "correct"


def test_hint_unlock_charges_once(
    player: Participant, challenge: Challenge, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    assert player.team is not None
    with django_capture_on_commit_callbacks(execute=True):
        attempt(player, challenge, FLAG)
        hint = HintFactory.create(challenge=challenge, cost=30)
        first, created = hint_unlock(hint=hint, team=player.team, user=player.user)
        again, created_again = hint_unlock(hint=hint, team=player.team, user=player.user)
    assert created
    assert not created_again
    assert first.pk == again.pk
    assert HintUnlock.objects.count() == 1
    assert snapshot(player.event, "live").entries[0].score == 70


def test_hint_unlock_needs_points(player: Participant, challenge: Challenge) -> None:
    assert player.team is not None
    hint = HintFactory.create(challenge=challenge, cost=30)
    with pytest.raises(ValidationError) as caught:
        hint_unlock(hint=hint, team=player.team, user=player.user)
    assert caught.value.error_dict["cost"][0].code == "not_enough_points"
    assert not HintUnlock.objects.exists()
    free = HintFactory.create(challenge=challenge, cost=0)
    assert hint_unlock(hint=free, team=player.team, user=player.user)[1]


def test_hints_are_free_after_the_end(player: Participant, challenge: Challenge) -> None:
    assert player.team is not None
    hint = HintFactory.create(challenge=challenge, cost=30)
    unlock, _created = hint_unlock(hint=hint, team=player.team, user=player.user, now=player.event.ends_at)
    assert unlock.cost == 0


def run_in_threads(count: int, action: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(action())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (run by .ci/run)"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_correct_flags_make_one_solve() -> None:
    player = ParticipantFactory.create()
    challenge = ChallengeFactory.create(event=player.event)
    FlagFactory.create(challenge=challenge, content=FLAG)
    teammates = [ParticipantFactory.create(event=player.event, team=player.team) for _ in range(7)]
    members = [player, *teammates]
    assert player.team is not None
    team = player.team
    index = iter(range(len(members)))
    lock = threading.Lock()

    def submit() -> str:
        with lock:
            member = members[next(index)]
        return submission_attempt(challenge=challenge, team=team, user=member.user, provided=FLAG).result

    results = run_in_threads(len(members), submit)
    assert sorted(results) == ["already_solved"] * 7 + ["correct"]  # type: ignore[type-var]
    assert Solve.objects.filter(challenge=challenge).count() == 1
    assert snapshot(player.event, "live").entries[0].score == 100


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_unlocks_charge_once() -> None:
    player = ParticipantFactory.create()
    challenge = ChallengeFactory.create(event=player.event, value=100)
    FlagFactory.create(challenge=challenge, content=FLAG)
    assert player.team is not None
    team = player.team
    submission_attempt(challenge=challenge, team=team, user=player.user, provided=FLAG)
    hint = HintFactory.create(challenge=challenge, cost=40)
    results = run_in_threads(8, lambda: hint_unlock(hint=hint, team=team, user=player.user)[1])
    assert sorted(results) == [False] * 7 + [True]  # type: ignore[type-var]
    assert HintUnlock.objects.filter(hint=hint).count() == 1
    assert snapshot(player.event, "live").entries[0].score == 60


def test_a_wrong_flag_never_touches_the_standings(
    player: Participant, challenge: Challenge, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    before = snapshot(player.event, "public")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert attempt(player, challenge, "flag{wrong}") == "incorrect"
    assert callbacks == []
    assert snapshot(player.event, "public").version == before.version
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert attempt(player, challenge, FLAG) == "correct"
    assert len(callbacks) == 1
    assert snapshot(player.event, "public").version > before.version
