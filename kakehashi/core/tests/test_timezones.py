from datetime import UTC, datetime

import pytest

from kakehashi.core.timezones import in_zone, in_zones, is_valid_zone


@pytest.mark.parametrize(
    ("moment", "zone", "clock", "abbreviation", "offset"),
    [
        # Winter: London on GMT.
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), "Europe/London", "2026-01-15 12:00", "GMT", "UTC+00:00"),
        # Summer: London on BST, Tokyo never changes.
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "Europe/London", "2026-07-01 13:00", "BST", "UTC+01:00"),
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "Asia/Tokyo", "2026-07-01 21:00", "JST", "UTC+09:00"),
        # The last Sunday of March at 01:00 UTC the clocks go forward.
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "Europe/London", "2026-03-29 00:59", "GMT", "UTC+00:00"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Europe/London", "2026-03-29 02:00", "BST", "UTC+01:00"),
        # Crossing the date line into Tokyo's next day.
        (datetime(2026, 11, 23, 20, 30, tzinfo=UTC), "Asia/Tokyo", "2026-11-24 05:30", "JST", "UTC+09:00"),
    ],
)
def test_in_zone(moment: datetime, zone: str, clock: str, abbreviation: str, offset: str) -> None:
    shown = in_zone(moment, zone)
    assert shown.clock == clock
    assert shown.abbreviation == abbreviation
    assert shown.utc_offset == offset


def test_in_zones_puts_viewer_first_without_duplicates() -> None:
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert [t.zone for t in in_zones(moment, viewer_zone="America/New_York")] == [
        "America/New_York",
        "Europe/London",
        "Asia/Tokyo",
    ]
    assert [t.zone for t in in_zones(moment, viewer_zone="Asia/Tokyo")] == ["Asia/Tokyo", "Europe/London"]
    assert [t.zone for t in in_zones(moment, viewer_zone="Not/AZone")] == ["Europe/London", "Asia/Tokyo"]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        in_zone(datetime(2026, 1, 1, 12, 0), "Asia/Tokyo")  # noqa: DTZ001


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("Asia/Tokyo", True),
        ("Europe/London", True),
        ("UTC", True),
        ("", False),
        ("../etc/passwd", False),
        ("Mars/Olympus", False),
    ],
)
def test_is_valid_zone(key: str, valid: bool) -> None:
    assert is_valid_zone(key) is valid
