"""The incremental tally must agree with the full computation of :mod:`kakehashi.ctf.scoring`."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from kakehashi.ctf import scoring
from kakehashi.ctf.scoring import AwardRecord, SolveRecord, ValueRule
from kakehashi.ctf.tally import Tally

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def random_event(seed: int) -> tuple[dict[int, ValueRule], list[SolveRecord], list[AwardRecord], frozenset[int]]:
    rng = random.Random(seed)
    rules: dict[int, ValueRule] = {}
    for cid in range(1, rng.randint(2, 12)):
        function = rng.choice(scoring.VALUE_FUNCTIONS)
        initial = rng.choice([0, 50, 100, 500])
        rules[cid] = ValueRule(
            function=function, initial=initial, minimum=rng.choice([0, 10, 50]), decay=rng.randint(0, 6)
        )
    accounts = list(range(100, 100 + rng.randint(2, 25)))
    solves = []
    for account in accounts:
        for cid in rng.sample(sorted(rules), rng.randint(0, len(rules))):
            # few distinct instants, so that ties in time (broken by account id) are common
            solves.append(
                SolveRecord(account_id=account, challenge_id=cid, time=START + timedelta(minutes=rng.randint(0, 30)))
            )
    rng.shuffle(solves)
    awards = [
        AwardRecord(
            account_id=rng.choice(accounts),
            value=rng.choice([-20, -5, 0, 10, 40]),
            time=START + timedelta(minutes=rng.randint(0, 30)),
        )
        for _ in range(rng.randint(0, 8))
    ]
    excluded = frozenset(rng.sample(accounts, rng.randint(0, 2)))
    return rules, solves, awards, excluded


def full(
    rules: dict[int, ValueRule],
    solves: list[SolveRecord],
    awards: list[AwardRecord],
    excluded: frozenset[int],
    bonuses: list[int],
) -> tuple[list[scoring.StandingsRow], list[scoring.ScoreSeries]]:
    return scoring.standings_with_series(
        solves=solves, awards=awards, challenges=rules, excluded=excluded, blood_bonuses=bonuses, top=10
    )


@pytest.mark.parametrize("seed", range(60))
def test_added_one_at_a_time_agrees_with_the_full_computation(seed: int) -> None:
    rules, solves, awards, excluded = random_event(seed)
    bonuses = [30, 20, 10] if seed % 2 else []
    tally = Tally(challenges=rules, excluded=excluded, blood_bonuses=bonuses)
    events: list[SolveRecord | AwardRecord] = [*solves, *awards]
    random.Random(seed).shuffle(events)  # arrival order differs from time order, as across processes
    seen_solves: list[SolveRecord] = []
    seen_awards: list[AwardRecord] = []
    for index, item in enumerate(events):
        if isinstance(item, SolveRecord):
            tally.add_solve(item)
            seen_solves.append(item)
        else:
            tally.add_award(item)
            seen_awards.append(item)
        if index % 5 == 0 or index == len(events) - 1:
            rows, series = full(rules, seen_solves, seen_awards, excluded, bonuses)
            assert tally.rows() == rows
            assert tally.series(10) == series
    assert tally.values() == scoring.challenge_values(challenges=rules, solves=solves, excluded=excluded)
    assert tally.solve_counts() == scoring.solve_counts(solves=solves, excluded=excluded)


@pytest.mark.parametrize("seed", range(20))
def test_built_at_once_agrees_with_the_full_computation(seed: int) -> None:
    rules, solves, awards, excluded = random_event(seed)
    tally = Tally.build(solves=solves, awards=awards, challenges=rules, excluded=excluded, blood_bonuses=[5, 3])
    rows, series = full(rules, solves, awards, excluded, [5, 3])
    assert tally.rows() == rows
    assert tally.series(10) == series


def test_a_falling_value_lowers_every_earlier_solver() -> None:
    rules = {1: ValueRule(function="linear", initial=500, minimum=100, decay=100)}
    tally = Tally(challenges=rules)
    tally.add_solve(SolveRecord(account_id=1, challenge_id=1, time=START))
    assert [r.score for r in tally.rows()] == [500]
    tally.add_solve(SolveRecord(account_id=2, challenge_id=1, time=START + timedelta(minutes=1)))
    assert [(r.account_id, r.score) for r in tally.rows()] == [(1, 400), (2, 400)]


def test_a_solve_worth_nothing_adds_no_row_but_counts_as_a_solve() -> None:
    tally = Tally(challenges={1: ValueRule(function="static", initial=0)})
    tally.add_solve(SolveRecord(account_id=7, challenge_id=1, time=START))
    assert tally.rows() == []
    assert tally.solves_per_account() == {7: 1}
    assert tally.bloods() == {1: (7,)}


def test_a_value_falling_to_zero_moves_the_last_scoring_time_back() -> None:
    rules = {
        1: ValueRule(function="static", initial=10),
        2: ValueRule(function="linear", initial=10, minimum=0, decay=10),
    }
    tally = Tally(challenges=rules)
    tally.add_solve(SolveRecord(account_id=1, challenge_id=1, time=START))
    tally.add_solve(SolveRecord(account_id=1, challenge_id=2, time=START + timedelta(minutes=5)))
    assert tally.rows()[0].last_score_time == START + timedelta(minutes=5)
    tally.add_solve(SolveRecord(account_id=2, challenge_id=2, time=START + timedelta(minutes=6)))  # value 0 now
    assert [(r.account_id, r.score, r.last_score_time) for r in tally.rows()] == [(1, 10, START)]


def test_refuses_a_second_solve_and_an_unknown_challenge() -> None:
    tally = Tally(challenges={1: ValueRule(function="static", initial=10)})
    tally.add_solve(SolveRecord(account_id=1, challenge_id=1, time=START))
    with pytest.raises(ValueError, match="twice"):
        tally.add_solve(SolveRecord(account_id=1, challenge_id=1, time=START))
    with pytest.raises(ValueError, match="without a value rule"):
        tally.add_solve(SolveRecord(account_id=1, challenge_id=2, time=START))
    with pytest.raises(ValueError, match="twice"):
        Tally.build(
            solves=[SolveRecord(account_id=1, challenge_id=1, time=START)] * 2,
            awards=[],
            challenges={1: ValueRule(function="static", initial=10)},
        )
