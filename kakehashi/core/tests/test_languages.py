import pytest

from kakehashi.core.languages import Display, language_from_accept, resolve_display


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ja,en;q=0.8", "ja"),
        ("en-GB,en;q=0.9,ja;q=0.8", "en"),
        ("ja-JP", "ja"),
        ("fr-FR,ja;q=0.5", "ja"),
        ("fr-FR,de", None),
        ("", None),
        ("*", None),
        ("en;q=0.1,ja;q=0.9", "ja"),
    ],
)
def test_language_from_accept(header: str, expected: str | None) -> None:
    assert language_from_accept(header) == expected


@pytest.mark.parametrize(
    ("preference", "cookie", "accept", "expected"),
    [
        # The account's preference wins over everything.
        ("ja", "en", "en", Display("ja", "ja")),
        ("en", "ja", "ja", Display("en", "en")),
        # Then the cookie.
        (None, "ja", "en", Display("ja", "ja")),
        ("", "en", "ja", Display("en", "en")),
        # Then Accept-Language, then English.
        (None, None, "ja,en;q=0.5", Display("ja", "ja")),
        (None, None, "de", Display("en", "en")),
        # Side by side: the interface follows the browser.
        ("both", None, "ja", Display("both", "ja")),
        (None, "both", "en-GB", Display("both", "en")),
        (None, "both", "", Display("both", "en")),
        # Unknown values are ignored, not trusted.
        ("xx", "<script>", "ja", Display("ja", "ja")),
    ],
)
def test_resolve_display(preference: str | None, cookie: str | None, accept: str, expected: Display) -> None:
    assert resolve_display(preference=preference, cookie=cookie, accept_language=accept) == expected


def test_display_other_language_and_side_by_side() -> None:
    assert Display("both", "ja").other_language == "en"
    assert Display("both", "ja").side_by_side
    assert not Display("en", "en").side_by_side
