"""Challenge values, blood bonuses, standings and score-over-time. Pure: plain values in, plain values out.

The rules follow CTFd 3.x so that imported events rank the same, with one deliberate difference:

- Values are computed the way CTFd computes them, in floating point with the same order of
  operations, so that even its rounding quirks (initial 100, minimum 50, decay 17 gives 51 to the
  18th solve, where exact arithmetic would give 50) come out identical and imported events keep
  their standings to the point.
- A cut-off (the public view during a freeze) freezes the dynamic values too: they are computed from
  the solves before the cut-off only. CTFd hides later solves but lets values keep falling with them
  (CTFd issue #2320), which leaks the hidden solves and moves the public scores.

Definitions used throughout:

- An *account* is whatever holds a score: a team, or a user in individual events.
- *Excluded* accounts (hidden or banned) do not count anywhere: their solves neither lower dynamic
  values nor take blood places, and they have no standings row.
- A *cut-off* keeps only events whose time is strictly before it (`time < cut_off`). ``None`` keeps
  everything: the organisers' live view.
- Every counted solve scores the challenge's value as of the cut-off (CTFd is retroactive: earlier
  solvers lose points as a dynamic value falls), plus the blood bonus of its place.
- A solve worth 0 points in total and an award of 0 are ignored entirely: they add no row and do not
  move the time an account last scored. Negative awards (hint costs) count and do move it.
- Standings order: score descending, then the time the account last scored (earlier first), then
  account id ascending. Accounts without a counted event have no row.

Datetimes should be aware (UTC); mixing naive and aware ones raises ``TypeError``.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeGuard

ValueFunction = Literal["static", "linear", "logarithmic"]
VALUE_FUNCTIONS: tuple[ValueFunction, ...] = ("static", "linear", "logarithmic")


@dataclass(frozen=True)
class ValueRule:
    """How a challenge's value follows its solve count. ``initial`` is the fixed value of a static one."""

    function: ValueFunction
    initial: int
    minimum: int = 0
    decay: int = 0

    def value(self, solves: int) -> int:
        return dynamic_value(
            function=self.function, initial=self.initial, minimum=self.minimum, decay=self.decay, solves=solves
        )


@dataclass(frozen=True)
class SolveRecord:
    account_id: int
    challenge_id: int
    time: datetime


@dataclass(frozen=True)
class AwardRecord:
    """Points given or taken outside challenges: a manual award, or a hint's cost as a negative value."""

    account_id: int
    value: int
    time: datetime


@dataclass(frozen=True)
class StandingsRow:
    position: int  # 1-based, never shared: the tie-breaks always separate accounts
    account_id: int
    score: int
    last_score_time: datetime


@dataclass(frozen=True)
class ScoreSeries:
    """An account's cumulative score after each moment it scored, in time order (times are distinct)."""

    account_id: int
    points: tuple[tuple[datetime, int], ...]


def is_value_function(name: str) -> TypeGuard[ValueFunction]:
    return name in VALUE_FUNCTIONS


def static_value(value: int) -> int:
    """A static challenge is worth its value whatever the number of solves."""
    return value


def dynamic_value(*, function: ValueFunction, initial: int, minimum: int, decay: int, solves: int) -> int:
    """The value of a challenge solved ``solves`` times by counted accounts, as CTFd defines it.

    With ``x = max(solves - 1, 0)`` (the first solver gets the full value):

    - ``logarithmic``: ``ceil((minimum - initial) / decay² · x² + initial)``, a parabola that reaches
      ``minimum`` at ``solves = decay + 1``; a decay of 0 is treated as 1.
    - ``linear``: ``ceil(initial - decay · x)``.
    - ``static``: ``initial``; ``minimum`` and ``decay`` are not used.

    Both decaying functions are clamped to at least ``minimum``. The arithmetic is CTFd's own, in
    floating point with the same order of operations, so results agree with CTFd to the point.
    """
    if solves < 0 or decay < 0:
        raise ValueError("solves and decay cannot be negative")
    x = max(solves - 1, 0)
    if function == "static":
        return static_value(initial)
    if function == "linear":
        value = math.ceil(initial - (decay * x))
    elif function == "logarithmic":
        value = math.ceil((((minimum - initial) / (max(decay, 1) ** 2)) * (x**2)) + initial)
    else:
        raise ValueError(f"unknown value function: {function!r}")
    return max(value, minimum)


def blood_bonus(place: int, bonuses: Sequence[int] = ()) -> int:
    """The bonus for the ``place``-th counted solver of a challenge (1 = first blood); 0 past the list."""
    if place < 1:
        raise ValueError("places start at 1")
    return bonuses[place - 1] if place <= len(bonuses) else 0


def is_frozen(*, freeze_at: datetime | None, now: datetime) -> bool:
    """Whether the public view is frozen: a freeze is set and its instant has come (``now >= freeze_at``)."""
    return freeze_at is not None and now >= freeze_at


def view_cut_off(*, freeze_at: datetime | None, now: datetime, live: bool) -> datetime | None:
    """The cut-off for a view: none for the organisers' live view or before the freeze, else the freeze.

    The freeze stays in force until the organisers clear ``freeze_at`` (also after the event ends).
    """
    if live or not is_frozen(freeze_at=freeze_at, now=now):
        return None
    return freeze_at


def solve_counts(
    *, solves: Iterable[SolveRecord], excluded: Set[int] = frozenset(), cut_off: datetime | None = None
) -> dict[int, int]:
    """Solves per challenge id by accounts not excluded, before the cut-off. Unsolved challenges are absent."""
    counts: dict[int, int] = defaultdict(int)
    for solve in _counted_solves(solves, excluded, cut_off):
        counts[solve.challenge_id] += 1
    return dict(counts)


