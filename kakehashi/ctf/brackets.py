"""Which country bracket a team belongs to, from its members' countries. Pure, no I/O."""

from collections.abc import Iterable

UK = "GB"
JAPAN = "JP"


def country_bracket(member_countries: Iterable[str]) -> str:
    """``uk`` or ``jp`` when every member is from that country, ``mixed`` when the team crosses
    countries, ``other`` when nobody (or only people from elsewhere) is in it."""
    countries = set(member_countries)
    if not countries:
        return "other"
    if countries == {UK}:
        return "uk"
    if countries == {JAPAN}:
        return "jp"
    if len(countries) > 1:
        return "mixed"
    return "other"
