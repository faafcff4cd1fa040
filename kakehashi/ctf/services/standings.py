"""Standings are updated once per scoring change and shared by every reader, in every process.

A scoring change calls :func:`standings_changed` after its transaction commits, saying what kind
of change it was:

- ``append``: new solves, awards or paid hint unlocks. The process that refreshes keeps the event in
  memory (an :class:`~kakehashi.ctf.tally.Tally`) and reads only the rows added since its last
  refresh, so a refresh costs milliseconds whatever the size of the event.
- ``teams``: team names, brackets, bans or visibility changed. Teams are read again; a change of who
  is ranked re-tallies from memory.
- ``full`` (the default): anything else (a deleted award, a value rule, an import). Every process's
  memory of the event is dropped and the next refresh reads the event again.

Refreshes are serialised across processes by a lock in the shared cache, and coalesced: a change
that arrives while another process refreshes marks the event dirty, and the lock holder refreshes
once more before letting go (at most once per ``STANDINGS_MIN_INTERVAL`` seconds). Each refresh
stores a :class:`Snapshot` of the live (organisers') view and of the public view (frozen at the
freeze time) in the shared cache with a new version, and announces it to live subscribers.

Readers never recompute: they check the stored version (one small cache read) and keep the snapshot
of that version in process memory, so a snapshot is fetched and unpickled once per change per
process. Only when the cache has none (first read, cache restart) is it built. A wrong flag changes
nothing here.
"""

import logging
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Literal, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.db.models import QuerySet
from django.utils import timezone

from kakehashi.core import live
from kakehashi.ctf import phases, scoring
from kakehashi.ctf.choices import ChallengeState
from kakehashi.ctf.models import Award, Challenge, Event, HintUnlock, Solve, Team
from kakehashi.ctf.tally import Tally

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 60 * 60
VIEWS = ("live", "public")
LOCK_SECONDS = 15  # a refresh holding the lock longer than this (a dead process) loses it
GAP_SECONDS = 120  # how long a missing row id is looked for again (a transaction still open)
Change = Literal["append", "teams", "full"]