def challenge_values(
    *,
    challenges: Mapping[int, ValueRule],
    solves: Iterable[SolveRecord],
    excluded: Set[int] = frozenset(),
    cut_off: datetime | None = None,
) -> dict[int, int]:
    """The value of every challenge as of the cut-off, from the solve counts of :func:`solve_counts`."""
    counts = solve_counts(solves=solves, excluded=excluded, cut_off=cut_off)
    return {challenge_id: rule.value(counts.get(challenge_id, 0)) for challenge_id, rule in challenges.items()}


def standings(
    *,
    solves: Iterable[SolveRecord],
    awards: Iterable[AwardRecord],
    challenges: Mapping[int, ValueRule],
    excluded: Set[int] = frozenset(),
    cut_off: datetime | None = None,
    blood_bonuses: Sequence[int] = (),
) -> list[StandingsRow]:
    """Ranked rows as of the cut-off, values included (see the module docstring for every rule).

    Every solved challenge must be in ``challenges``; each account may solve a challenge once.
    ``blood_bonuses`` are added here, from the solve order of counted accounts, so do not also store
    them as awards.
    """
    return _rank(
        _ledger(
            solves=solves,
            awards=awards,
            challenges=challenges,
            excluded=excluded,
            cut_off=cut_off,
            blood_bonuses=blood_bonuses,
        )
    )


def score_series(
    *,
    solves: Iterable[SolveRecord],
    awards: Iterable[AwardRecord],
    challenges: Mapping[int, ValueRule],
    excluded: Set[int] = frozenset(),
    cut_off: datetime | None = None,
    blood_bonuses: Sequence[int] = (),
    top: int = 10,
) -> list[ScoreSeries]:
    """Score over time for the first ``top`` accounts of :func:`standings`, in standings order.

    Built from the same events and values as the standings, so each series ends at the account's
    score and last-score time. Events at the same instant form one point. Values are those as of the
    cut-off for every point (retroactive, as on the board), not the values at each point's time.
    """
    return standings_with_series(
        solves=solves,
        awards=awards,
        challenges=challenges,
        excluded=excluded,
        cut_off=cut_off,
        blood_bonuses=blood_bonuses,
        top=top,
    )[1]


def standings_with_series(
    *,
    solves: Iterable[SolveRecord],
    awards: Iterable[AwardRecord],
    challenges: Mapping[int, ValueRule],
    excluded: Set[int] = frozenset(),
    cut_off: datetime | None = None,
    blood_bonuses: Sequence[int] = (),
    top: int = 10,
) -> tuple[list[StandingsRow], list[ScoreSeries]]:
    """:func:`standings` and :func:`score_series` from one pass over the events."""
    ledger = _ledger(
        solves=solves,
        awards=awards,
        challenges=challenges,
        excluded=excluded,
        cut_off=cut_off,
        blood_bonuses=blood_bonuses,
    )
    rows = _rank(ledger)
    series: list[ScoreSeries] = []
    for row in rows[: max(top, 0)]:
        points: list[tuple[datetime, int]] = []
        running = 0
        for time, value in ledger[row.account_id]:
            running += value
            if points and points[-1][0] == time:
                points[-1] = (time, running)
            else:
                points.append((time, running))
        series.append(ScoreSeries(account_id=row.account_id, points=tuple(points)))
    return rows, series


def _rank(ledger: Mapping[int, Sequence[tuple[datetime, int]]]) -> list[StandingsRow]:
    totals = [(sum(points for _, points in events), events[-1][0], account_id) for account_id, events in ledger.items()]
    totals.sort(key=lambda total: (-total[0], total[1], total[2]))
    return [
        StandingsRow(position=index, account_id=account_id, score=score, last_score_time=last)
        for index, (score, last, account_id) in enumerate(totals, start=1)
    ]


def _before(time: datetime, cut_off: datetime | None) -> bool:
    return cut_off is None or time < cut_off


def _counted_solves(solves: Iterable[SolveRecord], excluded: Set[int], cut_off: datetime | None) -> list[SolveRecord]:
    """Solves that count, in solve order (time, then account id for simultaneous solves)."""
    counted: list[SolveRecord] = []
    seen: set[tuple[int, int]] = set()
    for solve in solves:
        key = (solve.account_id, solve.challenge_id)
        if key in seen:
            raise ValueError(f"account {solve.account_id} solved challenge {solve.challenge_id} twice")
        seen.add(key)
        if solve.account_id not in excluded and _before(solve.time, cut_off):
            counted.append(solve)
    counted.sort(key=lambda solve: (solve.time, solve.account_id))
    return counted


def _ledger(
    *,
    solves: Iterable[SolveRecord],
    awards: Iterable[AwardRecord],
    challenges: Mapping[int, ValueRule],
    excluded: Set[int],
    cut_off: datetime | None,
    blood_bonuses: Sequence[int],
) -> dict[int, list[tuple[datetime, int]]]:
    """Each account's non-zero scoring events as (time, points), in time order."""
    counted = _counted_solves(solves, excluded, cut_off)
    unknown = {solve.challenge_id for solve in counted} - challenges.keys()
    if unknown:
        raise ValueError(f"solves of challenges without a value rule: {sorted(unknown)}")
    values = challenge_values(challenges=challenges, solves=counted)
    places: dict[int, int] = defaultdict(int)
    ledger: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for solve in counted:
        places[solve.challenge_id] += 1
        points = values[solve.challenge_id] + blood_bonus(places[solve.challenge_id], blood_bonuses)
        if points:
            ledger[solve.account_id].append((solve.time, points))
    for award in awards:
        if award.value and award.account_id not in excluded and _before(award.time, cut_off):
            ledger[award.account_id].append((award.time, award.value))
    for events in ledger.values():
        events.sort(key=lambda event: event[0])
    return dict(ledger)
