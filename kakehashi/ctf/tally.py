"""Standings kept up to date one scoring event at a time. Pure: plain values in, plain values out.

:func:`kakehashi.ctf.scoring.standings_with_series` computes the standings from every solve and
award at once, which costs a pass over the whole event (≈0.3 s at 100,000 solves). A :class:`Tally`
gives the same answers for the live view (no cut-off) but takes solves and awards as they come:

- a solve re-prices only its own challenge — the new solve count changes the challenge's value,
  and with it the points of every earlier solver of that challenge (values are retroactive, as in
  CTFd) — so its cost grows with that challenge's solvers, not with the event;
- an award changes one account's total;
- the ranking is sorted again only when asked for after a change.

The rules are exactly those of :mod:`kakehashi.ctf.scoring` (its module docstring defines them);
the tests compare both on random events. Excluded accounts and cut-offs are fixed at construction:
a ban, an unban or a freeze needs a new tally (:meth:`Tally.build`).
"""

from bisect import insort
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime

from kakehashi.ctf.scoring import AwardRecord, ScoreSeries, SolveRecord, StandingsRow, ValueRule, blood_bonus


@dataclass
class _Account:
    solve_points: dict[int, int] = field(default_factory=dict)  # challenge id → points of that solve now
    solve_times: dict[int, datetime] = field(default_factory=dict)  # challenge id → solve time
    awards: list[tuple[datetime, int]] = field(default_factory=list)  # non-zero awards, in arrival order
    total: int = 0
    last: datetime | None = None  # time of the last non-zero event; None when there is none
    stale_last: bool = False


