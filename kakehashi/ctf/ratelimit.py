"""The wrong-flag rate limit as a pure decision: how many wrong attempts in the last window."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds; 0 when allowed


def decide(recent_wrong: Sequence[datetime], *, limit: int, now: datetime, window: timedelta = WINDOW) -> Decision:
    """``recent_wrong`` are the times of this account's wrong attempts, newest last or in any order.

    With ``limit`` or more wrong attempts inside the window, the next attempt waits until the
    oldest of the last ``limit`` leaves the window. A limit of 0 means no limit.
    """
    if limit <= 0:
        return Decision(allowed=True, retry_after=0)
    inside = sorted(moment for moment in recent_wrong if now - moment < window)
    if len(inside) < limit:
        return Decision(allowed=True, retry_after=0)
    oldest_counted = inside[-limit]
    wait = (oldest_counted + window - now).total_seconds()
    return Decision(allowed=False, retry_after=max(1, int(wait + 0.999)))
