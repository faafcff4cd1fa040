"""Scoring rules against values worked out by hand from CTFd's formulas. No database."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from kakehashi.ctf.scoring import (
    AwardRecord,
    ScoreSeries,
    SolveRecord,
    StandingsRow,
    ValueFunction,
    ValueRule,
    blood_bonus,
    challenge_values,
    dynamic_value,
    is_frozen,
    is_value_function,
    score_series,
    solve_counts,
    standings,
    static_value,
    view_cut_off,
)

START = datetime(2025, 11, 1, 9, 0, tzinfo=UTC)
FREEZE = START + timedelta(minutes=30)
JUST_BEFORE_FREEZE = FREEZE - timedelta(microseconds=1)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def solve(account_id: int, challenge_id: int, time: datetime | int) -> SolveRecord:
    return SolveRecord(
        account_id=account_id, challenge_id=challenge_id, time=at(time) if isinstance(time, int) else time
    )


def award(account_id: int, value: int, time: datetime | int) -> AwardRecord:
    return AwardRecord(account_id=account_id, value=value, time=at(time) if isinstance(time, int) else time)


def rows_as_tuples(rows: Sequence[StandingsRow]) -> list[tuple[int, int, int, datetime]]:
    return [(row.position, row.account_id, row.score, row.last_score_time) for row in rows]


# 4 decays as 500 - x² (x = solves - 1) down to 100; 5 loses 50 per solve after the first, down to 100.
CHALLENGES: dict[int, ValueRule] = {
    1: ValueRule(function="static", initial=100),
    2: ValueRule(function="static", initial=200),
    3: ValueRule(function="static", initial=0),
    4: ValueRule(function="logarithmic", initial=500, minimum=100, decay=20),
    5: ValueRule(function="linear", initial=300, minimum=100, decay=50),
}


# --- values -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(0, 0), (1, 1), (250, 250)])
def test_static_value(value: int, expected: int) -> None:
    assert static_value(value) == expected


LOGARITHMIC_500_100_20 = [
    500, 500, 499, 496, 491, 484, 475, 464, 451, 436, 419, 400, 379,
    356, 331, 304, 275, 244, 211, 176, 139, 100, 100, 100, 100, 100,
]  # fmt: skip


@pytest.mark.parametrize(("solves", "expected"), list(enumerate(LOGARITHMIC_500_100_20)))
def test_logarithmic_500_100_20(solves: int, expected: int) -> None:
    assert dynamic_value(function="logarithmic", initial=500, minimum=100, decay=20, solves=solves) == expected


@pytest.mark.parametrize(
    ("function", "initial", "minimum", "decay", "solves", "expected"),
    [
        # (100 - 10) / 7² = 90/49 per x²; fractions round up.
        ("logarithmic", 100, 10, 7, 1, 100),
        ("logarithmic", 100, 10, 7, 2, 99),  # 98.16
        ("logarithmic", 100, 10, 7, 3, 93),  # 92.65
        ("logarithmic", 100, 10, 7, 4, 84),  # 83.47
        ("logarithmic", 100, 10, 7, 5, 71),  # 70.61
        ("logarithmic", 100, 10, 7, 6, 55),  # 54.08
        ("logarithmic", 100, 10, 7, 7, 34),  # 33.88
        ("logarithmic", 100, 10, 7, 8, 10),  # exactly the minimum at solves = decay + 1
        ("logarithmic", 100, 10, 7, 9, 10),  # -17.55, clamped
        # (50 - 500) / 30² = -1/2 per x².
        ("logarithmic", 500, 50, 30, 2, 500),  # 499.5
        ("logarithmic", 500, 50, 30, 4, 496),  # 495.5
        ("logarithmic", 500, 50, 30, 11, 450),
        ("logarithmic", 500, 50, 30, 31, 50),
        ("logarithmic", 500, 50, 30, 32, 50),  # 19.5, clamped
        # CTFd's floating point overshoots these exact integers; we agree with CTFd, not with arithmetic.
        ("logarithmic", 100, 50, 17, 18, 51),  # exactly 50, 50.000000000000014 in floats
        ("logarithmic", 50, 0, 35, 29, 19),  # exactly 18, 18.000000000000004 in floats
        # A minimum equal to the initial value never moves.
        ("logarithmic", 100, 100, 10, 50, 100),
        # Decay 0 is treated as 1: the first solver gets the initial value, everyone after the minimum.
        ("logarithmic", 500, 100, 0, 0, 500),
        ("logarithmic", 500, 100, 0, 1, 500),
        ("logarithmic", 500, 100, 0, 2, 100),
        ("logarithmic", 500, 100, 0, 3, 100),
        # Linear: 300 - 50·x, at least 100.
        ("linear", 300, 100, 50, 0, 300),
        ("linear", 300, 100, 50, 1, 300),
        ("linear", 300, 100, 50, 2, 250),
        ("linear", 300, 100, 50, 3, 200),
        ("linear", 300, 100, 50, 4, 150),
        ("linear", 300, 100, 50, 5, 100),
        ("linear", 300, 100, 50, 6, 100),  # 50, clamped
        ("linear", 300, 100, 50, 100, 100),
        ("linear", 500, 0, 7, 30, 297),  # 500 - 7·29
        ("linear", 500, 100, 0, 50, 500),  # linear decay 0 never falls
        # Static ignores the decay parameters.
        ("static", 123, 0, 0, 99, 123),
        ("static", 123, 100, 5, 99, 123),
    ],
)
def test_dynamic_value(
    *, function: ValueFunction, initial: int, minimum: int, decay: int, solves: int, expected: int
) -> None:
    assert dynamic_value(function=function, initial=initial, minimum=minimum, decay=decay, solves=solves) == expected


@pytest.mark.parametrize(
    ("function", "decay", "solves"),
    [("logarithmic", 10, -1), ("linear", -1, 3), ("logarithmic", -2, 3), (cast(Any, "exponential"), 10, 3)],
)
def test_dynamic_value_rejects_bad_input(function: ValueFunction, decay: int, solves: int) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  (any message; the point is that it refuses)
        dynamic_value(function=function, initial=500, minimum=100, decay=decay, solves=solves)


@pytest.mark.parametrize(("rule", "solves", "expected"), [(CHALLENGES[4], 5, 484), (CHALLENGES[5], 3, 200)])
def test_value_rule(rule: ValueRule, solves: int, expected: int) -> None:
    assert rule.value(solves) == expected


@pytest.mark.parametrize(
    ("name", "expected"), [("static", True), ("linear", True), ("logarithmic", True), ("exponential", False)]
)
def test_is_value_function(name: str, expected: bool) -> None:
    assert is_value_function(name) is expected


# --- blood bonuses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "bonuses", "expected"),
    [
        (1, (), 0),
        (1, (50, 30, 10), 50),
        (2, (50, 30, 10), 30),
        (3, (50, 30, 10), 10),
        (4, (50, 30, 10), 0),
        (1, (25,), 25),
        (2, (25,), 0),
    ],
)
def test_blood_bonus(place: int, bonuses: tuple[int, ...], expected: int) -> None:
    assert blood_bonus(place, bonuses) == expected


def test_blood_bonus_places_start_at_one() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        blood_bonus(0, (50,))


# --- freeze -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("freeze_at", "now", "expected"),
    [
        (None, at(60), False),
        (FREEZE, JUST_BEFORE_FREEZE, False),
        (FREEZE, FREEZE, True),
        (FREEZE, at(600), True),
    ],
)
def test_is_frozen(freeze_at: datetime | None, now: datetime, expected: bool) -> None:
    assert is_frozen(freeze_at=freeze_at, now=now) is expected


@pytest.mark.parametrize(
    ("freeze_at", "now", "live", "expected"),
    [
        (None, at(60), False, None),
        (FREEZE, JUST_BEFORE_FREEZE, False, None),
        (FREEZE, FREEZE, False, FREEZE),
        (FREEZE, at(600), False, FREEZE),
        (FREEZE, at(600), True, None),
    ],
)
def test_view_cut_off(freeze_at: datetime | None, now: datetime, live: bool, expected: datetime | None) -> None:
    assert view_cut_off(freeze_at=freeze_at, now=now, live=live) == expected


# Solves of challenge 4 around a freeze at minute 30: three before it, one exactly at it, one after.
FREEZE_SOLVES = [
    solve(10, 4, 10),
    solve(20, 4, 20),
    solve(30, 4, JUST_BEFORE_FREEZE),
    solve(40, 4, FREEZE),
    solve(50, 4, 45),
]
FREEZE_AWARDS = [award(20, 50, FREEZE), award(30, 7, JUST_BEFORE_FREEZE)]


@pytest.mark.parametrize(
    ("excluded", "cut_off", "expected"),
    [
        (frozenset(), None, {4: 5}),
        (frozenset(), FREEZE, {4: 3}),  # the solve exactly at the freeze is after the cut
        (frozenset({30}), FREEZE, {4: 2}),
        (frozenset({10, 20, 30}), FREEZE, {}),
        (frozenset({50}), None, {4: 4}),
    ],
)
def test_solve_counts(excluded: frozenset[int], cut_off: datetime | None, expected: dict[int, int]) -> None:
    assert solve_counts(solves=FREEZE_SOLVES, excluded=excluded, cut_off=cut_off) == expected


@pytest.mark.parametrize(
    ("cut_off", "expected_value"),
    [(None, 484), (FREEZE, 496)],  # 500 - 4² live; 500 - 2² as the public saw it at the freeze
)
def test_challenge_values_follow_the_cut_off(cut_off: datetime | None, expected_value: int) -> None:
    values = challenge_values(challenges=CHALLENGES, solves=FREEZE_SOLVES, cut_off=cut_off)
    assert values == {1: 100, 2: 200, 3: 0, 4: expected_value, 5: 300}


@pytest.mark.parametrize(
    ("cut_off", "expected"),
    [
        # Public view: solves and awards at or after the freeze are hidden, and so is their effect on
        # the value (CTFd would show 484 + 7 for account 30 here, see CTFd issue #2320).
        (
            FREEZE,
            [
                (1, 30, 503, JUST_BEFORE_FREEZE),
                (2, 10, 496, at(10)),
                (3, 20, 496, at(20)),
            ],
        ),
        # Organisers' live view: everything, with the value after five solves.
        (
            None,
            [
                (1, 20, 534, FREEZE),
                (2, 30, 491, JUST_BEFORE_FREEZE),
                (3, 10, 484, at(10)),
                (4, 40, 484, FREEZE),
                (5, 50, 484, at(45)),
            ],
        ),
    ],
)
def test_standings_freeze(cut_off: datetime | None, expected: list[tuple[int, int, int, datetime]]) -> None:
    rows = standings(solves=FREEZE_SOLVES, awards=FREEZE_AWARDS, challenges=CHALLENGES, cut_off=cut_off)
    assert rows_as_tuples(rows) == expected


# --- standings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("solves", "awards", "excluded", "expected"),
    [
        pytest.param(
            [solve(10, 2, 5), solve(20, 1, 6), solve(30, 2, 5), solve(40, 1, 9), solve(40, 2, 8), solve(50, 1, 3)],
            [award(20, 100, 1)],
            frozenset(),
            [(1, 40, 300, at(9)), (2, 10, 200, at(5)), (3, 30, 200, at(5)), (4, 20, 200, at(6)), (5, 50, 100, at(3))],
            id="score-then-earlier-last-score-then-account-id",
        ),
        pytest.param(
            [solve(10, 1, 1), solve(10, 3, 6), solve(20, 1, 4), solve(30, 3, 2)],
            [award(40, 0, 1), award(20, 0, 9)],
            frozenset(),
            [(1, 10, 100, at(1)), (2, 20, 100, at(4))],
            id="zero-value-challenges-and-zero-awards-ignored-also-for-the-tie-break",
        ),
        pytest.param(
            [solve(99, 4, 1), solve(10, 4, 2), solve(20, 4, 3), solve(98, 1, 0)],
            [award(99, 1000, 1)],
            frozenset({98, 99}),
            [(1, 10, 499, at(2)), (2, 20, 499, at(3))],  # two counted solves: 500 - 1²
            id="hidden-and-banned-accounts-neither-rank-nor-lower-values",
        ),
        pytest.param(
            [solve(10, 1, 1), solve(20, 1, 2), solve(30, 1, 0)],
            [award(10, -25, 3), award(30, -25, 4), award(40, -10, 1)],
            frozenset(),
            [(1, 20, 100, at(2)), (2, 10, 75, at(3)), (3, 30, 75, at(4)), (4, 40, -10, at(1))],
            id="hint-costs-are-negative-awards-and-move-the-last-score-time",
        ),
        pytest.param(
            [solve(40, 4, 4), solve(30, 4, 3), solve(20, 4, 2), solve(10, 4, 1), solve(10, 5, 6)],
            [],
            frozenset(),
            [(1, 10, 791, at(6)), (2, 20, 491, at(2)), (3, 30, 491, at(3)), (4, 40, 491, at(4))],
            id="dynamic-values-are-retroactive",
        ),
        pytest.param(
            [solve(account, 5, account) for account in (1, 2, 3, 4, 5, 6)],
            [],
            frozenset(),
            [(position, position, 100, at(position)) for position in (1, 2, 3, 4, 5, 6)],  # 300 - 50·5, clamped
            id="linear-value-clamped-for-everyone",
        ),
        pytest.param([], [], frozenset(), [], id="nothing-scored"),
    ],
)
def test_standings(
    solves: list[SolveRecord],
    awards: list[AwardRecord],
    excluded: frozenset[int],
    expected: list[tuple[int, int, int, datetime]],
) -> None:
    rows = standings(solves=solves, awards=awards, challenges=CHALLENGES, excluded=excluded)
    assert rows_as_tuples(rows) == expected


def test_blood_bonuses_go_to_the_first_counted_solvers() -> None:
    solves = [
        solve(99, 1, 1),  # excluded: takes no place
        solve(10, 1, 2),
        solve(20, 1, 3),
        solve(30, 1, 4),
        solve(40, 1, 5),
        solve(60, 2, 7),  # simultaneous: the lower account id takes the earlier place
        solve(50, 2, 7),
        solve(70, 3, 8),  # a zero-value challenge still pays its blood bonus
        solve(80, 3, 9),
        solve(85, 3, 10),
        solve(90, 3, 11),  # fourth place on a zero-value challenge: worth nothing, ignored
    ]
    rows = standings(
        solves=solves, awards=[], challenges=CHALLENGES, excluded=frozenset({99}), blood_bonuses=(50, 20, 10)
    )
    assert rows_as_tuples(rows) == [
        (1, 50, 250, at(7)),
        (2, 60, 220, at(7)),
        (3, 10, 150, at(2)),
        (4, 20, 120, at(3)),
        (5, 30, 110, at(4)),
        (6, 40, 100, at(5)),
        (7, 70, 50, at(8)),
        (8, 80, 20, at(9)),
        (9, 85, 10, at(10)),
    ]


def test_blood_places_before_a_freeze_do_not_change_after_it() -> None:
    solves = [solve(10, 1, 40), solve(20, 1, 10)]
    public = standings(solves=solves, awards=[], challenges=CHALLENGES, cut_off=FREEZE, blood_bonuses=(50, 20))
    live = standings(solves=solves, awards=[], challenges=CHALLENGES, blood_bonuses=(50, 20))
    assert rows_as_tuples(public) == [(1, 20, 150, at(10))]
    assert rows_as_tuples(live) == [(1, 20, 150, at(10)), (2, 10, 120, at(40))]


@pytest.mark.parametrize(
    ("solves", "message"),
    [
        ([solve(10, 1, 1), solve(10, 1, 2)], "twice"),
        ([solve(10, 42, 1)], "without a value rule"),
    ],
)
def test_standings_reject_inconsistent_input(solves: list[SolveRecord], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        standings(solves=solves, awards=[], challenges=CHALLENGES)


# --- score over time ----------------------------------------------------------------------------------

SERIES_SOLVES = [
    solve(10, 1, 1),
    solve(10, 2, 5),
    solve(10, 4, 6),
    solve(20, 2, 2),
    solve(20, 1, 5),
    solve(30, 1, 3),
    solve(30, 4, 4),
    solve(99, 4, 2),  # excluded below
]
SERIES_AWARDS = [award(20, -25, 5), award(99, 500, 1)]  # 20's hint cost shares an instant with a solve


@pytest.mark.parametrize(
    ("cut_off", "top", "expected"),
    [
        # Live: challenge 4 has two counted solves, worth 499 to both, also at the earlier points.
        (
            None,
            2,
            [
                ScoreSeries(account_id=10, points=((at(1), 100), (at(5), 300), (at(6), 799))),
                ScoreSeries(account_id=30, points=((at(3), 100), (at(4), 599))),
            ],
        ),
        (
            None,
            10,
            [
                ScoreSeries(account_id=10, points=((at(1), 100), (at(5), 300), (at(6), 799))),
                ScoreSeries(account_id=30, points=((at(3), 100), (at(4), 599))),
                ScoreSeries(account_id=20, points=((at(2), 200), (at(5), 275))),
            ],
        ),
        # Cut at minute 6: 10's solve of 4 is hidden, so 4 is worth 500 again.
        (
            at(6),
            3,
            [
                ScoreSeries(account_id=30, points=((at(3), 100), (at(4), 600))),
                ScoreSeries(account_id=10, points=((at(1), 100), (at(5), 300))),
                ScoreSeries(account_id=20, points=((at(2), 200), (at(5), 275))),
            ],
        ),
        (None, 0, []),
    ],
)
def test_score_series(cut_off: datetime | None, top: int, expected: list[ScoreSeries]) -> None:
    series = score_series(
        solves=SERIES_SOLVES,
        awards=SERIES_AWARDS,
        challenges=CHALLENGES,
        excluded=frozenset({99}),
        cut_off=cut_off,
        top=top,
    )
    assert series == expected


@pytest.mark.parametrize("cut_off", [None, at(6), at(3)])
def test_score_series_ends_where_the_standings_do(cut_off: datetime | None) -> None:
    arguments: dict[str, Any] = {
        "solves": SERIES_SOLVES,
        "awards": SERIES_AWARDS,
        "challenges": CHALLENGES,
        "excluded": frozenset({99}),
        "cut_off": cut_off,
    }
    rows = standings(**arguments)
    series = score_series(**arguments, top=len(rows))
    assert rows
    assert [(line.account_id, line.points[-1]) for line in series] == [
        (row.account_id, (row.last_score_time, row.score)) for row in rows
    ]
