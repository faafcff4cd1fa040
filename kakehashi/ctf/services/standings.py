"""Standings are computed once per scoring change and shared by every reader.

A scoring change (solve, award, hint unlock, ban, value or rule change) calls
:func:`standings_changed` after its transaction commits. A background thread of that process then
builds a :class:`Snapshot` for the live (organisers') view and for the public view (frozen at the
freeze time) from one load of the event, stores both in the shared cache, and announces the change
to live subscribers; changes that arrive meanwhile are coalesced into the next recomputation.
Readers never recompute: they take the stored snapshot, and build it only when the cache has none
(first read, cache restart). A wrong flag changes nothing here.
"""

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.utils import timezone

from kakehashi.core import live
from kakehashi.ctf import phases, scoring
from kakehashi.ctf.choices import ChallengeState
from kakehashi.ctf.models import Award, Challenge, Event, HintUnlock, Solve, Team

logger = logging.getLogger(__name__)

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
    bloods: dict[int, tuple[int, ...]] = field(default_factory=dict)  # challenge id → first three teams

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


@dataclass(frozen=True)
class _Facts:
    """Everything the standings of one event are computed from: five queries, whatever its size."""

    teams: dict[int, Team]
    excluded: frozenset[int]
    challenges: dict[int, scoring.ValueRule]
    hidden: frozenset[int]  # hidden challenges: their solves are not counted in a public ``solves``
    solves: list[scoring.SolveRecord]
    awards: list[scoring.AwardRecord]


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
    challenge_rows = list(Challenge.objects.filter(event=event))
    return _Facts(
        teams=teams,
        excluded=frozenset(team_id for team_id, team in teams.items() if not team.ranked),
        challenges={challenge.pk: _rule(challenge) for challenge in challenge_rows},
        hidden=frozenset(challenge.pk for challenge in challenge_rows if challenge.state == ChallengeState.HIDDEN),
        solves=solves,
        awards=awards,
    )


def _solves_per_team(facts: _Facts, *, cut_off: datetime | None, public: bool) -> dict[int, int]:
    """Counted solves per team; the public's count leaves out hidden challenges, as its solve counts do."""
    per_team: dict[int, int] = {}
    for solve in facts.solves:
        if solve.account_id in facts.excluded or (cut_off is not None and solve.time >= cut_off):
            continue
        if public and solve.challenge_id in facts.hidden:
            continue
        per_team[solve.account_id] = per_team.get(solve.account_id, 0) + 1
    return per_team


def _build(
    event: Event, facts: _Facts, *, view: str, cut_off: datetime | None, now: datetime, version: int
) -> Snapshot:
    rows, series = scoring.standings_with_series(
        solves=facts.solves,
        awards=facts.awards,
        challenges=facts.challenges,
        excluded=facts.excluded,
        cut_off=cut_off,
        blood_bonuses=list(event.blood_bonuses or []),
        top=10,
    )
    counts = scoring.solve_counts(solves=facts.solves, excluded=facts.excluded, cut_off=cut_off)
    solves_per_team = _solves_per_team(facts, cut_off=cut_off, public=view == "public")
    bloods: dict[int, list[int]] = {}
    counted = [s for s in facts.solves if s.account_id not in facts.excluded and (cut_off is None or s.time < cut_off)]
    for solve in sorted(counted, key=lambda s: (s.time, s.account_id)):
        first = bloods.setdefault(solve.challenge_id, [])
        if len(first) < 3:
            first.append(solve.account_id)
    teams = facts.teams
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
    return Snapshot(
        event_id=event.pk,
        view=view,
        version=version,
        computed_at=now,
        cut_off=cut_off,
        entries=entries,
        values={cid: rule.value(counts.get(cid, 0)) for cid, rule in facts.challenges.items()},
        solve_counts=counts,
        series=tuple(series),
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
        if public_cut is None:
            live_view = snapshots["live"]
            public_solves = _solves_per_team(facts, cut_off=None, public=True)
            entries = tuple(replace(entry, solves=public_solves.get(entry.team_id, 0)) for entry in live_view.entries)
            snapshots["public"] = replace(live_view, view="public", entries=entries)
        else:
            snapshots["public"] = _build(event, facts, view="public", cut_off=public_cut, now=now, version=version)
    return {view: snapshots[view] for view in views}


def _refresh(event: Event) -> dict[str, Snapshot]:
    try:
        version = cache.incr(_version_key(event.pk))
    except ValueError:
        cache.add(_version_key(event.pk), 1, timeout=None)
        version = 1
    snapshots = _compute_views(event, now=timezone.now(), version=version)
    cache.set_many({_key(event.pk, view): snapshot for view, snapshot in snapshots.items()}, timeout=CACHE_SECONDS)
    return snapshots


def refresh_now(event_id: int) -> None:
    """Recompute and store both views, and tell live subscribers."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return
    snapshots = _refresh(event)
    public = snapshots["public"]
    live.publish(f"event:{event_id}:staff", "scoreboard", {"version": snapshots["live"].version})
    if not public.frozen:
        live.publish(f"event:{event_id}:public", "scoreboard", {"version": public.version})


class _Refresher:
    """Recomputes standings in a background thread of this process, so that the request that
    caused a scoring change answers at once. Changes arriving during a recomputation are
    coalesced into the next one: a burst of solves costs one or two recomputations, not one each."""

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
                    refresh_now(event_id)
                except Exception:  # a failed refresh must not stop later ones; readers rebuild on a miss
                    logger.exception("standings refresh failed for event %s", event_id)
                    cache.delete_many([_key(event_id, view) for view in VIEWS])
                finally:
                    close_old_connections()

    def pending(self) -> bool:
        with self._lock:
            return bool(self._pending)


refresher = _Refresher()


def standings_changed(event_id: int) -> None:
    """Call after a committed scoring change. Recomputes in the background, or at once when the
    ``KAKEHASHI_STANDINGS_IN_BACKGROUND`` setting is off (tests, one-off commands)."""
    if getattr(settings, "STANDINGS_IN_BACKGROUND", True):
        refresher.request(event_id)
    else:
        refresh_now(event_id)


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
