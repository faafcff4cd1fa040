import asyncio
import re
from collections.abc import MutableMapping
from typing import Any

import pytest

from kakehashi.core.public_answers import PublicAnswers, cacheable, etag_matches, fresh_for_setting

ROUTE = re.compile(r"^/api/events/[^/]+/scoreboard$")
PUBLIC = [(b"content-type", b"application/json"), (b"etag", b'W/"v1"'), (b"cache-control", b"public, no-cache")]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Django:
    """Stands in for Django: records what it was asked and answers as told."""

    def __init__(self, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.status = status
        self.headers = PUBLIC if headers is None else headers
        self.asked: list[MutableMapping[str, Any]] = []
        self.body = b'{"version":1}'
        self.gate: asyncio.Event | None = None

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        self.asked.append(scope)
        if self.gate is not None:
            await self.gate.wait()
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


def scope(path: str = "/api/events/bridge/scoreboard", **headers: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "query_string": b"limit=100",
        "headers": [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()],
    }


async def call(app: PublicAnswers, request: dict[str, Any]) -> tuple[int, dict[bytes, bytes], bytes]:
    messages: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        messages.append(message)

    await app(request, receive, send)
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], dict(start["headers"]), body


def layer(django: Django, clock: Clock, fresh_for: float = 0.1) -> PublicAnswers:
    return PublicAnswers(
        django,
        routes=[ROUTE],
        session_cookie="kakehashi_session",
        kept_cookies=("kakehashi_language", "kakehashi_tz"),
        fresh_for=fresh_for,
        clock=clock,
    )


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_a_fresh_answer_is_served_without_asking_django_again() -> None:
    django, clock = Django(), Clock()
    app = layer(django, clock)

    async def scenario() -> list[tuple[int, dict[bytes, bytes], bytes]]:
        first = await call(app, scope(host="ctf.example"))
        clock.now += 0.05
        second = await call(app, scope(host="ctf.example"))
        return [first, second]

    first, second = run(scenario())
    assert len(django.asked) == 1
    assert first == second
    assert first[0] == 200
    assert first[2] == b'{"version":1}'


def test_an_answer_older_than_the_window_is_asked_again_and_the_new_one_served() -> None:
    django, clock = Django(), Clock()
    app = layer(django, clock)

    async def scenario() -> bytes:
        await call(app, scope())
        clock.now += 0.1
        django.body = b'{"version":2}'
        return (await call(app, scope()))[2]

    assert run(scenario()) == b'{"version":2}'
    assert len(django.asked) == 2


def test_django_is_asked_an_anonymous_copy_with_only_what_chooses_the_answer() -> None:
    django, clock = Django(), Clock()
    app = layer(django, clock)
    request = scope(
        host="ctf.example",
        accept_language="ja",
        cookie="kakehashi_csrftoken=abc; kakehashi_language=ja; tracker=1",
        if_none_match='W/"old"',
        user_agent="poller",
    )
    run(call(app, request))
    asked = django.asked[0]
    assert sorted(asked["headers"]) == [
        (b"accept-language", b"ja"),
        (b"cookie", b"kakehashi_language=ja"),
        (b"host", b"ctf.example"),
    ]
    assert asked["path"] == request["path"]
    assert asked["query_string"] == b"limit=100"


def test_answers_are_kept_apart_by_language_cookie_host_and_query() -> None:
    django, clock = Django(), Clock()
    app = layer(django, clock)

    async def scenario() -> None:
        await call(app, scope(accept_language="en"))
        await call(app, scope(accept_language="ja"))
        await call(app, scope(accept_language="ja", cookie="kakehashi_language=en"))
        await call(app, scope(accept_language="ja", host="other.example"))
        other_page = scope(accept_language="en")
        other_page["query_string"] = b"limit=10"
        await call(app, other_page)
        await call(app, scope(accept_language="ja", cookie="kakehashi_language=en; unrelated=1"))

    run(scenario())
    assert len(django.asked) == 5


