from datetime import UTC, datetime, timedelta

import pytest

from kakehashi.ctf.ratelimit import decide, decide_by_boundary

NOW = datetime(2026, 2, 8, 12, 0, tzinfo=UTC)


def seconds_ago(*values: float) -> list[datetime]:
    return [NOW - timedelta(seconds=value) for value in values]


@pytest.mark.parametrize(
    ("wrong", "limit", "allowed", "retry_after"),
    [
        ([], 10, True, 0),
        (seconds_ago(*range(9)), 10, True, 0),
        (seconds_ago(*range(10)), 10, False, 51),  # oldest counted was 9 s ago: free in 51 s
        (seconds_ago(*range(0, 20, 2)), 10, False, 42),  # ten inside the minute, oldest 18 s ago
        (seconds_ago(*[70] * 30), 10, True, 0),  # all outside the window
        (seconds_ago(59.5, 1, 1), 3, False, 1),  # never advises less than a second
        (seconds_ago(*range(50)), 0, True, 0),  # 0 = no limit
        (seconds_ago(30, 30, 30), 3, False, 30),
    ],
)
def test_decide(wrong: list[datetime], limit: int, allowed: bool, retry_after: int) -> None:
    decision = decide(wrong, limit=limit, now=NOW)
    assert decision.allowed is allowed
    assert decision.retry_after == retry_after


def test_order_does_not_matter() -> None:
    times = seconds_ago(5, 50, 20, 10, 40)
    assert decide(times, limit=5, now=NOW) == decide(sorted(times), limit=5, now=NOW)


@pytest.mark.parametrize("limit", [0, 1, 3, 10])
@pytest.mark.parametrize(
    "ages",
    [(), (5,), (5, 50, 20, 10, 40), tuple(range(0, 30, 3)), (59.9, 59.9, 0.1), (60, 61, 1, 2), tuple(range(12))],
)
@pytest.mark.parametrize("cutoff", [60, 65, 600])
def test_boundary_decides_as_the_full_list(ages: tuple[float, ...], limit: int, cutoff: float) -> None:
    """A database returns only the ``limit``-th newest time after a cutoff no later than the
    window's start: the decision is the one made from every time."""
    times = seconds_ago(*ages)
    after_cutoff = sorted((t for t in times if NOW - t < timedelta(seconds=cutoff)), reverse=True)
    boundary = after_cutoff[limit - 1] if limit > 0 and len(after_cutoff) >= limit else None
    assert decide_by_boundary(boundary, limit=limit, now=NOW) == decide(times, limit=limit, now=NOW)
