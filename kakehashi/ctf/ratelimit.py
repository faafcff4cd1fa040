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
    return decide_by_boundary(inside[-limit] if len(inside) >= limit else None, limit=limit, now=now, window=window)


def decide_by_boundary(boundary: datetime | None, *, limit: int, now: datetime, window: timedelta = WINDOW) -> Decision:
    """The same decision from the one time it depends on: ``boundary`` is the ``limit``-th newest
    wrong attempt (``None`` when there are fewer), which a database finds without returning them all.
    Any lower bound the query used on the times does not change it, as long as it is no later than
    ``now - window``."""
    if limit <= 0 or boundary is None or now - boundary >= window:
        return Decision(allowed=True, retry_after=0)
    wait = (boundary + window - now).total_seconds()
    return Decision(allowed=False, retry_after=max(1, int(wait + 0.999)))
