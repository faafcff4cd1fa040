"""Playing: flag submissions and hint unlocks. Every way in (pages, native API, CTFd API) calls these.

Exactly once under concurrency: the team's row is locked for the duration of an attempt, so a
team's attempts are taken one after another (rate limit and attempt counts stay exact across
processes), and the database's unique constraints on solves and unlocks are the final word.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.core import live
from kakehashi.ctf import flags, phases, prerequisites, ratelimit
from kakehashi.ctf.choices import ChallengeState, SubmissionResult
from kakehashi.ctf.models import Challenge, Event, Flag, Hint, HintUnlock, Solve, Submission, Team
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


def _match(challenge: Challenge, team: Team, provided: str) -> tuple[bool, int | None]:
    """Whether ``provided`` is a flag of the challenge for this team, and whose generated flag it is
    when it belongs to another team (suspected flag sharing)."""
    event = challenge.event
    candidates: list[int] | None = None
    for flag in Flag.objects.filter(challenge=challenge):
        spec = flags.FlagSpec(
            kind=cast(flags.FlagKind, flag.kind),
            content=flag.content,
            case_insensitive=flag.case_insensitive,
            format=event.generated_flag_format,
        )
        if spec.kind == "generated" and candidates is None:
            candidates = list(Team.objects.filter(event=event).exclude(pk=team.pk).values_list("pk", flat=True))
        outcome = flags.check(
            spec,
            provided,
            secret=event.flag_secret,
            challenge_id=challenge.pk,
            account_id=team.pk,
            other_account_ids=candidates or (),
        )
        if outcome.matched:
            return True, None
        if outcome.shared_from is not None:
            return False, outcome.shared_from
    return False, None


def _record(
    *,
    challenge: Challenge,
    team: Team,
    user: User,
    provided: str,
    result: SubmissionResult,
    source_address: str | None,
    now: datetime,
    shared_from: int | None = None,
) -> Submission:
    return Submission.objects.create(
        event_id=challenge.event_id,
        challenge=challenge,
        team=team,
        user=user,
        provided=provided[:MAX_PROVIDED],
        result=result,
        source_address=source_address or None,
        shared_from_id=shared_from,
        created_at=now,
    )


def submission_attempt(  # noqa: PLR0911  (one return per distinct, translated outcome)
    *,
    challenge: Challenge,
    team: Team,
    user: User,
    provided: str,
    source_address: str | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Judge one flag submission and record it, whatever the outcome.

    The end of an event has no window: a submission counts only if its recorded time is before
    ``ends_at``, and that time is read once the team's row is locked, with the event's schedule
    read afresh under the same lock. A submission that arrived before the end but waited for the
    lock (another attempt of its team, a slow database) until the end had passed is refused, and
    whatever is accepted carries a time before the end (CTFd checks the end before it waits:
    CTFd PR #2908). ``now`` replaces the clock for historical replays (demo, imports).
    """
    given_now = now
    # Matching reads only the challenge's flags and the team's id, none of what the lock guards, so
    # it happens before the lock: on SQLite, where a writing transaction excludes every other, this
    # keeps the flag check (and a regular expression's time) out of everyone's wait.
    required = list(challenge.prerequisites.values_list("pk", flat=True))
    matched, shared_from = _match(challenge, team, provided)
    with transaction.atomic():
        locked_team = Team.objects.select_for_update().get(pk=team.pk)
        now = given_now or timezone.now()
        event = Event.objects.get(pk=challenge.event_id)  # an organiser may have moved the end meanwhile

        def refuse(result: SubmissionResult, retry_after: int = 0) -> Attempt:
            submission = _record(
                challenge=challenge, team=locked_team, user=user, provided=provided, result=result,
                source_address=source_address, now=now,
            )  # fmt: skip
            return Attempt(result=result, submission=submission, retry_after=retry_after)

        current = phases.phase(_schedule(event), now)
        if current in PHASE_RESULTS:
            return refuse(PHASE_RESULTS[current])
        if challenge.state == ChallengeState.LOCKED:
            return refuse(SubmissionResult.LOCKED)
        solved = set(
            Solve.objects.filter(team=locked_team, challenge_id__in=[challenge.pk, *required]).values_list(
                "challenge_id", flat=True
            )
        )  # this challenge and its prerequisites, in one query
        if required and prerequisites.missing(required, solved - {challenge.pk}):
            return refuse(SubmissionResult.PREREQUISITES_MISSING)
        if challenge.pk in solved:
            return refuse(SubmissionResult.ALREADY_SOLVED)
        recent_wrong = Submission.objects.filter(
            user=user,
            event_id=event.pk,
            result=SubmissionResult.INCORRECT,
            created_at__gt=now - ratelimit.WINDOW,
        ).values_list("created_at", flat=True)
        decision = ratelimit.decide(list(recent_wrong), limit=event.wrong_attempts_per_minute, now=now)
        if not decision.allowed:
            return refuse(SubmissionResult.RATE_LIMITED, decision.retry_after)
        if challenge.max_attempts:
            used = Submission.objects.filter(
                team=locked_team, challenge=challenge, result=SubmissionResult.INCORRECT
            ).count()
            if used >= challenge.max_attempts:
                return refuse(SubmissionResult.ATTEMPTS_EXHAUSTED)

        if not matched:
            submission = _record(
                challenge=challenge, team=locked_team, user=user, provided=provided,
                result=SubmissionResult.INCORRECT, source_address=source_address, now=now, shared_from=shared_from,
            )  # fmt: skip
            return Attempt(result=SubmissionResult.INCORRECT, submission=submission)

        submission = _record(
            challenge=challenge, team=locked_team, user=user, provided=provided,
            result=SubmissionResult.CORRECT, source_address=source_address, now=now,
        )  # fmt: skip
        try:
            with transaction.atomic():
                solve = Solve.objects.create(
                    challenge=challenge, team=locked_team, user=user, submission=submission, created_at=now
                )
        except IntegrityError:
            submission.result = SubmissionResult.ALREADY_SOLVED
            submission.save(update_fields=["result"])
            return Attempt(result=SubmissionResult.ALREADY_SOLVED, submission=submission)
        place = Solve.objects.filter(
            challenge=challenge, team__hidden=False, team__banned=False, created_at__lte=now
        ).count()
        blood = place if place <= 3 and locked_team.ranked else None
        transaction.on_commit(lambda: _announce_solve(solve.pk, blood))
        return Attempt(result=SubmissionResult.CORRECT, submission=submission, solve=solve, blood=blood)


def _announce_solve(solve_id: int, blood: int | None) -> None:
    solve = Solve.objects.select_related("challenge__event", "team").get(pk=solve_id)
    event = solve.challenge.event
    standings_changed(event.pk, kind="append")
    if solve.challenge.state == ChallengeState.HIDDEN or not solve.team.ranked:
        return
    data = {
        "team_id": solve.team_id,
        "team": solve.team.name,
        "challenge_id": solve.challenge_id,
        "titles": {code: row.title for code, row in solve.challenge.translation_map().items()},
        "blood": blood,
        "at": solve.created_at.isoformat(),
    }
    live.publish(f"event:{event.pk}:staff", "solve", data)
    frozen = phases.is_frozen(_schedule(event), solve.created_at)
    if not frozen:
        live.publish(f"event:{event.pk}:public", "solve", data)


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
