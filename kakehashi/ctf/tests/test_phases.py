from datetime import UTC, datetime, timedelta

import pytest

from kakehashi.ctf.phases import Phase, Schedule, is_frozen, is_released, phase, public_cutoff

START = datetime(2026, 2, 8, 0, 0, tzinfo=UTC)
END = START + timedelta(hours=8)
FREEZE = END - timedelta(hours=1)
SCHEDULE = Schedule(starts_at=START, ends_at=END, freeze_at=FREEZE)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("now", "paused", "expected"),
    [
        (START - TICK, False, Phase.NOT_STARTED),
        (START, False, Phase.RUNNING),
        (END - TICK, False, Phase.RUNNING),
        (END, False, Phase.ENDED),  # the exact end is already too late
        (END + TICK, False, Phase.ENDED),
        (START + timedelta(hours=1), True, Phase.PAUSED),
        (START - TICK, True, Phase.NOT_STARTED),
        (END, True, Phase.ENDED),
    ],
)
def test_phase(now: datetime, paused: bool, expected: Phase) -> None:
    schedule = Schedule(starts_at=START, ends_at=END, freeze_at=FREEZE, paused=paused)
    assert phase(schedule, now) is expected


@pytest.mark.parametrize(
    ("now", "cutoff"),
    [(FREEZE - TICK, None), (FREEZE, FREEZE), (END + timedelta(days=3), FREEZE)],
)
def test_public_cutoff(now: datetime, cutoff: datetime | None) -> None:
    assert public_cutoff(SCHEDULE, now) == cutoff
    assert is_frozen(SCHEDULE, now) is (cutoff is not None)


def test_no_freeze_means_always_live() -> None:
    assert public_cutoff(Schedule(starts_at=START, ends_at=END), END + timedelta(days=1)) is None


@pytest.mark.parametrize(
    ("release_at", "now", "released"),
    [(None, START, True), (START, START, True), (START, START - TICK, False), (START, START + TICK, True)],
)
def test_is_released(release_at: datetime | None, now: datetime, released: bool) -> None:
    assert is_released(release_at, now) is released
