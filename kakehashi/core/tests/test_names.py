import pytest
from django.utils import translation

from kakehashi.core import names
from kakehashi.core.names import NameProblem, clean, key


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Hanako", "Hanako"),
        ("  Team 東京\u3000", "Team 東京"),  # the ideographic space an IME leaves is trimmed too
        ("CTFチーム", "CTFチーム"),  # Latin and Japanese mix freely
        ("Ｔｅａｍ", "Ｔｅａｍ"),  # kept as typed; only the key folds the width
        ("ｶｹﾊｼ", "ｶｹﾊｼ"),
        ("Cafe\u0301", "Café"),  # NFC: a combining accent joins its letter
        ("Zoë & Åsa", "Zoë & Åsa"),
        ("Москва Team", "Москва Team"),  # Cyrillic and Latin in different words
        ("Ελλάδα", "Ελλάδα"),
        ("👩\u200d💻 hackers", "👩\u200d💻 hackers"),  # a zero-width joiner inside an emoji
        ("👩🏽\u200d💻", "👩🏽\u200d💻"),
        ("q\u0316\u0317\u0318", "q\u0316\u0317\u0318"),  # three marks on one letter (Vietnamese needs two)
        ("Team\u00a0One", "Team\u00a0One"),
    ],
)
def test_names_that_are_kept(given: str, stored: str) -> None:
    assert clean(given) == stored


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("", "required"),
        ("   \u3000\t", "required"),
        ("ad\x00min", "invisible_character"),  # NUL
        ("ad\x1bmin", "invisible_character"),  # C0 escape
        ("ad\x85min", "invisible_character"),  # C1 next line
        ("ad\x7fmin", "invisible_character"),  # DEL
        ("line\nbreak", "invisible_character"),
        ("ad\u200bmin", "invisible_character"),  # zero-width space
        ("ad\u200dmin", "invisible_character"),  # zero-width joiner between letters
        ("\u202etxt.exe", "invisible_character"),  # right-to-left override
        ("a\u2066b\u2069", "invisible_character"),  # directional isolates
        ("\ufeffadmin", "invisible_character"),  # byte-order mark
        ("ad\u00admin", "invisible_character"),  # soft hyphen
        ("a\u2028b", "invisible_character"),  # line separator
        ("\ue000team", "invisible_character"),  # private use
        ("\U000e0001tag", "invisible_character"),  # language tag
        ("\u0301abc", "combining_start"),
        ("Zq\u0316\u0317\u0318\u0319algo", "too_many_marks"),
        ("p\u0430ypal", "mixed_scripts"),  # Cyrillic а inside a Latin word
        ("\u0430dmin", "mixed_scripts"),
        ("Αdmin", "mixed_scripts"),  # Greek capital alpha
    ],
)
def test_names_that_are_refused(given: str, code: str) -> None:
    with pytest.raises(NameProblem) as raised:
        clean(given)
    assert raised.value.code == code
    assert str(raised.value)


def test_blank_is_allowed_when_not_required_and_length_only_when_limited() -> None:
    assert clean("  ", required=False) == ""
    assert clean("x" * 500) == "x" * 500
    with pytest.raises(NameProblem) as raised:
        clean("x" * 81, limit=80)
    assert raised.value.code == "too_long"
    assert clean("x" * 80, limit=80) == "x" * 80


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ａｄｍｉｎ", "admin"),
        ("Ｔｅａｍ", "team"),
        ("ADMIN", "admin"),
        ("Straße", "STRASSE"),  # casefold, not lower
        ("ｶｹﾊｼ", "カケハシ"),  # half-width katakana
        ("Team\u3000\u3000One", "team one"),
        ("Team\u00a0One", "team one"),
        ("Café", "Cafe\u0301"),
        ("ﬁre", "fire"),  # compatibility ligature
        ("Ⅻ", "xii"),
    ],
)
def test_names_that_are_the_same_name(one: str, other: str) -> None:
    assert key(one) == key(other)


@pytest.mark.parametrize(("one", "other"), [("admin", "admins"), ("カケハシ", "かけはし"), ("team", "tea m")])
def test_names_that_differ(one: str, other: str) -> None:
    assert key(one) != key(other)


@pytest.mark.parametrize(
    "code", ["required", "invisible_character", "combining_start", "too_many_marks", "mixed_scripts", "too_long"]
)
def test_every_problem_has_a_sentence(code: str) -> None:
    with translation.override("en"):
        sentence = str(names.message(code, limit=80))
    assert sentence.endswith(".")
    assert sentence != code
    if code == "too_long":
        assert "80" in sentence
