import re
from collections.abc import Iterator
from typing import cast

import pytest

from kakehashi.ctf import flags
from kakehashi.ctf.flags import (
    FlagError,
    FlagKind,
    FlagSpec,
    MatchResult,
    check,
    generated_flag,
    owner_of_generated_flag,
    regex_matches,
    static_matches,
    validate_format,
    validate_length,
    validate_pattern,
    validate_spec,
)

SECRET = b"event-secret"
ME = 1
CHALLENGE = 10


def run(spec: FlagSpec, submission: str, *, others: tuple[int, ...] = ()) -> MatchResult:
    return check(spec, submission, account_id=ME, challenge_id=CHALLENGE, secret=SECRET, other_account_ids=others)


# Full-width and half-width forms are different characters: only NFC is applied, never NFKC,
# so a flag matches exactly what its author typed (see the module docstring).
@pytest.mark.parametrize(
    ("content", "submission", "case_insensitive", "matched"),
    [
        ("flag{Abc}", "flag{Abc}", False, True),
        ("flag{Abc}", "flag{abc}", False, False),
        ("flag{Abc}", "FLAG{ABC}", True, True),
        ("flag{Abc}", "flag{Abd}", True, False),
        ("flag{Abc}", "  flag{Abc}\n", False, True),
        ("flag{Abc}", "\u3000flag{Abc}\t", False, True),  # ideographic space left by an IME
        ("flag{Abc}", "flag{ Abc}", False, False),  # inner whitespace counts
        ("flag{Abc}", "flag{Abc", False, False),
        ("flag{Abc}", "flag{Abc}x", False, False),
        ("  flag{Abc} ", "flag{Abc}", False, True),  # the stored flag is trimmed too
        ("flag{caf\u00e9}", "flag{cafe\u0301}", False, True),  # NFD submission, NFC flag
        ("flag{cafe\u0301}", "flag{caf\u00e9}", False, True),  # NFD flag, NFC submission
        ("flag{CAF\u00c9}", "flag{cafe\u0301}", True, True),
        ("flag{caf\u00e9}", "flag{cafe}", False, False),
        ("flag{stra\u00dfe}", "FLAG{STRASSE}", True, True),  # full case folding
        ("flag{stra\u00dfe}", "flag{strasse}", False, False),
        ("flag{abc}", "ｆｌａｇ{abc}", False, False),  # full-width letters are not ASCII
        ("flag{abc}", "ｆｌａｇ｛ａｂｃ｝", True, False),
        ("ｆｌａｇ{abc}", "ｆｌａｇ{abc}", False, True),
        ("flag{カタカナ}", "flag{ｶﾀｶﾅ}", False, False),  # half-width katakana is not folded
        ("旗{日本語}", "旗{日本語}", False, True),
        ("flag{x}", "", False, False),
        ("flag{x}", "   ", False, False),
        ("   ", "   ", False, False),  # an empty flag never matches
    ],
)
def test_static(content: str, submission: str, case_insensitive: bool, matched: bool) -> None:
    spec = FlagSpec(kind="static", content=content, case_insensitive=case_insensitive)
    assert run(spec, submission) == MatchResult(matched=matched)
    assert static_matches(content, submission, case_insensitive=case_insensitive) is matched


