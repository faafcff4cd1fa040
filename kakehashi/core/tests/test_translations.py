from dataclasses import dataclass

import pytest

from kakehashi.core.translations import choose, completeness


@dataclass
class Row:
    name: str
    description: str = ""


def test_choose_requested_language() -> None:
    rows = {"en": Row("Bridge"), "ja": Row("橋")}
    chosen = choose(rows, "ja")
    assert chosen.language == "ja"
    assert chosen.row is rows["ja"]
    assert not chosen.is_fallback


def test_choose_falls_back_to_english_and_says_so() -> None:
    rows = {"en": Row("Bridge")}
    chosen = choose(rows, "ja")
    assert chosen.language == "en"
    assert chosen.is_fallback
    assert not chosen.is_missing


def test_choose_any_language_when_no_fallback_exists() -> None:
    chosen = choose({"ja": Row("橋")}, "en")
    assert chosen.language == "ja"
    assert chosen.is_fallback


def test_choose_nothing() -> None:
    chosen = choose(dict[str, Row](), "en")
    assert chosen.is_missing
    assert chosen.language is None
    assert not chosen.is_fallback


@pytest.mark.parametrize(
    ("rows", "complete", "missing"),
    [
        ({"en": Row("A", "x"), "ja": Row("あ", "ア")}, ("en", "ja"), {}),
        ({"en": Row("A", "x")}, ("en",), {"ja": ("name", "description")}),
        ({"en": Row("A", "x"), "ja": Row("あ", "   ")}, ("en",), {"ja": ("description",)}),
        ({}, (), {"en": ("name", "description"), "ja": ("name", "description")}),
    ],
)
def test_completeness(rows: dict[str, Row], complete: tuple[str, ...], missing: dict[str, tuple[str, ...]]) -> None:
    result = completeness(rows, languages=("en", "ja"), fields=("name", "description"))
    assert result.complete_languages == complete
    assert dict(result.missing) == missing
    assert result.is_complete == (not missing)
    assert result.ratio == len(complete) / 2


def test_completeness_accepts_mappings_and_a_third_language() -> None:
    rows = {"en": {"name": "A"}, "ja": {"name": "あ"}, "ko": {"name": ""}}
    result = completeness(rows, languages=("en", "ja", "ko"), fields=("name",))
    assert result.complete_languages == ("en", "ja")
    assert dict(result.missing) == {"ko": ("name",)}
