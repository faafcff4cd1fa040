"""Versions in the shared cache: made when missing, changed at once and again after the commit."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from kakehashi.core import versions

pytestmark = pytest.mark.django_db


def test_missing_versions_are_made_and_then_kept() -> None:
    first = versions.current(["v:a", "v:b"])
    assert first is not None
    assert set(first) == {"v:a", "v:b"}
    assert first["v:a"] != first["v:b"]
    assert versions.current(["v:a", "v:b"]) == first


def test_a_change_is_made_at_once_and_again_after_the_commit(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    before = versions.current(["v:a", "v:b"])
    assert before is not None
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        versions.change(["v:a", "v:a"])
    at_once = versions.current(["v:a", "v:b"])
    assert at_once is not None
    assert at_once["v:a"] != before["v:a"]
    assert at_once["v:b"] == before["v:b"]
    assert len(callbacks) == 1
    callbacks[0]()
    assert cache.get("v:a") not in {before["v:a"], at_once["v:a"]}


def test_nothing_to_change_writes_nothing(django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        versions.change([])
    assert callbacks == []


def test_what_the_caller_read_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    cache.set("v:a", "seen")

    def no_read(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("read again")

    monkeypatch.setattr(cache, "get_many", no_read)
    assert versions.current(["v:a"], known={"v:a": "seen"}) == {"v:a": "seen"}


def test_a_cache_that_keeps_nothing_gives_no_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)
    monkeypatch.setattr(cache, "get_many", lambda keys, **kwargs: {})
    assert versions.current(["v:a"]) is None