@pytest.mark.parametrize(
    ("pattern", "case_insensitive", "submission", "matched"),
    [
        (r"flag\{[0-9]+\}", False, "flag{123}", True),
        (r"flag\{[0-9]+\}", False, "xflag{123}", False),  # a full match, not a search
        (r"flag\{[0-9]+\}", False, "flag{123}x", False),
        (r"flag\{[0-9]+\}", False, " flag{123}\n", True),
        (r"flag\{[0-9]+\}", False, "flag{12a}", False),
        (r"flag\{[0-9]+\}", False, "flag{}", False),
        (r"flag\{[a-z]+\}", False, "FLAG{ABC}", False),
        (r"flag\{[a-z]+\}", True, "FLAG{ABC}", True),
        (r"(?i)flag\{abc\}", False, "FLAG{ABC}", True),
        ("a|ab", False, "ab", True),  # every alternative is tried against the whole text
        ("flag\\{caf\u00e9\\}", False, "flag{cafe\u0301}", True),
        ("flag\\{cafe\u0301\\}", False, "flag{caf\u00e9}", True),
        (r"flag\{[a-z]+\}", False, "ｆｌａｇ{abc}", False),
        (r"\p{Han}+", False, "日本語", True),
        (".*", False, "", False),  # an empty submission never matches
        (".*", False, "  ", False),
    ],
)
def test_regex(pattern: str, case_insensitive: bool, submission: str, matched: bool) -> None:
    validate_pattern(pattern, case_insensitive=case_insensitive)
    spec = FlagSpec(kind="regex", content=pattern, case_insensitive=case_insensitive)
    assert run(spec, submission) == MatchResult(matched=matched)
    assert regex_matches(pattern, submission, case_insensitive=case_insensitive) is matched


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)+$", r"(a*)*$", r"(a|a?)+$", r"(.*a){20}$"])
def test_catastrophic_patterns_complete_within_the_cap(pattern: str) -> None:
    # Python's backtracking engine would not finish these in the lifetime of the event.
    spec = FlagSpec(kind="regex", content=pattern)
    assert run(spec, "a" * 999 + "!") == MatchResult(matched=False)
    assert run(spec, "a" * 1000) == MatchResult(matched=True)


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)+$", r"(a*)*$"])
def test_catastrophic_patterns_complete_on_long_input(pattern: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flags, "MAX_SUBMISSION_LENGTH", 100_000)
    assert regex_matches(pattern, "a" * 50_000 + "!") is False
    assert regex_matches(pattern, "a" * 50_000) is True


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        (r"(a)\1", "unsupported_regex"),  # back-reference
        (r"(?P<x>a)(?P=x)", "unsupported_regex"),
        (r"(?=a)a", "unsupported_regex"),  # look-ahead
        (r"(?<!a)b", "unsupported_regex"),  # look-behind
        ("a{1001}", "unsupported_regex"),  # RE2 repeats at most 1000 times
        (r"flag\Z", "unsupported_regex"),  # RE2 spells it \z
        ("[", "invalid_regex"),
        ("(", "invalid_regex"),
        ("a**", "invalid_regex"),
        ("*a", "invalid_regex"),
        ("a" * 1001, "regex_too_long"),
    ],
)
def test_unusable_patterns_are_rejected(pattern: str, code: str) -> None:
    with pytest.raises(FlagError) as raised:
        validate_pattern(pattern)
    assert raised.value.code == code
    assert raised.value.message
    with pytest.raises(FlagError) as raised:
        validate_spec(FlagSpec(kind="regex", content=pattern))
    assert raised.value.code == code
    with pytest.raises(FlagError) as raised:  # a stored pattern that slipped through fails loudly
        run(FlagSpec(kind="regex", content=pattern), "a")
    assert raised.value.code == code


@pytest.mark.parametrize("pattern", ["a" * 1000, r"\p{Han}+", "(?i)x", r"flag\{[^}]{8,64}\}", r"(?P<name>a)b\z"])
def test_usable_patterns_are_accepted(pattern: str) -> None:
    validate_pattern(pattern)
    validate_pattern(pattern, case_insensitive=True)
    validate_spec(FlagSpec(kind="regex", content=pattern))


def test_generated_flag_is_pinned() -> None:
    # Flags handed out must survive upgrades: a change to the derivation has to be deliberate.
    assert generated_flag(SECRET, 1, 10) == "flag{d9a6369eed537ed91103f1217517dcc9}"
    assert generated_flag(SECRET, 2, 10, fmt="CTF[%s]", length=16) == "CTF[6fc12eb9b74d6a22]"


def test_generated_flag_is_deterministic() -> None:
    first = generated_flag(SECRET, 7, 3)
    assert first == generated_flag(SECRET, 7, 3)
    assert first == generated_flag(SECRET.decode(), 7, 3)  # a str secret is its UTF-8 bytes
    assert re.fullmatch(r"flag\{[0-9a-f]{32}\}", first)


def test_generated_flags_differ_per_account_challenge_and_secret() -> None:
    made = {generated_flag(SECRET, account, challenge) for account in range(1, 201) for challenge in range(1, 11)}
    assert len(made) == 2000
    assert generated_flag(b"other-secret", 1, 10) != generated_flag(SECRET, 1, 10)
    assert generated_flag(SECRET, 12, 3) != generated_flag(SECRET, 1, 23)  # "12:3" is not "1:23"