@pytest.mark.parametrize(
    "request_scope",
    [
        scope(authorization="Token abc"),
        scope(cookie="kakehashi_session=xyz"),
        scope(path="/api/events/bridge/challenges"),
        {**scope(), "method": "POST"},
        {**scope(), "method": "HEAD"},
    ],
    ids=["token", "session", "other-route", "post", "head"],
)
def test_requests_with_credentials_or_elsewhere_go_to_django_untouched(request_scope: dict[str, Any]) -> None:
    django, clock = Django(), Clock()
    app = layer(django, clock)

    async def scenario() -> None:
        await call(app, request_scope)
        await call(app, request_scope)

    run(scenario())
    assert django.asked == [request_scope, request_scope]


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (404, [(b"content-type", b"application/json")]),
        (200, [(b"etag", b'W/"v1"'), (b"cache-control", b"private, no-cache")]),
        (200, [(b"etag", b'W/"v1"'), (b"cache-control", b"public, no-cache"), (b"set-cookie", b"a=b")]),
        (200, [(b"cache-control", b"public, no-cache")]),
        (200, [(b"etag", b'W/"v1"')]),
    ],
    ids=["error", "private", "set-cookie", "no-etag", "no-cache-control"],
)
def test_answers_django_did_not_mark_public_are_returned_once_and_never_kept(
    status: int, headers: list[tuple[bytes, bytes]]
) -> None:
    django, clock = Django(status, headers), Clock()
    app = layer(django, clock)

    async def scenario() -> list[tuple[int, dict[bytes, bytes], bytes]]:
        return [await call(app, scope()), await call(app, scope())]

    answers = run(scenario())
    assert [a[0] for a in answers] == [status, status]
    assert len(django.asked) == 2  # asked once per request: never twice for one, never kept


def test_if_none_match_gets_304_without_a_body_while_the_version_holds() -> None:
    django, clock = Django(), Clock()
    app = layer(django, clock)

    async def scenario() -> list[tuple[int, dict[bytes, bytes], bytes]]:
        return [
            await call(app, scope(if_none_match='W/"v1"')),
            await call(app, scope(if_none_match='"v1", W/"v0"')),
            await call(app, scope(if_none_match='W/"v0"')),
        ]

    matched, listed, other = run(scenario())
    assert matched[0] == 304
    assert matched[2] == b""
    assert matched[1][b"etag"] == b'W/"v1"'
    assert b"content-type" not in matched[1]
    assert listed[0] == 304
    assert other[0] == 200
    assert other[2] == django.body
    assert len(django.asked) == 1


def test_concurrent_readers_share_one_question_to_django() -> None:
    django, clock = Django(), Clock()
    django.gate = asyncio.Event()
    app = layer(django, clock)

    async def scenario() -> list[tuple[int, dict[bytes, bytes], bytes]]:
        readers = [asyncio.create_task(call(app, scope())) for _ in range(20)]
        await asyncio.sleep(0)
        assert django.gate is not None
        django.gate.set()
        return await asyncio.gather(*readers)

    answers = run(scenario())
    assert len(django.asked) == 1
    assert {a[2] for a in answers} == {b'{"version":1}'}


def test_while_one_reader_refreshes_the_others_get_the_answer_being_replaced() -> None:
    django, clock = Django(), Clock()
    app = layer(django, clock)

    async def scenario() -> tuple[bytes, bytes, bytes]:
        await call(app, scope())
        clock.now += 1
        django.body = b'{"version":2}'
        django.gate = asyncio.Event()
        refreshing = asyncio.create_task(call(app, scope()))
        await asyncio.sleep(0)
        meanwhile = await call(app, scope())
        django.gate.set()
        return (await refreshing)[2], meanwhile[2], (await call(app, scope()))[2]

    refreshed, meanwhile, after = run(scenario())
    assert meanwhile == b'{"version":1}'
    assert refreshed == after == b'{"version":2}'
    assert len(django.asked) == 2


def test_a_zero_window_turns_the_layer_off() -> None:
    django, clock = Django(), Clock()
    app = layer(django, clock, fresh_for=0)

    async def scenario() -> None:
        await call(app, scope())
        await call(app, scope())

    run(scenario())
    assert len(django.asked) == 2
    assert django.asked[0]["headers"] == []


def test_helpers() -> None:
    assert cacheable(200, PUBLIC) == b'W/"v1"'
    assert cacheable(200, [(b"ETag", b'"x"'), (b"Cache-Control", b"public, no-store")]) is None
    assert etag_matches(b"*", b'W/"a"')
    assert not etag_matches(b'"b"', b'W/"a"')


@pytest.mark.parametrize(("raw", "seconds"), [("", None), ("100", 0.1), ("0", 0.0), ("2500", 2.5)])
def test_the_window_setting(monkeypatch: pytest.MonkeyPatch, raw: str, seconds: float | None) -> None:
    if raw:
        monkeypatch.setenv("KAKEHASHI_PUBLIC_CACHE_MS", raw)
    else:
        monkeypatch.delenv("KAKEHASHI_PUBLIC_CACHE_MS", raising=False)
    assert fresh_for_setting() == (0.1 if seconds is None else seconds)


@pytest.mark.parametrize("raw", ["fast", "-1", "10001", "0.5"])
def test_a_bad_window_setting_is_refused_with_the_reason(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("KAKEHASHI_PUBLIC_CACHE_MS", raw)
    with pytest.raises(ValueError, match="KAKEHASHI_PUBLIC_CACHE_MS"):
        fresh_for_setting()
