"""What judging needs of a challenge, kept by version: read once, read again after any write to it."""

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kakehashi.ctf import known_challenges
from kakehashi.ctf.models import Challenge, ChallengeTranslation, Flag
from kakehashi.ctf.services import challenges as challenge_services
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory

pytestmark = pytest.mark.django_db


def rules_and_queries(challenge_id: int) -> tuple[known_challenges.Rules | None, int]:
    with CaptureQueriesContext(connection) as captured:
        found = known_challenges.rules(challenge_id)
    return found, len(captured.captured_queries)


@pytest.fixture
def challenge() -> Challenge:
    challenge = ChallengeFactory.create(max_attempts=3)
    FlagFactory.create(challenge=challenge, content="flag{one}")
    FlagFactory.create(challenge=challenge, kind="regex", content=r"flag\{t[0-9]+\}", case_insensitive=True)
    return challenge


def test_rules_are_read_once_then_kept(challenge: Challenge) -> None:
    first, first_queries = rules_and_queries(challenge.pk)
    assert first is not None
    assert first_queries == 4  # the row, its texts, its flags, its prerequisites
    assert first.challenge.pk == challenge.pk
    assert first.challenge.max_attempts == 3
    assert [(flag.kind, flag.content, flag.case_insensitive) for flag in first.flags] == [
        ("static", "flag{one}", False),
        ("regex", r"flag\{t[0-9]+\}", True),
    ]
    assert first.required == frozenset()
    assert first.titles == {"en": "Bridge", "ja": "橋"}
    again, again_queries = rules_and_queries(challenge.pk)
    assert again_queries == 0
    assert again is first


def test_an_unknown_challenge_is_none() -> None:
    assert known_challenges.rules(987654) is None


def _flag(challenge: Challenge) -> Flag:
    return Flag.objects.filter(challenge=challenge).order_by("pk").first()  # type: ignore[return-value]


CHANGES: dict[str, Callable[[Challenge], Any]] = {
    "flag added": lambda c: challenge_services.flag_create(challenge=c, kind="static", content="flag{new}"),
    "flag changed": lambda c: challenge_services.flag_update(flag=_flag(c), content="flag{changed}"),
    "flag deleted": lambda c: challenge_services.flag_delete(flag=_flag(c)),
    "flag saved directly": lambda c: Flag.objects.create(challenge=c, content="flag{admin}"),
    "flags updated in bulk": lambda c: Flag.objects.filter(challenge=c).update(case_insensitive=True),
    "challenge locked": lambda c: challenge_services.challenge_update(challenge=c, state="locked"),
    "challenge updated in bulk": lambda c: Challenge.objects.filter(pk=c.pk).update(max_attempts=9),
    "title changed": lambda c: challenge_services.challenge_set_translation(
        challenge=c, language_code="ja", title="新しい橋", description="渡る。"
    ),
    "titles updated in bulk": lambda c: ChallengeTranslation.objects.filter(challenge=c).update(title="T"),
    "prerequisite set": lambda c: challenge_services.prerequisites_set(
        challenge=c, prerequisites=[ChallengeFactory.create(event=c.event)]
    ),
    "prerequisite added from the other side": lambda c: ChallengeFactory.create(event=c.event).unlocks.add(c),
}


def _view(rules: known_challenges.Rules | None) -> tuple[Any, ...]:
    assert rules is not None
    return (rules.challenge.state, rules.challenge.max_attempts, rules.flags, rules.required, dict(rules.titles))


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_write_is_seen_by_the_next_read(challenge: Challenge, change: Callable[[Challenge], Any]) -> None:
    before = known_challenges.rules(challenge.pk)
    change(challenge)
    after, queries = rules_and_queries(challenge.pk)
    assert queries == 4
    assert _view(after) != _view(before)


def test_a_cleared_cache_means_reading_again(challenge: Challenge) -> None:
    before = known_challenges.rules(challenge.pk)
    cache.clear()
    after, queries = rules_and_queries(challenge.pk)
    assert queries == 4
    assert after is not before
    assert _view(after) == _view(before)


def test_a_prerequisite_removed_from_either_side_is_seen(challenge: Challenge) -> None:
    first, second = ChallengeFactory.create_batch(2, event=challenge.event)
    challenge.prerequisites.set([first, second])
    assert known_challenges.rules(challenge.pk).required == {first.pk, second.pk}  # type: ignore[union-attr]
    first.unlocks.remove(challenge)
    assert known_challenges.rules(challenge.pk).required == {second.pk}  # type: ignore[union-attr]
    second.unlocks.clear()
    assert known_challenges.rules(challenge.pk).required == frozenset()  # type: ignore[union-attr]


def test_a_change_elsewhere_keeps_the_rules(challenge: Challenge) -> None:
    known_challenges.rules(challenge.pk)
    other = ChallengeFactory.create(event=challenge.event)
    FlagFactory.create(challenge=other)
    _rules, queries = rules_and_queries(challenge.pk)
    assert queries == 0


def test_a_version_read_by_the_caller_costs_no_cache_read(challenge: Challenge, monkeypatch: Any) -> None:
    known_challenges.rules(challenge.pk)
    key = known_challenges.version_key(challenge.pk)
    known = cache.get_many([key])

    def no_read(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the shared cache was read")

    monkeypatch.setattr(cache, "get", no_read)
    assert known_challenges.rules(challenge.pk, known=known) is not None


def test_without_the_shared_cache_every_read_goes_to_the_database(challenge: Challenge, monkeypatch: Any) -> None:
    monkeypatch.setattr(known_challenges, "_shared_cache_down", lambda: True)
    known_challenges.rules(challenge.pk)
    _rules, queries = rules_and_queries(challenge.pk)
    assert queries == 4


def test_rules_are_read_again_after_their_maximum_age(challenge: Challenge, monkeypatch: Any) -> None:
    known_challenges.rules(challenge.pk)
    later = time.monotonic() + known_challenges.MAX_AGE + 1
    monkeypatch.setattr("kakehashi.ctf.known_challenges.time.monotonic", lambda: later)
    _rules, queries = rules_and_queries(challenge.pk)
    assert queries == 4
