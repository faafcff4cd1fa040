"""When an event and a challenge accept play — pure rules with an explicit ``now``.

The boundaries are half-open: an event runs for ``starts_at <= now < ends_at``; a submission
received at exactly ``ends_at`` is too late. The public scoreboard counts what happened strictly
before ``freeze_at``.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Phase(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


@dataclass(frozen=True)
class Schedule:
    starts_at: datetime
    ends_at: datetime
    freeze_at: datetime | None = None
    paused: bool = False


def phase(schedule: Schedule, now: datetime) -> Phase:
    if now < schedule.starts_at:
        return Phase.NOT_STARTED
    if now >= schedule.ends_at:
        return Phase.ENDED
    if schedule.paused:
        return Phase.PAUSED
    return Phase.RUNNING


def public_cutoff(schedule: Schedule, now: datetime) -> datetime | None:
    """The moment after which the public no longer sees scoring, or ``None`` for a live view."""
    if schedule.freeze_at is not None and now >= schedule.freeze_at:
        return schedule.freeze_at
    return None


def is_frozen(schedule: Schedule, now: datetime) -> bool:
    return public_cutoff(schedule, now) is not None


def is_released(release_at: datetime | None, now: datetime) -> bool:
    return release_at is None or release_at <= now
