"""Which language a request is served in — a pure decision, no I/O.

Order: the account's preference, then the language cookie, then ``Accept-Language``.
A display mode of ``both`` shows authored content side by side; the interface itself
then follows the browser's preferred language among the supported ones.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation.trans_real import parse_accept_lang_header

SOURCE_LANGUAGE = "en"
INTERFACE_LANGUAGES: tuple[str, ...] = ("en", "ja")
BOTH = "both"
DISPLAY_MODES: tuple[str, ...] = (*INTERFACE_LANGUAGES, BOTH)


@dataclass(frozen=True)
class Display:
    mode: str  # "en", "ja" or "both"
    language: str  # the interface language: "en" or "ja"

    @property
    def side_by_side(self) -> bool:
        return self.mode == BOTH

    @property
    def other_language(self) -> str:
        return next(code for code in INTERFACE_LANGUAGES if code != self.language)


def language_from_accept(header: str, supported: Sequence[str] = INTERFACE_LANGUAGES) -> str | None:
    """The first supported language in an ``Accept-Language`` header, by quality."""
    for code, _quality in parse_accept_lang_header(header or ""):
        if code == "*":
            continue
        primary = code.lower().split("-")[0]
        if primary in supported:
            return primary
    return None


def resolve_display(*, preference: str | None, cookie: str | None, accept_language: str) -> Display:
    """Decide the display mode and interface language for one request."""
    browser = language_from_accept(accept_language)
    for choice in (preference, cookie):
        if choice in INTERFACE_LANGUAGES:
            return Display(mode=choice, language=choice)
        if choice == BOTH:
            return Display(mode=BOTH, language=browser or SOURCE_LANGUAGE)
    language = browser or SOURCE_LANGUAGE
    return Display(mode=language, language=language)