class Tally:
    """The live standings of one event, updated in place by :meth:`add_solve` and :meth:`add_award`."""

    def __init__(
        self,
        *,
        challenges: Mapping[int, ValueRule],
        excluded: Set[int] = frozenset(),
        blood_bonuses: Sequence[int] = (),
    ) -> None:
        self._rules = dict(challenges)
        self._excluded = frozenset(excluded)
        self._bonuses = tuple(blood_bonuses)
        self._solvers: dict[int, list[tuple[datetime, int]]] = {}  # counted solves per challenge, in solve order
        self._values: dict[int, int] = {cid: rule.value(0) for cid, rule in self._rules.items()}
        self._accounts: dict[int, _Account] = {}
        self._solves_per_account: dict[int, int] = {}
        self._ranking: list[tuple[int, datetime, int]] | None = None
        self._keys: dict[int, tuple[int, datetime, int]] = {}  # account → its sort key, for the ranked ones
        self._touched: set[int] = set()  # accounts changed since the last ranking
        self._changed: set[int] = set()  # ... since the last take_changed

    @classmethod
    def build(
        cls,
        *,
        solves: Iterable[SolveRecord],
        awards: Iterable[AwardRecord],
        challenges: Mapping[int, ValueRule],
        excluded: Set[int] = frozenset(),
        blood_bonuses: Sequence[int] = (),
    ) -> "Tally":
        """A tally of every solve and award given, built in one pass (values priced once at the end)."""
        tally = cls(challenges=challenges, excluded=excluded, blood_bonuses=blood_bonuses)
        seen: set[tuple[int, int]] = set()
        for solve in solves:
            tally._check_new(solve, seen)
            if solve.account_id not in tally._excluded:
                tally._solvers.setdefault(solve.challenge_id, []).append((solve.time, solve.account_id))
                tally._account(solve.account_id).solve_times[solve.challenge_id] = solve.time
                tally._count(solve.account_id)
        for challenge_id, solvers in tally._solvers.items():
            solvers.sort()
            tally._reprice(challenge_id)
        for award in awards:
            tally.add_award(award)
        return tally

    # -- changes ---------------------------------------------------------------------------------

    def add_solve(self, solve: SolveRecord) -> None:
        """Count one more solve. Raises ``ValueError`` for a second solve of the same challenge by the
        same account, or a solve of a challenge the tally has no rule for."""
        self._check_new(solve, None)
        if solve.account_id in self._excluded:
            return
        solvers = self._solvers.setdefault(solve.challenge_id, [])
        entry = (solve.time, solve.account_id)
        appended = not solvers or solvers[-1] < entry
        insort(solvers, entry)
        self._account(solve.account_id).solve_times[solve.challenge_id] = solve.time
        self._count(solve.account_id)
        value = self._rules[solve.challenge_id].value(len(solvers))
        if appended and value == self._values.get(solve.challenge_id):
            self._set_points(solve.account_id, solve.challenge_id, value + blood_bonus(len(solvers), self._bonuses))
        else:  # the value moved, or places shifted: every solver of this challenge is re-priced
            self._reprice(solve.challenge_id)
        self._ranking = None

    def add_award(self, award: AwardRecord) -> None:
        """Count an award (a hint's cost is a negative award). Awards of 0 change nothing."""
        if not award.value or award.account_id in self._excluded:
            return
        account = self._account(award.account_id)
        account.awards.append((award.time, award.value))
        account.total += award.value
        self._touched.add(award.account_id)
        if account.last is None or award.time > account.last:
            account.last = award.time
        self._ranking = None

    # -- answers ---------------------------------------------------------------------------------

    def ranking(self) -> list[tuple[int, datetime, int]]:
        """The ranked rows as plain ``(-score, last score time, account id)`` tuples, best first (the
        position is the index + 1): the same list object until the next change, so callers can tell
        whether anything moved. Only the accounts changed since the last call are looked at again."""
        if self._ranking is None:
            keys = self._keys
            for account_id in self._touched:
                account = self._accounts[account_id]
                if account.stale_last:
                    account.last = self._last_time(account)
                    account.stale_last = False
                if account.last is None:
                    keys.pop(account_id, None)
                else:
                    keys[account_id] = (-account.total, account.last, account_id)
            self._changed |= self._touched
            self._touched = set()
            self._ranking = sorted(keys.values())
        return self._ranking

    def take_changed(self) -> set[int]:
        """Accounts whose score, last scoring time or solve count may have changed since the last call
        (as of the last :meth:`ranking`); a caller keeping one row per account renews only these."""
        changed, self._changed = self._changed, set()
        return changed

    def rows(self) -> list[StandingsRow]:
        """The ranked rows, as :func:`kakehashi.ctf.scoring.standings` gives them."""
        return [
            StandingsRow(position=position, account_id=account_id, score=-negative, last_score_time=last)
            for position, (negative, last, account_id) in enumerate(self.ranking(), start=1)
        ]

    def series(self, top: int = 10) -> list[ScoreSeries]:
        """Score over time of the first ``top`` accounts, as :func:`kakehashi.ctf.scoring.score_series`."""
        result = []
        for _, _, account_id in self.ranking()[: max(top, 0)]:
            account = self._accounts[account_id]
            events = [
                (account.solve_times[cid], points) for cid, points in account.solve_points.items() if points
            ] + account.awards
            events.sort(key=lambda event: event[0])
            points_over_time: list[tuple[datetime, int]] = []
            running = 0
            for time, value in events:
                running += value
                if points_over_time and points_over_time[-1][0] == time:
                    points_over_time[-1] = (time, running)
                else:
                    points_over_time.append((time, running))
            result.append(ScoreSeries(account_id=account_id, points=tuple(points_over_time)))
        return result

    def values(self) -> dict[int, int]:
        """Every challenge's current value."""
        return dict(self._values)

    def solve_counts(self) -> dict[int, int]:
        """Counted solves per solved challenge."""
        return {cid: len(solvers) for cid, solvers in self._solvers.items() if solvers}

    def bloods(self, places: int = 3) -> dict[int, tuple[int, ...]]:
        """The first ``places`` counted solvers of each solved challenge."""
        return {cid: tuple(a for _, a in solvers[:places]) for cid, solvers in self._solvers.items() if solvers}

    def solves_per_account(self) -> dict[int, int]:
        """Counted solves of each account, worth points or not."""
        return dict(self._solves_per_account)

    def knows(self, challenge_id: int) -> bool:
        return challenge_id in self._rules

    # -- inside ----------------------------------------------------------------------------------

    def _account(self, account_id: int) -> _Account:
        account = self._accounts.get(account_id)
        if account is None:
            account = self._accounts[account_id] = _Account()
        return account

    def _count(self, account_id: int) -> None:
        self._solves_per_account[account_id] = self._solves_per_account.get(account_id, 0) + 1
        self._touched.add(account_id)

    def _check_new(self, solve: SolveRecord, seen: set[tuple[int, int]] | None) -> None:
        if solve.challenge_id not in self._rules:
            raise ValueError(f"solves of challenges without a value rule: [{solve.challenge_id}]")
        if seen is not None:
            key = (solve.account_id, solve.challenge_id)
            duplicate = key in seen
            seen.add(key)
        else:
            account = self._accounts.get(solve.account_id)
            duplicate = account is not None and solve.challenge_id in account.solve_times
        if duplicate:
            raise ValueError(f"account {solve.account_id} solved challenge {solve.challenge_id} twice")

    def _reprice(self, challenge_id: int) -> None:
        solvers = self._solvers.get(challenge_id, [])
        value = self._rules[challenge_id].value(len(solvers))
        self._values[challenge_id] = value
        bonuses = self._bonuses
        for place, (_, account_id) in enumerate(solvers, start=1):
            bonus = bonuses[place - 1] if place <= len(bonuses) else 0
            self._set_points(account_id, challenge_id, value + bonus)

    def _set_points(self, account_id: int, challenge_id: int, points: int) -> None:
        account = self._accounts[account_id]
        old = account.solve_points.get(challenge_id)
        if old == points:
            return
        account.solve_points[challenge_id] = points
        account.total += points - (old or 0)
        self._touched.add(account_id)
        if points and not old:
            time = account.solve_times[challenge_id]
            if account.last is None or time > account.last:
                account.last = time
        elif old and not points:
            account.stale_last = True  # an event stopped counting: find the last one again

    @staticmethod
    def _last_time(account: _Account) -> datetime | None:
        times = [account.solve_times[cid] for cid, points in account.solve_points.items() if points]
        times += [time for time, _ in account.awards]
        return max(times, default=None)
