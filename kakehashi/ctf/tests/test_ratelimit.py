from datetime import UTC, datetime, timedelta

import pytest

from kakehashi.ctf.ratelimit import decide

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