@pytest.mark.parametrize(
    ("fmt", "length", "pattern"),
    [
        ("flag{%s}", 32, r"flag\{[0-9a-f]{32}\}"),
        ("%s", 16, r"[0-9a-f]{16}"),
        ("CTF[%s]", 64, r"CTF\[[0-9a-f]{64}\]"),
        ("旗{%s}", 20, r"旗\{[0-9a-f]{20}\}"),
        ("100%{%s}", 16, r"100%\{[0-9a-f]{16}\}"),
    ],
)
def test_generated_flag_format_and_length(fmt: str, length: int, pattern: str) -> None:
    validate_format(fmt)
    assert re.fullmatch(pattern, generated_flag(SECRET, 1, 10, fmt=fmt, length=length))


@pytest.mark.parametrize(
    "fmt",
    ["flag{}", "flag{%s%s}", "", "flag{%d}", " flag{%s}", "flag{%s}\n", "x" * 199 + "%s"],
)
def test_invalid_formats_are_rejected(fmt: str) -> None:
    with pytest.raises(FlagError) as raised:
        validate_format(fmt)
    assert raised.value.code == "invalid_format"
    with pytest.raises(FlagError) as raised:
        generated_flag(SECRET, 1, 10, fmt=fmt)
    assert raised.value.code == "invalid_format"
    with pytest.raises(FlagError) as raised:
        validate_spec(FlagSpec(kind="generated", format=fmt))
    assert raised.value.code == "invalid_format"


@pytest.mark.parametrize(("length", "valid"), [(15, False), (16, True), (64, True), (65, False), (0, False)])
def test_generated_length_bounds(length: int, valid: bool) -> None:
    if valid:
        validate_length(length)
        validate_spec(FlagSpec(kind="generated", length=length))
        return
    with pytest.raises(FlagError) as raised:
        generated_flag(SECRET, 1, 10, length=length)
    assert raised.value.code == "invalid_length"


@pytest.mark.parametrize("secret", [b"", ""])
def test_empty_secret_is_refused(secret: bytes | str) -> None:
    with pytest.raises(FlagError) as raised:
        generated_flag(secret, 1, 10)
    assert raised.value.code == "empty_secret"


GENERATED = FlagSpec(kind="generated")
GENERATED_CI = FlagSpec(kind="generated", case_insensitive=True)
EVERYONE = (1, 2, 3, 4)


@pytest.mark.parametrize(
    ("spec", "submission", "others", "expected"),
    [
        (GENERATED, generated_flag(SECRET, ME, CHALLENGE), EVERYONE, MatchResult(matched=True)),
        (GENERATED, " " + generated_flag(SECRET, ME, CHALLENGE) + "\n", (), MatchResult(matched=True)),
        (GENERATED, generated_flag(SECRET, ME, CHALLENGE).upper(), EVERYONE, MatchResult(matched=False)),
        (GENERATED_CI, generated_flag(SECRET, ME, CHALLENGE).upper(), (), MatchResult(matched=True)),
        (GENERATED, generated_flag(SECRET, 3, CHALLENGE), EVERYONE, MatchResult(matched=False, shared_from=3)),
        (GENERATED_CI, generated_flag(SECRET, 3, CHALLENGE).upper(), EVERYONE, MatchResult(False, shared_from=3)),
        (GENERATED, generated_flag(SECRET, 3, CHALLENGE), (), MatchResult(matched=False)),  # no candidates
        (GENERATED, generated_flag(SECRET, 3, CHALLENGE), (2, 4), MatchResult(matched=False)),
        (GENERATED, generated_flag(SECRET, ME, CHALLENGE + 1), EVERYONE, MatchResult(matched=False)),
        (GENERATED, generated_flag(SECRET, 3, CHALLENGE + 1), EVERYONE, MatchResult(matched=False)),
        (GENERATED, generated_flag(b"other", 3, CHALLENGE), EVERYONE, MatchResult(matched=False)),
        (GENERATED, "flag{" + "0" * 32 + "}", EVERYONE, MatchResult(matched=False)),
        (GENERATED, "flag{wrong}", EVERYONE, MatchResult(matched=False)),
        (GENERATED, "", EVERYONE, MatchResult(matched=False)),
    ],
)
def test_generated_check(spec: FlagSpec, submission: str, others: tuple[int, ...], expected: MatchResult) -> None:
    assert run(spec, submission, others=others) == expected