class Entry(NamedTuple):
    """One row of the standings. A named tuple: thousands are built and pickled per refresh."""

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
    # Entries and series are kept as plain tuples with times as integer microseconds: pickling
    # thousands of aware datetimes or objects is twenty times slower, and every refresh pickles.
    rows: tuple[tuple[Any, ...], ...]
    values: dict[int, int] = field(default_factory=dict)  # challenge id → current value
    solve_counts: dict[int, int] = field(default_factory=dict)  # challenge id → counted solves
    series_rows: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = ()
    bloods: dict[int, tuple[int, ...]] = field(default_factory=dict)  # challenge id → first three teams

    @property
    def frozen(self) -> bool:
        return self.cut_off is not None

    @cached_property
    def entries(self) -> tuple[Entry, ...]:
        """The standings rows, made once per snapshot in each process that reads them."""
        return tuple(
            Entry(position, team_id, name, score, _time(last), country, bracket_id, solves)
            for position, (team_id, name, score, last, country, bracket_id, solves) in enumerate(self.rows, start=1)
        )

    @cached_property
    def series(self) -> tuple[scoring.ScoreSeries, ...]:
        """Score over time of the first ten, made once per snapshot in each process that reads them."""
        return tuple(
            scoring.ScoreSeries(account_id=account_id, points=tuple((_time(at), score) for at, score in points))
            for account_id, points in self.series_rows
        )

    @cached_property
    def scores(self) -> dict[int, int]:
        """Each ranked team's points, by team id."""
        return {row[0]: row[2] for row in self.rows}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for made in ("entries", "series", "scores"):  # made again on demand, never stored
            state.pop(made, None)
        return state


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def _time(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def _series_rows(series: list[scoring.ScoreSeries]) -> tuple[tuple[int, tuple[tuple[int, int], ...]], ...]:
    return tuple((s.account_id, tuple((_micros(at), score) for at, score in s.points)) for s in series)


@dataclass(frozen=True)
class _SameAsLive:
    """Stored for the public view when it is the live one (no freeze): saves pickling it twice."""

    version: int


def _key(event_id: int, view: str) -> str:
    return f"ctf:standings:{event_id}:{view}"


def _version_key(event_id: int) -> str:
    return f"ctf:standings-version:{event_id}"


def _stamp_key(event_id: int, view: str) -> str:
    return f"ctf:standings-stamp:{event_id}:{view}"


def _generation_key(event_id: int) -> str:
    return f"ctf:standings-generation:{event_id}"


def _teams_key(event_id: int) -> str:
    return f"ctf:standings-teams:{event_id}"


def _dirty_key(event_id: int) -> str:
    return f"ctf:standings-dirty:{event_id}"


def _lock_key(event_id: int) -> str:
    return f"ctf:standings-lock:{event_id}"


def _rule(challenge: Challenge) -> scoring.ValueRule:
    function = challenge.function if scoring.is_value_function(challenge.function) else "static"
    return scoring.ValueRule(
        function=function, initial=challenge.value, minimum=challenge.minimum or 0, decay=challenge.decay or 0
    )


@dataclass(frozen=True)
class _Facts:
    """Everything the standings of one event are computed from: five queries, whatever its size."""

    teams: dict[int, Team]
    excluded: frozenset[int]
    challenges: dict[int, scoring.ValueRule]
    solves: list[scoring.SolveRecord]
    awards: list[scoring.AwardRecord]
    hidden: frozenset[int] = frozenset()  # hidden challenges: left out of the public view entirely

    def public_solves(self) -> list[scoring.SolveRecord]:
        """Solves the public view counts: none of a hidden challenge (its points, count, bloods)."""
        if not self.hidden:
            return self.solves
        return [solve for solve in self.solves if solve.challenge_id not in self.hidden]


def _load_challenges(event: Event) -> tuple[dict[int, scoring.ValueRule], frozenset[int]]:
    """Each challenge's value rule, and which challenges are hidden (one query)."""
    rows = list(Challenge.objects.filter(event=event).only("id", "function", "value", "minimum", "decay", "state"))
    hidden = frozenset(challenge.pk for challenge in rows if challenge.state == ChallengeState.HIDDEN)
    return {challenge.pk: _rule(challenge) for challenge in rows}, hidden


def _load(event: Event) -> _Facts:
    fields = ("id", "name", "hidden", "banned", "country_bracket", "bracket_id")
    teams = {team.pk: team for team in Team.objects.filter(event=event).only(*fields)}
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
    rules, hidden = _load_challenges(event)
    return _Facts(
        teams=teams,
        excluded=frozenset(team_id for team_id, team in teams.items() if not team.ranked),
        challenges=rules,
        solves=solves,
        awards=awards,
        hidden=hidden,
    )


def _team_facts(teams: dict[int, Team]) -> dict[int, tuple[str, str, int | None]]:
    """What a standings row shows of each team, as plain values (model attributes are slow to read)."""
    return {team_id: (team.name, team.country_bracket, team.bracket_id) for team_id, team in teams.items()}


def _rows(
    ranked: list[tuple[int, datetime, int]],
    teams: dict[int, tuple[str, str, int | None]],
    solves_per_team: dict[int, int],
    made: dict[int, tuple[Any, ...]] | None = None,
    changed: set[int] | None = None,
) -> tuple[tuple[Any, ...], ...]:
    """Standings rows in ranking order (``ranked`` holds ``(-score, last time, account id)``), as plain
    tuples in :class:`Entry` field order without the position, which is the order itself.

    ``made`` keeps each account's last row, and ``changed`` names the accounts whose row may differ
    since: after a solve most rows are reused as they are.
    """
    made = {} if made is None else made
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    for negative, last, account_id in ranked:
        if changed is not None and account_id not in changed:
            row = made.get(account_id)
            if row is not None:
                append(row)
                continue
        team = teams.get(account_id)
        if team is None:
            continue
        row = (
            account_id,
            team[0],
            -negative,
            (last - EPOCH) // MICROSECOND,
            team[1],
            team[2],
            solves_per_team.get(account_id, 0),
        )
        made[account_id] = row
        append(row)
    return tuple(rows)


def _build(
    event: Event, facts: _Facts, *, view: str, cut_off: datetime | None, now: datetime, version: int
) -> Snapshot:
    solves = facts.public_solves() if view == "public" else facts.solves
    rows, series = scoring.standings_with_series(
        solves=solves,
        awards=facts.awards,
        challenges=facts.challenges,
        excluded=facts.excluded,
        cut_off=cut_off,
        blood_bonuses=list(event.blood_bonuses or []),
        top=10,
    )
    counts = scoring.solve_counts(solves=solves, excluded=facts.excluded, cut_off=cut_off)
    solves_per_team: dict[int, int] = {}
    bloods: dict[int, list[int]] = {}
    counted = [s for s in solves if s.account_id not in facts.excluded and (cut_off is None or s.time < cut_off)]
    for solve in sorted(counted, key=lambda s: (s.time, s.account_id)):
        solves_per_team[solve.account_id] = solves_per_team.get(solve.account_id, 0) + 1
        first = bloods.setdefault(solve.challenge_id, [])
        if len(first) < 3:
            first.append(solve.account_id)
    ranked = [(-row.score, row.last_score_time, row.account_id) for row in rows]
    entries = _rows(ranked, _team_facts(facts.teams), solves_per_team)
    return Snapshot(
        event_id=event.pk,
        view=view,
        version=version,
        computed_at=now,
        cut_off=cut_off,
        rows=entries,
        values={cid: rule.value(counts.get(cid, 0)) for cid, rule in facts.challenges.items()},
        solve_counts=counts,
        series_rows=_series_rows(series),
        bloods={challenge_id: tuple(teams) for challenge_id, teams in bloods.items()},
    )


def compute(event: Event, *, view: str, now: datetime | None = None, version: int = 0) -> Snapshot:
    """One view's snapshot, built from the database."""
    now = now or timezone.now()
    return _compute_views(event, now=now, version=version, views=(view,))[view]


def _compute_views(event: Event, *, now: datetime, version: int, views: tuple[str, ...] = VIEWS) -> dict[str, Snapshot]:
    """Both views from one load; while no freeze applies they are the same and built once."""
    facts = _load(event)
    schedule = phases.Schedule(starts_at=event.starts_at, ends_at=event.ends_at, freeze_at=event.freeze_at)
    public_cut = phases.public_cutoff(schedule, now)
    snapshots: dict[str, Snapshot] = {}
    if "live" in views or public_cut is None:
        live_view = _build(event, facts, view="live", cut_off=None, now=now, version=version)
        snapshots["live"] = live_view
    if "public" in views:
        if public_cut is None and len(facts.public_solves()) == len(facts.solves):
            snapshots["public"] = replace(snapshots["live"], view="public")
        else:
            snapshots["public"] = _build(event, facts, view="public", cut_off=public_cut, now=now, version=version)
    return {view: snapshots[view] for view in views}


# -- the event in memory ---------------------------------------------------------------------------


@dataclass
class _Mark:
    """How far one table has been read: every id up to ``high``, except the ``gaps`` (ids handed out
    but not yet seen: a transaction still open, or one rolled back), looked for again for a while."""

    high: int = 0
    gaps: dict[int, float] = field(default_factory=dict)  # id → monotonic time it was first missed

    def read(self, rows: "QuerySet[Any]", *fields: str) -> list[tuple[Any, ...]]:
        """``(id, *fields)`` of the rows past the mark, then of the gaps: two range and key lookups on
        the primary key (one query with ``OR`` would make SQLite scan the table)."""
        found = list(rows.filter(pk__gt=self.high).values_list("id", *fields))
        if self.gaps:
            found += rows.filter(pk__in=sorted(self.gaps)).values_list("id", *fields)
        self.saw([row[0] for row in found])
        return found

    def saw(self, ids: list[int], *, window: int | None = None) -> None:
        now = time.monotonic()
        found = set(ids)
        for pk in found:
            self.gaps.pop(pk, None)
        top = max(found, default=self.high)
        first = self.high + 1 if window is None else max(self.high + 1, top - window)
        if top > self.high:
            self.gaps.update((pk, now) for pk in range(first, top) if pk not in found)
            self.high = top
        for pk in [pk for pk, since in self.gaps.items() if now - since > GAP_SECONDS]:
            del self.gaps[pk]


@dataclass
class _State:
    """One process's memory of an event's scoring, kept current by :func:`_advance`."""

    generation: str
    teams_mark: Any
    teams: dict[int, Team]
    excluded: frozenset[int]
    rules: dict[int, scoring.ValueRule]
    blood_bonuses: tuple[int, ...]
    solves: list[scoring.SolveRecord]
    awards: list[scoring.AwardRecord]
    tally: Tally
    marks: dict[str, _Mark]
    hidden: frozenset[int] = frozenset()
    public_tally: Tally | None = None  # the public view's, once a hidden challenge has a solve
    public: Snapshot | None = None  # the last public view built with a cut-off, while still right
    team_facts: dict[int, tuple[str, str, int | None]] = field(default_factory=dict)
    made_rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # see _rows
    rows: tuple[list[tuple[int, datetime, int]], tuple[tuple[Any, ...], ...]] | None = None  # last ranking → its rows

    @property
    def facts(self) -> _Facts:
        return _Facts(
            teams=self.teams,
            excluded=self.excluded,
            challenges=self.rules,
            solves=self.solves,
            awards=self.awards,
            hidden=self.hidden,
        )


_states: dict[int, _State] = {}
_states_lock = threading.RLock()
TEAM_FIELDS = ("id", "name", "hidden", "banned", "country_bracket", "bracket_id")


def _load_teams(event: Event) -> dict[int, Team]:
    return {team.pk: team for team in Team.objects.filter(event=event).only(*TEAM_FIELDS)}


def _solve_rows(event: Event) -> "QuerySet[Solve]":
    return Solve.objects.filter(challenge__event=event)


def _award_rows(event: Event) -> "QuerySet[Award]":
    return Award.objects.filter(event=event)


def _unlock_rows(event: Event) -> "QuerySet[HintUnlock]":
    return HintUnlock.objects.filter(hint__challenge__event=event)


def _read_new(state: _State, event: Event) -> tuple[list[scoring.SolveRecord], list[scoring.AwardRecord]]:
    """Rows added since the last read (three indexed queries, and three more while ids are missing)."""
    solves_read = state.marks["solve"].read(_solve_rows(event), "team_id", "challenge_id", "created_at")
    awards_read = state.marks["award"].read(_award_rows(event), "team_id", "value", "created_at")
    unlocks_read = state.marks["unlock"].read(_unlock_rows(event), "team_id", "cost", "created_at")
    solves = [scoring.SolveRecord(account_id=t, challenge_id=c, time=at) for _, t, c, at in solves_read]
    awards = [scoring.AwardRecord(account_id=t, value=v, time=at) for _, t, v, at in awards_read]
    awards += [scoring.AwardRecord(account_id=t, value=-cost, time=at) for _, t, cost, at in unlocks_read if cost > 0]
    return solves, awards


def _load_state(event: Event, generation: str, teams_mark: Any) -> _State:
    """Read the whole event (the only time a refresh reads every row)."""
    teams = _load_teams(event)
    rules, hidden = _load_challenges(event)
    excluded = frozenset(team_id for team_id, team in teams.items() if not team.ranked)
    marks = {"solve": _Mark(), "award": _Mark(), "unlock": _Mark()}
    state = _State(
        generation=generation,
        teams_mark=teams_mark,
        teams=teams,
        excluded=excluded,
        rules=rules,
        blood_bonuses=tuple(event.blood_bonuses or ()),
        solves=[],
        awards=[],
        tally=Tally(challenges=rules),
        marks=marks,
        team_facts=_team_facts(teams),
        hidden=hidden,
    )
    solves_read = list(_solve_rows(event).values_list("id", "team_id", "challenge_id", "created_at"))
    awards_read = list(_award_rows(event).values_list("id", "team_id", "value", "created_at"))
    unlocks_read = list(_unlock_rows(event).values_list("id", "team_id", "cost", "created_at"))
    # Ids below the highest seen may still be in open transactions: watch the recent ones.
    marks["solve"].saw([row[0] for row in solves_read], window=1000)
    marks["award"].saw([row[0] for row in awards_read], window=1000)
    marks["unlock"].saw([row[0] for row in unlocks_read], window=1000)
    state.solves = [scoring.SolveRecord(account_id=t, challenge_id=c, time=at) for _, t, c, at in solves_read]
    state.awards = [scoring.AwardRecord(account_id=t, value=v, time=at) for _, t, v, at in awards_read]
    state.awards += [
        scoring.AwardRecord(account_id=t, value=-cost, time=at) for _, t, cost, at in unlocks_read if cost > 0
    ]
    _retally(state)
    return state


def _retally(state: _State) -> None:
    state.tally = Tally.build(
        solves=state.solves,
        awards=state.awards,
        challenges=state.rules,
        excluded=state.excluded,
        blood_bonuses=state.blood_bonuses,
    )
    state.public_tally = None
    if any(solve.challenge_id in state.hidden for solve in state.solves):
        state.public_tally = Tally.build(
            solves=state.facts.public_solves(),
            awards=state.awards,
            challenges=state.rules,
            excluded=state.excluded,
            blood_bonuses=state.blood_bonuses,
        )
    state.rows = None
    state.made_rows = {}
    state.public = None


def _shared_marks(event_id: int) -> tuple[str, Any]:
    """The shared generation (changed by every ``full`` change, and lost with the cache) and teams mark."""
    values = cache.get_many([_generation_key(event_id), _teams_key(event_id)])
    generation = values.get(_generation_key(event_id))
    if generation is None:
        cache.add(_generation_key(event_id), uuid.uuid4().hex, timeout=None)
        generation = cache.get(_generation_key(event_id))
    return str(generation), values.get(_teams_key(event_id))


def _advance(event: Event) -> _State:
    """This process's memory of the event, brought up to date with the database."""
    generation, teams_mark = _shared_marks(event.pk)
    state = _states.get(event.pk)
    if state is None or state.generation != generation or state.blood_bonuses != tuple(event.blood_bonuses or ()):
        state = _states[event.pk] = _load_state(event, generation, teams_mark)
        return state
    if state.teams_mark != teams_mark:
        _reload_teams(state, event)
        state.teams_mark = teams_mark
    solves, awards = _read_new(state, event)
    if any(solve.account_id not in state.teams for solve in solves) or any(
        award.account_id not in state.teams for award in awards
    ):
        _reload_teams(state, event)  # a team made since the last read
    if any(not state.tally.knows(solve.challenge_id) for solve in solves):
        rules, hidden = _load_challenges(event)  # a challenge made since: its rule is new, the others unchanged
        if hidden != state.hidden or any(rules.get(cid) != rule for cid, rule in state.rules.items()):
            state = _states[event.pk] = _load_state(event, generation, teams_mark)
            return state
        state.rules = rules
        _retally(state)
    cut_off = state.public.cut_off if state.public is not None else None
    if state.public_tally is None and any(solve.challenge_id in state.hidden for solve in solves):
        state.public_tally = Tally.build(  # the first solve of a hidden challenge: the views part
            solves=state.facts.public_solves(),
            awards=state.awards,
            challenges=state.rules,
            excluded=state.excluded,
            blood_bonuses=state.blood_bonuses,
        )
    for solve in solves:
        state.solves.append(solve)
        state.tally.add_solve(solve)
        if state.public_tally is not None and solve.challenge_id not in state.hidden:
            state.public_tally.add_solve(solve)
        if cut_off is not None and solve.time < cut_off:
            state.public = None
    for award in awards:
        state.awards.append(award)
        state.tally.add_award(award)
        if state.public_tally is not None:
            state.public_tally.add_award(award)
        if cut_off is not None and award.time < cut_off:
            state.public = None
    return state


def _reload_teams(state: _State, event: Event) -> None:
    state.teams = _load_teams(event)
    state.team_facts = _team_facts(state.teams)
    state.rows = None
    state.made_rows = {}
    excluded = frozenset(team_id for team_id, team in state.teams.items() if not team.ranked)
    if excluded != state.excluded:
        state.excluded = excluded
        _retally(state)
    state.public = None


def _tally_snapshot(
    event: Event,
    state: _State,
    tally: Tally,
    *,
    view: str,
    now: datetime,
    version: int,
    rows: tuple[tuple[Any, ...], ...],
) -> Snapshot:
    return Snapshot(
        event_id=event.pk,
        view=view,
        version=version,
        computed_at=now,
        cut_off=None,
        rows=rows,
        values=tally.values(),
        solve_counts=tally.solve_counts(),
        series_rows=_series_rows(tally.series(10)),
        bloods=tally.bloods(),
    )


def _live_snapshot(event: Event, state: _State, *, now: datetime, version: int) -> Snapshot:
    tally = state.tally
    ranked = tally.ranking()
    if state.rows is None or state.rows[0] is not ranked:  # the ranking or the teams changed since the last refresh
        changed = tally.take_changed()
        state.rows = (ranked, _rows(ranked, state.team_facts, tally.solves_per_account(), state.made_rows, changed))
    return _tally_snapshot(event, state, tally, view="live", now=now, version=version, rows=state.rows[1])


def _snapshots(event: Event, state: _State, *, now: datetime, version: int) -> dict[str, Snapshot]:
    live_view = _live_snapshot(event, state, now=now, version=version)
    schedule = phases.Schedule(starts_at=event.starts_at, ends_at=event.ends_at, freeze_at=event.freeze_at)
    public_cut = phases.public_cutoff(schedule, now)
    if public_cut is None:
        state.public = None
        if state.public_tally is None:
            public = replace(live_view, view="public")
        else:  # hidden challenges have solves: the public view leaves them out
            tally = state.public_tally
            ranked = tally.ranking()
            rows = _rows(ranked, state.team_facts, tally.solves_per_account())
            public = _tally_snapshot(event, state, tally, view="public", now=now, version=version, rows=rows)
    elif state.public is not None and state.public.cut_off == public_cut:
        public = replace(state.public, version=version, computed_at=now)  # nothing before the cut-off moved
    else:
        public = state.public = _build(event, state.facts, view="public", cut_off=public_cut, now=now, version=version)
    return {"live": live_view, "public": public}


def _refresh(event: Event) -> dict[str, Snapshot]:
    """Bring this process's memory of the event up to date, and store both views under a new version."""
    try:
        version = cache.incr(_version_key(event.pk))
    except ValueError:
        cache.add(_version_key(event.pk), 1, timeout=None)
        version = cache.incr(_version_key(event.pk))
    with _states_lock:
        try:
            state = _advance(event)
            snapshots = _snapshots(event, state, now=timezone.now(), version=version)
        except Exception:
            _states.pop(event.pk, None)  # read it all again next time
            raise
        stamp = f"{state.generation}:{version}"
    values: dict[str, Any] = {_key(event.pk, view): snapshot for view, snapshot in snapshots.items()}
    if snapshots["public"].rows is snapshots["live"].rows:
        values[_key(event.pk, "public")] = _SameAsLive(version)
    values |= {_stamp_key(event.pk, view): stamp for view in snapshots}  # after the snapshots: readers check these
    cache.set_many(values, timeout=CACHE_SECONDS)
    with _memo_lock:
        for view, snapshot in snapshots.items():
            _memo[(event.pk, view)] = (stamp, snapshot)
    return snapshots


def forget(event_id: int | None = None) -> None:
    """Drop this process's memory of one event (or all): the next refresh reads it again."""
    with _states_lock, _memo_lock:
        if event_id is None:
            _states.clear()
            _memo.clear()
        else:
            _states.pop(event_id, None)
            for view in VIEWS:
                _memo.pop((event_id, view), None)


def refresh_now(event_id: int) -> None:
    """Update and store both views, and tell live subscribers."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return
    snapshots = _refresh(event)
    public = snapshots["public"]
    live.publish(f"event:{event_id}:staff", "scoreboard", {"version": snapshots["live"].version})
    if not public.frozen:
        live.publish(f"event:{event_id}:public", "scoreboard", {"version": public.version})


def _drain(event_id: int, *, pause: float) -> None:
    """Refresh while the event is dirty, if no other process is doing so (then it will).

    The order matters: a change marks the event dirty *before* trying the lock, and the holder
    looks at the mark again *after* letting go, so no change is left without a refresh.
    """
    token = uuid.uuid4().hex
    while cache.add(_lock_key(event_id), token, timeout=LOCK_SECONDS):
        try:
            while cache.get(_dirty_key(event_id)) is not None:
                cache.delete(_dirty_key(event_id))
                started = time.monotonic()
                refresh_now(event_id)
                cache.touch(_lock_key(event_id), LOCK_SECONDS)
                rest = pause - (time.monotonic() - started)
                if rest > 0:
                    time.sleep(rest)  # later changes wait a little and share one refresh
        finally:
            if cache.get(_lock_key(event_id)) == token:
                cache.delete(_lock_key(event_id))
        if cache.get(_dirty_key(event_id)) is None:
            return


class _Refresher:
    """Refreshes standings in a background thread of this process, so that the request that
    caused a scoring change answers at once. Changes arriving during a refresh are coalesced into
    the next one: a burst of solves costs one or two refreshes, not one each."""

    def __init__(self) -> None:
        self._pending: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def request(self, event_id: int) -> None:
        with self._lock:
            self._pending.add(event_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="kakehashi-standings", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait(timeout=60)
            self._wake.clear()
            with self._lock:
                batch, self._pending = self._pending, set()
            for event_id in sorted(batch):
                try:
                    _drain(event_id, pause=float(getattr(settings, "STANDINGS_MIN_INTERVAL", 0.2)))
                except Exception:  # a failed refresh must not stop later ones; readers rebuild on a miss
                    logger.exception("standings refresh failed for event %s", event_id)
                    cache.delete_many([_key(event_id, view) for view in VIEWS] + [_lock_key(event_id)])
                finally:
                    close_old_connections()

    def pending(self) -> bool:
        with self._lock:
            return bool(self._pending)


refresher = _Refresher()


def standings_changed(event_id: int, *, kind: Change = "full") -> None:
    """Call after a committed scoring change (see the module docstring for ``kind``). Refreshes in
    the background, or at once when the ``KAKEHASHI_STANDINGS_IN_BACKGROUND`` setting is off
    (tests, one-off commands)."""
    if kind == "full":
        cache.set(_generation_key(event_id), uuid.uuid4().hex, timeout=None)
    elif kind == "teams":
        cache.set(_teams_key(event_id), uuid.uuid4().hex, timeout=None)
    cache.set(_dirty_key(event_id), 1, timeout=CACHE_SECONDS)
    if getattr(settings, "STANDINGS_IN_BACKGROUND", True):
        refresher.request(event_id)
    else:
        _drain(event_id, pause=0)


def _board_key(event_id: int) -> str:
    return f"ctf:board-version:{event_id}"


def read_ahead_keys(event_id: int, view: str) -> list[str]:
    """The shared-cache keys :func:`snapshot` and :func:`board_version` read, so that a hot path can
    read them together with its own in one round trip and pass them in as ``known``."""
    return [_stamp_key(event_id, view), _board_key(event_id)]


def board_version(event_id: int, *, known: Mapping[str, Any] | None = None) -> str:
    """Names the current state of the event's challenges (texts, values, states): it changes with
    every :func:`board_changed`, and when the cache is lost. ``known``: keys already read."""
    key = _board_key(event_id)
    version = known.get(key) if known is not None and key in known else cache.get(key)
    if version is None:
        cache.add(_board_key(event_id), uuid.uuid4().hex, timeout=None)
        version = cache.get(_board_key(event_id))
    return str(version)


def board_changed(event_id: int) -> None:
    """Challenges were added, changed or released: prepared boards are stale, pages reload theirs."""
    cache.set(_board_key(event_id), uuid.uuid4().hex, timeout=None)
    live.publish(f"event:{event_id}:public", "board", {})
    live.publish(f"event:{event_id}:staff", "board", {})


_memo: dict[tuple[int, str], tuple[str, Snapshot]] = {}  # (event, view) → (stamp, snapshot) of this process
_memo_lock = threading.Lock()


def snapshot(event: Event, view: str, *, known: Mapping[str, Any] | None = None) -> Snapshot:
    """The stored snapshot for ``view`` (``live`` or ``public``), built once if the cache lost it.

    One small cache read (the stored version's stamp) when this process already holds that
    version. A stored public snapshot taken before the freeze stays right after it (no solve since),
    but must report itself frozen once the freeze time has passed; it is rebuilt then.
    """
    stamp_key = _stamp_key(event.pk, view)
    stamp = known.get(stamp_key) if known is not None and stamp_key in known else cache.get(stamp_key)
    found: Snapshot | None = None
    if stamp is not None:
        held = _memo.get((event.pk, view))
        if held is not None and held[0] == stamp:
            found = held[1]
        else:
            stored = cache.get(_key(event.pk, view))
            if isinstance(stored, _SameAsLive):
                live_view = snapshot(event, "live")
                stored = replace(live_view, view="public") if live_view.version == stored.version else None
            if isinstance(stored, Snapshot):
                found = stored
                with _memo_lock:
                    _memo[(event.pk, view)] = (str(stamp), stored)
    if found is not None:
        if view == "public" and not found.frozen and event.freeze_at is not None and timezone.now() >= event.freeze_at:
            return _refresh(event)[view]
        return found
    return _refresh(event)[view]
