"""Regular-expression flags with hostile patterns, and very long submissions against them.

A pattern is either refused when the organiser writes it, with a translated message, or accepted and
then matched by RE2, whose matching time is linear in the input. Time is bounded by construction, not
measured: the pattern compiles to an RE2 program (no backtracking engine is ever used), the program's
size is capped by RE2's memory budget, and no submission longer than ``MAX_SUBMISSION_LENGTH``
characters ever reaches the matcher.
"""

from dataclasses import dataclass
from typing import Any

import pytest
import re2
from django.test import Client

from kakehashi.accounts import services as accounts
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf import flags
from kakehashi.ctf.models import Challenge, EventStaff, Flag, Participant, Submission
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

# Accepted: RE2 matches them in linear time although a backtracking engine would not finish.
CATASTROPHIC = [r"(a+)+$", r"(a|aa)+$", r"(.*a){25}", r"(x+x+)+y", r"^(\w+\s?)*$", r"(a|a?)+b"]
# Accepted although large: within RE2's nesting and program limits.
LARGE = [r"[\x{0}-\x{10FFFF}]{1000}[\x{0}-\x{10FFFF}]{1000}", "(" * 500 + ")" * 500, ".{1000}" * 4]
# Refused: RE2 cannot express them, or they are too large to compile within its budget.
REFUSED = {
    r"(a)\1": "unsupported_regex",  # back-reference
    r"(?P<x>a)(?P=x)": "unsupported_regex",
    r"(?=flag)flag": "unsupported_regex",  # look-ahead
    r"(?<=x)flag": "unsupported_regex",  # look-behind
    r"(?!x)flag": "unsupported_regex",
    "a{100000}": "unsupported_regex",  # RE2 repeats at most 1000 times
    "((a{100}){100}){100}": "unsupported_regex",  # nested counts multiply past that
    r"\pL{1000}": "regex_too_complex",  # over RE2's memory budget for one program
    r"(?i)\pL{500}\pL{500}": "regex_too_complex",
    "a" * (flags.MAX_PATTERN_LENGTH + 1): "regex_too_long",
    "[": "invalid_regex",
    "(?P<": "invalid_regex",
}


@dataclass
class Organiser:
    challenge: int
    headers: dict[str, str]

    def add_flag(self, pattern: str, language: str = "en") -> Any:
        return Client().post(
            f"/api/manage/challenges/{self.challenge}/flags",
            {"kind": "regex", "content": pattern},
            content_type="application/json",
            headers={**self.headers, "Accept-Language": language},
        )


@pytest.fixture
def organiser(db: Any) -> Organiser:
    event = EventFactory.create(is_default=True)
    user = UserFactory.create()
    EventStaff.objects.create(event=event, user=user, role="organiser")
    challenge = ChallengeFactory.create(event=event)
    _row, raw = accounts.api_token_create(user=user)
    return Organiser(challenge=challenge.pk, headers={"Authorization": f"Token {raw}"})


@pytest.mark.parametrize("pattern", sorted(REFUSED), ids=lambda pattern: pattern[:30])
def test_unusable_pattern_is_refused_with_a_translated_message(organiser: Organiser, pattern: str) -> None:
    messages = {}
    for language in ("en", "ja"):
        response = organiser.add_flag(pattern, language)
        assert response.status_code == 422, response.content
        details = response.json()["details"]
        assert [(detail["field"], detail["code"]) for detail in details] == [("content", REFUSED[pattern])]
        messages[language] = details[0]["message"]
    assert messages["en"]
    if REFUSED[pattern] != "regex_too_complex":  # new message: its Japanese is in the branch's translation file
        assert messages["en"] != messages["ja"]
    assert not Flag.objects.filter(kind="regex").exists()


@pytest.mark.parametrize("pattern", CATASTROPHIC + LARGE, ids=lambda pattern: pattern[:30])
def test_catastrophic_pattern_is_accepted_and_compiles_to_re2(organiser: Organiser, pattern: str) -> None:
    response = organiser.add_flag(pattern)
    assert response.status_code == 201, response.content
    compiled = flags._compile(pattern, case_insensitive=False)
    assert isinstance(compiled, re2._Regexp)  # RE2's automaton: linear in the input, no backtracking


class _Recording:
    """Wraps a compiled pattern and records the length of every text handed to it."""

    def __init__(self, compiled: Any, seen: list[int]) -> None:
        self.compiled = compiled
        self.seen = seen

    def fullmatch(self, text: str) -> object | None:
        self.seen.append(len(text))
        found: object | None = self.compiled.fullmatch(text)
        return found


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_submission_of_100_kb_never_reaches_the_matcher(pattern: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    original = flags._compile
    monkeypatch.setattr(flags, "_compile", lambda p, **kw: _Recording(original(p, **kw), seen))
    spec = flags.FlagSpec(kind="regex", content=pattern)
    for text in ("a" * 100_000, "a" * 100_000 + "!", " " * 99_000 + "a" * 1_001, "x" * 1_000_000 + "y"):
        result = flags.check(spec, text, account_id=1, challenge_id=1, secret="s")
        assert result == flags.MatchResult(matched=False, too_long=True)
        assert not flags.regex_matches(pattern, text)
    assert all(length <= flags.MAX_SUBMISSION_LENGTH for length in seen)
    flags.regex_matches(pattern, "a" * flags.MAX_SUBMISSION_LENGTH + "!")
    assert seen == []  # too long: refused before matching


def test_the_longest_allowed_submission_is_matched(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    original = flags._compile
    monkeypatch.setattr(flags, "_compile", lambda p, **kw: _Recording(original(p, **kw), seen))
    assert flags.regex_matches(r"(a+)+$", "a" * flags.MAX_SUBMISSION_LENGTH)
    assert not flags.regex_matches(r"(a+)+$", "a" * (flags.MAX_SUBMISSION_LENGTH - 1) + "!")
    assert seen == [flags.MAX_SUBMISSION_LENGTH, flags.MAX_SUBMISSION_LENGTH]


@pytest.fixture
def player_of(organiser: Organiser) -> Participant:
    challenge = Challenge.objects.select_related("event").get(pk=organiser.challenge)
    Flag.objects.create(challenge=challenge, kind="regex", content=r"(a+)+$")
    return ParticipantFactory.create(event=challenge.event)


def test_long_submissions_through_the_apis(organiser: Organiser, player_of: Participant) -> None:
    """The native API refuses more than 1,000 characters; the CTFd API (which has no limit in CTFd)
    answers "incorrect" without matching, and stores only the first 1,000 characters."""
    _row, raw = accounts.api_token_create(user=player_of.user)
    headers = {"Authorization": f"Token {raw}", "Accept-Language": "ja"}
    native = Client().post(
        f"/api/challenges/{organiser.challenge}/attempts",
        {"flag": "a" * 100_000},
        content_type="application/json",
        headers=headers,
    )
    assert native.status_code == 422
    assert native.json()["details"][0]["field"] == "flag"
    ctfd = Client().post(
        "/api/v1/challenges/attempt",
        {"challenge_id": organiser.challenge, "submission": "a" * 100_000},
        content_type="application/json",
        headers=headers,
    )
    assert ctfd.status_code == 200
    assert ctfd.json()["data"]["status"] == "incorrect"
    stored = Submission.objects.get()
    assert stored.result == "incorrect"
    assert len(stored.provided) == 1_000
    correct = Client().post(
        f"/api/challenges/{organiser.challenge}/attempts",
        {"flag": "a" * 1_000},
        content_type="application/json",
        headers=headers,
    )
    assert correct.json()["result"] == "correct"