def test_owner_of_generated_flag() -> None:
    leaked = generated_flag(SECRET, 42, CHALLENGE, fmt="CTF[%s]", length=20)
    assert owner_of_generated_flag(SECRET, CHALLENGE, leaked, range(1, 1000), fmt="CTF[%s]", length=20) == 42
    assert owner_of_generated_flag(SECRET, CHALLENGE, leaked, range(43, 1000), fmt="CTF[%s]", length=20) is None
    assert owner_of_generated_flag(SECRET, CHALLENGE + 1, leaked, range(1, 1000), fmt="CTF[%s]", length=20) is None
    assert owner_of_generated_flag(SECRET, CHALLENGE, leaked, range(1, 1000)) is None  # other format


def test_owner_search_skips_submissions_of_the_wrong_shape() -> None:
    def candidates() -> Iterator[int]:
        raise AssertionError("no account should be tried")
        yield 0  # pragma: no cover - makes this a generator

    for submission in ["flag{wrong}", "flag{" + "a" * 33 + "}", "", "x" * 5000]:
        assert owner_of_generated_flag(SECRET, CHALLENGE, submission, candidates()) is None


def test_submitter_is_never_reported_as_sharing_with_themselves() -> None:
    own_other_challenge = generated_flag(SECRET, ME, CHALLENGE + 1)
    spec = FlagSpec(kind="generated")
    result = check(spec, own_other_challenge, account_id=ME, challenge_id=CHALLENGE + 1, secret=SECRET)
    assert result == MatchResult(matched=True)
    result = check(
        spec,
        generated_flag(SECRET, 2, CHALLENGE),
        account_id=2,
        challenge_id=CHALLENGE,
        secret=SECRET,
        other_account_ids=(1, 2, 3),
    )
    assert result == MatchResult(matched=True, shared_from=None)


@pytest.mark.parametrize(
    "spec",
    [
        FlagSpec(kind="static", content="x" * 1001),
        FlagSpec(kind="regex", content=".*"),
        FlagSpec(kind="generated"),
    ],
)
def test_over_long_submissions_are_not_matched(spec: FlagSpec) -> None:
    assert run(spec, "x" * 1001, others=EVERYONE) == MatchResult(matched=False, too_long=True)
    assert run(spec, "x" * 1_000_000, others=EVERYONE) == MatchResult(matched=False, too_long=True)


def test_length_cap_counts_the_trimmed_submission() -> None:
    content = "x" * 1000
    spec = FlagSpec(kind="static", content=content)
    assert run(spec, content) == MatchResult(matched=True)
    assert run(spec, " " * 5000 + content + "\n") == MatchResult(matched=True)


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        (FlagSpec(kind="static", content=""), "empty_flag"),
        (FlagSpec(kind="static", content=" \u3000 "), "empty_flag"),
        (FlagSpec(kind="static", content="x" * 1001), "flag_too_long"),
        (FlagSpec(kind="generated", length=8), "invalid_length"),
        (FlagSpec(kind=cast(FlagKind, "binary"), content="x"), "unknown_kind"),
    ],
)
def test_validate_spec_rejects(spec: FlagSpec, code: str) -> None:
    with pytest.raises(FlagError) as raised:
        validate_spec(spec)
    assert raised.value.code == code


@pytest.mark.parametrize(
    "spec",
    [
        FlagSpec(kind="static", content="flag{ok}"),
        FlagSpec(kind="static", content="x" * 1000),
        FlagSpec(kind="regex", content=r"flag\{\d+\}", case_insensitive=True),
        FlagSpec(kind="generated", format="ctf{%s}", length=40),
    ],
)
def test_validate_spec_accepts(spec: FlagSpec) -> None:
    validate_spec(spec)


def test_unknown_kind_is_an_error_when_checked() -> None:
    with pytest.raises(FlagError) as raised:
        run(FlagSpec(kind=cast(FlagKind, "binary"), content="x"), "x")
    assert raised.value.code == "unknown_kind"
