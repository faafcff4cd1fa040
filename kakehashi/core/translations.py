"""Choosing and checking translations of authored content — pure functions, no I/O.

Authored content (challenge texts, hints, announcements, organisation names, ...) is stored as
one row per language. These functions take those rows as a mapping ``{language_code: row}``
and decide what a reader sees and which languages are complete.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from kakehashi.core.languages import SOURCE_LANGUAGE

Row = TypeVar("Row")


@dataclass(frozen=True)
class Rendition(Generic[Row]):
    """The row chosen for a reader who asked for ``requested``."""

    requested: str
    language: str | None  # the language actually shown; None when nothing exists
    row: Row | None

    @property
    def is_fallback(self) -> bool:
        return self.row is not None and self.language != self.requested

    @property
    def is_missing(self) -> bool:
        return self.row is None


def choose(rows: Mapping[str, Row], requested: str, fallbacks: Sequence[str] = (SOURCE_LANGUAGE,)) -> Rendition[Row]:
    """The requested language if present, else the first fallback present, else any language."""
    for code in (requested, *fallbacks, *sorted(rows)):
        if code in rows:
            return Rendition(requested=requested, language=code, row=rows[code])
    return Rendition(requested=requested, language=None, row=None)


def _filled(row: Any, name: str) -> bool:
    value = row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)
    return isinstance(value, str) and bool(value.strip())


@dataclass(frozen=True)
class Completeness:
    """Which of the required languages have every required field filled."""

    required: tuple[str, ...]
    missing: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def complete_languages(self) -> tuple[str, ...]:
        return tuple(code for code in self.required if code not in self.missing)

    @property
    def is_complete(self) -> bool:
        return not self.missing

    @property
    def ratio(self) -> float:
        if not self.required:
            return 1.0
        return len(self.complete_languages) / len(self.required)


def completeness(rows: Mapping[str, Any], *, languages: Sequence[str], fields: Sequence[str]) -> Completeness:
    """For each required language, the required fields that are absent or blank."""
    missing: dict[str, tuple[str, ...]] = {}
    for code in languages:
        row = rows.get(code)
        absent = tuple(name for name in fields if row is None or not _filled(row, name))
        if absent:
            missing[code] = absent
    return Completeness(required=tuple(languages), missing=missing)
