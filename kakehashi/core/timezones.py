"""Showing one moment in several time zones, DST-aware and with each zone named. No I/O."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

EVENT_ZONES: tuple[str, ...] = ("Europe/London", "Asia/Tokyo")


@dataclass(frozen=True)
class ZonedTime:
    zone: str  # IANA key, e.g. "Europe/London"
    local: datetime
    abbreviation: str  # "GMT", "BST", "JST", ...

    @property
    def clock(self) -> str:
        return self.local.strftime("%Y-%m-%d %H:%M")

    @property
    def utc_offset(self) -> str:
        offset = self.local.strftime("%z")
        return f"UTC{offset[:3]}:{offset[3:]}"


def is_valid_zone(key: str) -> bool:
    if not key or key not in _known_zones():
        return False
    try:
        ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_ZONES: frozenset[str] = frozenset()


def _known_zones() -> frozenset[str]:
    global _ZONES  # noqa: PLW0603  (computed once; the set of zones never changes at run time)
    if not _ZONES:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def in_zone(moment: datetime, zone: str) -> ZonedTime:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not shown; store aware UTC")
    local = moment.astimezone(ZoneInfo(zone))
    return ZonedTime(zone=zone, local=local, abbreviation=local.tzname() or zone)


def in_zones(moment: datetime, *, viewer_zone: str | None, extra: Sequence[str] = EVENT_ZONES) -> list[ZonedTime]:
    """The moment in the viewer's zone first, then each extra zone not already shown."""
    zones: list[str] = []
    for zone in (viewer_zone, *extra):
        if zone and zone not in zones and is_valid_zone(zone):
            zones.append(zone)
    return [in_zone(moment, zone) for zone in zones]
