"""Standings are computed once per scoring change and shared by every reader.

A scoring change (solve, award, hint unlock, ban, value or rule change) calls
:func:`standings_changed` after its transaction commits. That builds a :class:`Snapshot` for the
live (organisers') view and for the public view (frozen at the freeze time), stores both in the
shared cache, and announces the change to live subscribers. Readers never recompute: they take
the stored snapshot, and build it only when the cache has none (first read, cache restart).
A wrong flag changes nothing here.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from kakehashi.core import live
from kakehashi.ctf import phases, scoring
from kakehashi.ctf.models import Award, Challenge, Event, HintUnlock, Solve, Team

CACHE_SECONDS = 24 * 60 * 60
VIEWS = ("live", "public")


@dataclass(frozen=True)
class Entry:
    position: int
    team_id: int
    name: str
    score: int
    last_score_at: datetime
    country_bracket: str
    bracket_id: int | None
    solves: int


@dataclass(frozen=True)
class Snapshot:
    event_id: int
    view: str
    version: int
    computed_at: datetime
    cut_off: datetime | None
    entries: tuple[Entry, ...]
    values: dict[int, int] = field(default_factory=dict)  # challenge id → current value
    solve_counts: dict[int, int] = field(default_factory=dict)  # challenge id → counted solves
    series: tuple[scoring.ScoreSeries, ...] = ()

    @property
    def frozen(self) -> bool:
        return self.cut_off is not None


def _key(event_id: int, view: str) -> str:
    return f"ctf:standings:{event_id}:{view}"


def _version_key(event_id: int) -> str:
    return f"ctf:standings-version:{event_id}"


def _rule(challenge: Challenge) -> scoring.ValueRule:
    function = challenge.function if scoring.is_value_function(challenge.function) else "static"
    return scoring.ValueRule(
        function=function, initial=challenge.value, minimum=challenge.minimum or 0, decay=challenge.decay or 0
    )


def compute(event: Event, *, view: str, now: datetime | None = None, version: int = 0) -> Snapshot:
    """Build a snapshot from the database: five queries, whatever the size of the event."""
    now = now or timezone.now()
    schedule = phases.Schedule(starts_at=event.starts_at, ends_at=event.ends_at, freeze_at=event.freeze_at)
    cut_off = phases.public_cutoff(schedule, now) if view == "public" else None
    fields = ("id", "name", "hidden", "banned", "country_bracket", "bracket_id")
    teams = {team.pk: team for team in Team.objects.filter(event=event).only(*fields)}
    excluded = frozenset(team_id for team_id, team in teams.items() if not team.ranked)
    challenges = {challenge.pk: _rule(challenge) for challenge in Challenge.objects.filter(event=event)}
    solves = [
        scoring.SolveRecord(account_id=team_id, challenge_id=challenge_id, time=time)
        for team_id, challenge_id, time in Solve.objects.filter(challenge__event=event).values_list(
            "team_id", "challenge_id", "created_at"
        )
    ]
    awards = [
        scoring.AwardRecord(account_id=team_id, value=value, time=time)
        for team_id, value, time in Award.objects.filter(event=event).values_list("team_id", "value", "created_at")
    ]
    awards += [
        scoring.AwardRecord(account_id=team_id, value=-cost, time=time)
        for team_id, cost, time in HintUnlock.objects.filter(hint__challenge__event=event, cost__gt=0).values_list(
            "team_id", "cost", "created_at"
        )
    ]
    bonuses = list(event.blood_bonuses or [])
    rows = scoring.standings(
        solves=solves, awards=awards, challenges=challenges, excluded=excluded, cut_off=cut_off, blood_bonuses=bonuses
    )
    counted = [s for s in solves if s.account_id not in excluded and (cut_off is None or s.time < cut_off)]
    solves_per_team: dict[int, int] = {}
    for solve in counted:
        solves_per_team[solve.account_id] = solves_per_team.get(solve.account_id, 0) + 1
    entries = tuple(
        Entry(
            position=row.position,
            team_id=row.account_id,
            name=teams[row.account_id].name,
            score=row.score,
            last_score_at=row.last_score_time,
            country_bracket=teams[row.account_id].country_bracket,
            bracket_id=teams[row.account_id].bracket_id,
            solves=solves_per_team.get(row.account_id, 0),
        )
        for row in rows
        if row.account_id in teams
    )
    series = scoring.score_series(
        solves=solves,
        awards=awards,
        challenges=challenges,
        excluded=excluded,
        cut_off=cut_off,
        blood_bonuses=bonuses,
        top=10,
    )
    return Snapshot(
        event_id=event.pk,
        view=view,
        version=version,
        computed_at=now,
        cut_off=cut_off,
        entries=entries,
        values=scoring.challenge_values(challenges=challenges, solves=solves, excluded=excluded, cut_off=cut_off),
        solve_counts=scoring.solve_counts(solves=solves, excluded=excluded, cut_off=cut_off),
        series=tuple(series),
    )


def _refresh(event: Event) -> dict[str, Snapshot]:
    try:
        version = cache.incr(_version_key(event.pk))
    except ValueError:
        cache.add(_version_key(event.pk), 1, timeout=None)
        version = 1
    now = timezone.now()
    snapshots = {view: compute(event, view=view, now=now, version=version) for view in VIEWS}
    cache.set_many({_key(event.pk, view): snapshot for view, snapshot in snapshots.items()}, timeout=CACHE_SECONDS)
    return snapshots


def standings_changed(event_id: int) -> None:
    """Recompute after a committed scoring change, and tell live subscribers."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return
    snapshots = _refresh(event)
    public = snapshots["public"]
    live.publish(f"event:{event_id}:staff", "scoreboard", {"version": snapshots["live"].version})
    if not public.frozen:
        live.publish(f"event:{event_id}:public", "scoreboard", {"version": public.version})


def board_changed(event_id: int) -> None:
    """Challenges were added, changed or released: tell pages to reload their board."""
    live.publish(f"event:{event_id}:public", "board", {})
    live.publish(f"event:{event_id}:staff", "board", {})


def snapshot(event: Event, view: str) -> Snapshot:
    """The stored snapshot for ``view`` (``live`` or ``public``), built once if the cache lost it.

    A stored public snapshot taken before the freeze stays right after it (no solve since), but
    must report itself frozen once the freeze time has passed; it is rebuilt then.
    """
    stored = cache.get(_key(event.pk, view))
    if isinstance(stored, Snapshot):
        if view == "public" and not stored.frozen and event.freeze_at is not None and timezone.now() >= event.freeze_at:
            return _refresh(event)[view]
        return stored
    return _refresh(event)[view]
