from datetime import UTC, datetime

import pytest

from kakehashi.audit.changes import REDACTED, diff, is_secret, jsonable, redact


@pytest.mark.parametrize(
    ("before", "after", "old", "new"),
    [
        ({"a": 1, "b": 2}, {"a": 1, "b": 3}, {"b": 2}, {"b": 3}),
        ({"a": 1}, {"a": 1}, {}, {}),
        ({"a": 1}, {}, {"a": 1}, {}),
        ({}, {"a": 1}, {}, {"a": 1}),
        ({"a": None}, {"a": 0}, {"a": None}, {"a": 0}),
        (
            {"texts": {"en": {"title": "A", "body": "x"}, "ja": {"title": "あ"}}},
            {"texts": {"en": {"title": "B", "body": "x"}, "ja": {"title": "あ"}}},
            {"texts": {"en": {"title": "A"}}},
            {"texts": {"en": {"title": "B"}}},
        ),
        ({"tags": ["a", "b"]}, {"tags": ["b", "a"]}, {"tags": ["a", "b"]}, {"tags": ["b", "a"]}),
        ({"texts": {"en": {"title": "A"}}}, {"texts": {"en": {"title": "A"}}}, {}, {}),
    ],
)
def test_diff_keeps_only_what_differs(before: dict, after: dict, old: dict, new: dict) -> None:  # type: ignore[type-arg]
    assert diff(before, after) == (old, new)


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True),
        ("new_password", True),
        ("token", True),
        ("api_key", True),
        ("flag_secret", True),
        ("digest", True),
        ("content_fingerprint", False),
        ("invite_code_fingerprint", False),
        ("value", False),
        ("content", False),
    ],
)
def test_is_secret(key: str, secret: bool) -> None:
    assert is_secret(key) is secret


def test_redact_at_any_depth() -> None:
    value = {"user": {"password": "hunter2", "name": "taro"}, "rows": [{"token": "abc"}], "value": 3}
    assert redact(value) == {"user": {"password": REDACTED, "name": "taro"}, "rows": [{"token": REDACTED}], "value": 3}


def test_jsonable_reads_as_stored() -> None:
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert jsonable({"at": moment, "tags": ("a", "b")}) == {"at": "2026-03-01T09:30:00Z", "tags": ["a", "b"]}
