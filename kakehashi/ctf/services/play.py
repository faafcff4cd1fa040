"""Playing: flag submissions and hint unlocks. Every way in (pages, native API, CTFd API) calls these.

Exactly once under concurrency: the team's row is locked for the duration of an attempt, so a
team's attempts are taken one after another (rate limit and attempt counts stay exact across
processes), and the database's unique constraints on solves and unlocks are the final word.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.core import live
from kakehashi.ctf import flags, known_challenges, phases, ratelimit
from kakehashi.ctf.choices import ChallengeState, SubmissionResult
from kakehashi.ctf.models import Challenge, Event, Hint, HintUnlock, Solve, Submission, Team
from kakehashi.ctf.services import attempt_sql
from kakehashi.ctf.services.standings import snapshot, standings_changed

MAX_PROVIDED = 1000


@dataclass(frozen=True)
class Attempt:
    """What happened to one submission."""

    result: SubmissionResult
    submission: Submission
    retry_after: int = 0
    solve: Solve | None = None
    blood: int | None = None  # 1, 2 or 3 for the first three solvers

    @property
    def correct(self) -> bool:
        return self.result == SubmissionResult.CORRECT


def _schedule(event: Event) -> phases.Schedule:
    return phases.Schedule(
        starts_at=event.starts_at, ends_at=event.ends_at, freeze_at=event.freeze_at, paused=event.paused
    )


PHASE_RESULTS = {
    phases.Phase.NOT_STARTED: SubmissionResult.NOT_STARTED,
    phases.Phase.ENDED: SubmissionResult.ENDED,
    phases.Phase.PAUSED: SubmissionResult.PAUSED,
}


def _match(rules: known_challenges.Rules, event: Event, team_id: int, provided: str) -> tuple[bool, int | None]:
    """Whether ``provided`` is a flag of the challenge for this team, and whose generated flag it is
    when it belongs to another team (suspected flag sharing)."""
    challenge_id = rules.challenge.pk
    candidates: list[int] | None = None
    for flag in rules.flags:
        spec = flags.FlagSpec(
            kind=cast(flags.FlagKind, flag.kind),
            content=flag.content,
            case_insensitive=flag.case_insensitive,
            format=event.generated_flag_format,
        )
        if spec.kind == "generated" and candidates is None:
            candidates = list(Team.objects.filter(event=event).exclude(pk=team_id).values_list("pk", flat=True))
        outcome = flags.check(
            spec,
            provided,
            secret=event.flag_secret,
            challenge_id=challenge_id,
            account_id=team_id,
            other_account_ids=candidates or (),
        )
        if outcome.matched:
            return True, None
        if outcome.shared_from is not None:
            return False, outcome.shared_from
    return False, None


def submission_attempt(  # noqa: PLR0911  (one return per distinct, translated outcome)
    *,
    challenge: Challenge,
    team: Team,
    user: User,
    provided: str,
    source_address: str | None = None,
    now: datetime | None = None,
    event: Event | None = None,
    known: Mapping[str, Any] | None = None,
) -> Attempt:
    """Judge one flag submission and record it, whatever the outcome.

    The end of an event has no window: a submission counts only if its recorded time is before
    ``ends_at``, and that time is read once the team's row is locked, with the event's schedule
    read afresh under the same lock. A submission that arrived before the end but waited for the
    lock (another attempt of its team, a slow database) until the end had passed is refused, and
    whatever is accepted carries a time before the end (CTFd checks the end before it waits:
    CTFd PR #2908). ``now`` replaces the clock for historical replays (demo, imports).

    ``event`` is the challenge's event if the caller has it (else ``challenge.event`` is read);
    ``known``: shared-cache keys already read (see :mod:`kakehashi.ctf.known_challenges`). The
    challenge's state and attempt limit are taken from ``challenge`` as the caller read it; its
    flags, prerequisites and titles from :mod:`kakehashi.ctf.known_challenges`.
    """
    given_now = now
    event = event if event is not None else challenge.event
    rules = known_challenges.rules(challenge.pk, known=known)
    if rules is None:
        raise Challenge.DoesNotExist(f"challenge {challenge.pk} no longer exists")
    required = sorted(rules.required)
    # Matching reads only the challenge's flags and the team's id, none of what the lock guards, so
    # it happens before the lock: on SQLite, where a writing transaction excludes every other, this
    # keeps the flag check (and a regular expression's time) out of everyone's wait.
    matched, shared_from = _match(rules, event, team.pk, provided)
    with transaction.atomic():
        # The lock may be waited for: the rate limit's window is read from a bound no later than
        # the time taken after it (see ratelimit.decide_by_boundary).
        since = (given_now or timezone.now()) - ratelimit.WINDOW
        wrong_limit = event.wrong_attempts_per_minute
        state = attempt_sql.lock_and_read(
            team_id=team.pk,
            user_id=user.pk,
            challenge_id=challenge.pk,
            required=required,
            wrong_limit=wrong_limit,
            since=since,
            attempts=bool(challenge.max_attempts),
            blood=matched,
            solved_up_to=given_now or _FAR_FUTURE,
        )
        now = given_now or timezone.now()
        boundary = state.boundary
        if state.wrong_limit != wrong_limit:  # changed since the caller read the event: ask again
            boundary = attempt_sql.lock_and_read(
                team_id=team.pk, user_id=user.pk, challenge_id=challenge.pk, required=(), wrong_limit=state.wrong_limit,
                since=since, attempts=False, blood=False, solved_up_to=now,
            ).boundary  # fmt: skip

        def refuse(result: SubmissionResult, retry_after: int = 0) -> Attempt:
            submission = attempt_sql.record(
                challenge=challenge, team_id=team.pk, user_id=user.pk, provided=provided, result=result,
                source_address=source_address, now=now, limit=MAX_PROVIDED,
            )  # fmt: skip
            return Attempt(result=result, submission=submission, retry_after=retry_after)

        current = phases.phase(state.schedule, now)
        if current in PHASE_RESULTS:
            return refuse(PHASE_RESULTS[current])
        if challenge.state == ChallengeState.LOCKED:
            return refuse(SubmissionResult.LOCKED)
        if required and state.prerequisites_solved < len(required):
            return refuse(SubmissionResult.PREREQUISITES_MISSING)
        if state.solved:
            return refuse(SubmissionResult.ALREADY_SOLVED)
        decision = ratelimit.decide_by_boundary(boundary, limit=state.wrong_limit, now=now)
        if not decision.allowed:
            return refuse(SubmissionResult.RATE_LIMITED, decision.retry_after)
        if challenge.max_attempts and state.attempts_used >= challenge.max_attempts:
            return refuse(SubmissionResult.ATTEMPTS_EXHAUSTED)

        if not matched:
            submission = attempt_sql.record(
                challenge=challenge, team_id=team.pk, user_id=user.pk, provided=provided,
                result=SubmissionResult.INCORRECT, source_address=source_address, now=now, shared_from=shared_from,
                limit=MAX_PROVIDED,
            )  # fmt: skip
            return Attempt(result=SubmissionResult.INCORRECT, submission=submission)

        submission = attempt_sql.record(
            challenge=challenge, team_id=team.pk, user_id=user.pk, provided=provided,
            result=SubmissionResult.CORRECT, source_address=source_address, now=now, limit=MAX_PROVIDED,
        )  # fmt: skip
        solve = attempt_sql.record_solve(submission=submission)
        if solve is None:
            submission.result = SubmissionResult.ALREADY_SOLVED
            submission.save(update_fields=["result"])
            return Attempt(result=SubmissionResult.ALREADY_SOLVED, submission=submission)
        place = state.earlier_ranked_solves + 1
        blood = place if place <= 3 and state.ranked else None
        solved = _SolveNews(
            event_id=challenge.event_id,
            team_id=team.pk,
            team_name=state.team_name,
            challenge_id=challenge.pk,
            shown=challenge.state != ChallengeState.HIDDEN and state.ranked,
            titles=dict(rules.titles),
            blood=blood,
            at=now,
            frozen=phases.is_frozen(state.schedule, now),
        )
        transaction.on_commit(lambda: _announce_solve(solved))
        return Attempt(result=SubmissionResult.CORRECT, submission=submission, solve=solve, blood=blood)


_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _SolveNews:
    event_id: int
    team_id: int
    team_name: str
    challenge_id: int
    shown: bool  # a visible challenge, a ranked team
    titles: dict[str, str]
    blood: int | None
    at: datetime
    frozen: bool


def _announce_solve(news: _SolveNews) -> None:
    standings_changed(news.event_id, kind="append")
    if not news.shown:
        return
    data = {
        "team_id": news.team_id,
        "team": news.team_name,
        "challenge_id": news.challenge_id,
        "titles": news.titles,
        "blood": news.blood,
        "at": news.at.isoformat(),
    }
    live.publish(f"event:{news.event_id}:staff", "solve", data)
    if not news.frozen:
        live.publish(f"event:{news.event_id}:public", "solve", data)


def hint_unlock(*, hint: Hint, team: Team, user: User, now: datetime | None = None) -> tuple[HintUnlock, bool]:
    """Unlock a hint for the team, charging its cost once. Returns the unlock and whether it is new.

    As in CTFd, a team cannot spend points it does not have. After the event has ended hints are
    free: unlocking then no longer changes the standings.
    """
    now = now or timezone.now()
    challenge = hint.challenge
    event = challenge.event
    with transaction.atomic():
        locked_team = Team.objects.select_for_update().get(pk=team.pk)
        existing = HintUnlock.objects.filter(hint=hint, team=locked_team).first()
        if existing is not None:
            return existing, False
        ended = phases.phase(_schedule(event), now) == phases.Phase.ENDED
        cost = 0 if ended else hint.cost
        if cost:
            score = snapshot(event, "live").scores.get(locked_team.pk, 0)
            if score < cost:
                message = _("Your team does not have enough points to unlock this hint.")
                raise ValidationError({"cost": ValidationError(message, code="not_enough_points")})
        try:
            with transaction.atomic():
                unlock = HintUnlock.objects.create(hint=hint, team=locked_team, user=user, cost=cost, created_at=now)
        except IntegrityError:
            return HintUnlock.objects.get(hint=hint, team=locked_team), False
        if cost:
            transaction.on_commit(lambda: standings_changed(event.pk, kind="append"))
        return unlock, True
