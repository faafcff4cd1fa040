"""Reads with rules in them: what a participant, judge or organiser sees of an event."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from kakehashi.ctf import phases
from kakehashi.ctf.choices import ChallengeState, SubmissionResult
from kakehashi.ctf.models import (
    Announcement,
    Challenge,
    ChallengeTag,
    Event,
    Hint,
    HintUnlock,
    Solve,
    Submission,
    Team,
)
from kakehashi.ctf.services.standings import Entry, Snapshot, snapshot


def event_list() -> QuerySet[Event]:
    return Event.objects.prefetch_related("translations").order_by("-starts_at")


def playable_challenges(event: Event, *, now: datetime | None = None, staff: bool = False) -> QuerySet[Challenge]:
    """Challenges a participant can see: visible or locked, and released. Staff see all."""
    now = now or timezone.now()
    query = Challenge.objects.filter(event=event)
    if not staff:
        query = query.exclude(state=ChallengeState.HIDDEN).filter(Q(release_at__isnull=True) | Q(release_at__lte=now))
    return query.prefetch_related(
        "translations",
        Prefetch("tags", queryset=ChallengeTag.objects.order_by("id")),
        Prefetch("hints", queryset=Hint.objects.prefetch_related("translations").order_by("position", "id")),
        "prerequisites",
        "attachments",
    ).order_by("position", "id")


@dataclass(frozen=True)
class BoardItem:
    challenge: Challenge
    value: int
    solves: int
    solved: bool
    unlocked_prerequisites: bool


def challenge_board(
    event: Event, *, team: Team | None, staff: bool = False, now: datetime | None = None
) -> list[BoardItem]:
    """The challenge list of one team, values and solve counts as the public sees them."""
    view = "live" if staff else "public"
    shared = snapshot(event, view)
    challenges = list(playable_challenges(event, now=now, staff=staff))
    solved: set[int] = set()
    if team is not None:
        solved = set(Solve.objects.filter(team=team).values_list("challenge_id", flat=True))
    items = []
    for challenge in challenges:
        required = {pre.pk for pre in challenge.prerequisites.all()}
        items.append(
            BoardItem(
                challenge=challenge,
                value=shared.values.get(challenge.pk, challenge.value),
                solves=shared.solve_counts.get(challenge.pk, 0),
                solved=challenge.pk in solved,
                unlocked_prerequisites=required <= solved,
            )
        )
    return items


def solved_challenge_ids(team_id: int) -> frozenset[int]:
    """The challenges a team has solved. Asked on every challenge-list request, so in plain SQL:
    the query builder would cost several times the query."""
    meta = Solve._meta
    quote = connection.ops.quote_name
    column = quote(meta.get_field("challenge").column)
    team = quote(meta.get_field("team").column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {quote(meta.db_table)} WHERE {team} = %s", [team_id])  # noqa: S608
        return frozenset(row[0] for row in cursor.fetchall())


def unlocked_hint_ids(team: Team | None, challenge: Challenge) -> set[int]:
    if team is None:
        return set()
    return set(HintUnlock.objects.filter(team=team, hint__challenge=challenge).values_list("hint_id", flat=True))


def attempts_used(team: Team, challenge: Challenge) -> int:
    return Submission.objects.filter(team=team, challenge=challenge, result=SubmissionResult.INCORRECT).count()


@dataclass(frozen=True)
class Board:
    snapshot: Snapshot
    entries: tuple[Entry, ...]
    frozen: bool


def scoreboard(event: Event, *, view: str, country: str | None = None, bracket_id: int | None = None) -> Board:
    """Standings overall, or within a country bracket (``uk``, ``jp``, ``mixed``, ``other``) or a
    custom bracket, positions counted within it."""
    shared = snapshot(event, view)
    entries = shared.entries
    if country is not None:
        entries = tuple(e for e in entries if e.country_bracket == country)
    if bracket_id is not None:
        entries = tuple(e for e in entries if e.bracket_id == bracket_id)
    if country is not None or bracket_id is not None:
        entries = tuple(entry._replace(position=index) for index, entry in enumerate(entries, start=1))
    frozen = view == "public" and phases.is_frozen(
        phases.Schedule(starts_at=event.starts_at, ends_at=event.ends_at, freeze_at=event.freeze_at), timezone.now()
    )
    return Board(snapshot=shared, entries=entries, frozen=frozen)


def announcements(event: Event) -> QuerySet[Announcement]:
    return Announcement.objects.filter(event=event).prefetch_related("translations").order_by("-created_at", "-id")


def submission_log(
    event: Event,
    *,
    result: str | None = None,
    team_id: int | None = None,
    challenge_id: int | None = None,
    user_id: int | None = None,
    limit: int = 200,
    before_id: int | None = None,
) -> list[Submission]:
    query = Submission.objects.filter(event=event).select_related("team", "user", "challenge", "shared_from")
    if result:
        query = query.filter(result=result)
    if team_id:
        query = query.filter(team_id=team_id)
    if challenge_id:
        query = query.filter(challenge_id=challenge_id)
    if user_id:
        query = query.filter(user_id=user_id)
    if before_id:
        query = query.filter(pk__lt=before_id)
    return list(query.order_by("-id")[: max(1, min(limit, 1000))])


def flag_sharing(event: Event) -> list[Submission]:
    """Submissions of another team's generated flag: who sent it, and whose flag it was."""
    return list(
        Submission.objects.filter(event=event, shared_from__isnull=False)
        .select_related("team", "user", "challenge", "shared_from")
        .order_by("-created_at")
    )


def team_members_count(event: Event) -> dict[int, int]:
    return dict(Team.objects.filter(event=event).annotate(n=Count("members")).values_list("pk", "n"))


def _visible_challenge_ids(event: Event, *, staff: bool) -> set[int]:
    return set(playable_challenges(event, staff=staff).values_list("pk", flat=True))


def visible_counts(event: Event, counts: dict[int, int], *, staff: bool) -> dict[int, int]:
    """Solve counts of the challenges the viewer can see: hidden ones never leak through a count."""
    shown = _visible_challenge_ids(event, staff=staff)
    return {challenge_id: count for challenge_id, count in counts.items() if challenge_id in shown}


def visible_bloods(event: Event, bloods: dict[int, tuple[int, ...]], *, staff: bool) -> dict[int, list[int]]:
    shown = _visible_challenge_ids(event, staff=staff)
    return {challenge_id: list(teams) for challenge_id, teams in bloods.items() if challenge_id in shown}
