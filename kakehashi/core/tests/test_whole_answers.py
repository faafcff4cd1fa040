"""Small requests of chosen routes travel whole between the event loop and the thread pool; the rest
goes to the general bridge."""

import asyncio
import re
import threading
from collections.abc import Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from kakehashi.core.whole_answers import LARGEST_BODY, WholeAnswers

ROUTE = re.compile(r"^/api/things/[0-9]+$")


class App:
    """A WSGI application that records what it was given."""

    def __init__(self, *, chunks: tuple[bytes, ...] = (b'{"ok":', b"true}"), fail: bool = False) -> None:
        self.chunks = chunks
        self.fail = fail
        self.environ: dict[str, Any] = {}
        self.body = b""
        self.thread = ""
        self.closed = False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        self.environ = environ
        self.body = environ["wsgi.input"].read()
        self.thread = threading.current_thread().name
        if self.fail:
            raise RuntimeError("broken")
        start_response("201 Created", [("Content-Type", "application/json"), ("X-Kept", "yes")])
        return self._chunks()

    def _chunks(self) -> Iterator[bytes]:
        try:
            yield from self.chunks
        finally:
            self.closed = True


class Fallback:
    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def scope(path: str = "/api/things/7", method: str = "POST", headers: list[tuple[bytes, bytes]] | None = None) -> Any:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": b"",
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": headers if headers is not None else [(b"content-type", b"application/json")],
    }


def run(app: App, scope: Any, messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Fallback]:
    fallback = Fallback()
    sent: list[dict[str, Any]] = []
    pending = list(messages)

    async def receive() -> dict[str, Any]:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    with ThreadPoolExecutor(thread_name_prefix="pool") as executor:
        whole = WholeAnswers(app, executor=executor, routes=[ROUTE], fallback=fallback)
        asyncio.run(whole(scope, receive, send))
    return sent, fallback


def body_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]


def test_a_small_request_is_answered_whole_from_a_pool_thread() -> None:
    app = App()
    body = b'{"flag": "flag{x}"}'
    sent, fallback = run(app, scope(headers=body_headers(body)), [{"type": "http.request", "body": body}])
    assert not fallback.scopes
    assert app.body == body
    assert app.thread.startswith("pool")
    assert app.environ["PATH_INFO"] == "/api/things/7"
    assert app.environ["CONTENT_LENGTH"] == str(len(body))
    assert app.environ["REMOTE_ADDR"] == "127.0.0.1"
    assert app.closed
    assert sent == [
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"content-type", b"application/json"), (b"x-kept", b"yes")],
        },
        {"type": "http.response.body", "body": b'{"ok":true}'},
    ]


def test_a_body_in_several_parts_is_joined() -> None:
    app = App()
    parts = [b'{"flag": ', b'"flag{', b'x}"}']
    messages = [{"type": "http.request", "body": part, "more_body": True} for part in parts[:-1]]
    messages.append({"type": "http.request", "body": parts[-1], "more_body": False})
    run(app, scope(headers=body_headers(b"".join(parts))), messages)
    assert app.body == b"".join(parts)


def test_a_request_without_a_body_is_not_waited_for() -> None:
    app = App()
    sent, fallback = run(app, scope(method="GET", headers=[]), [])
    assert not fallback.scopes
    assert app.body == b""
    assert sent[0]["status"] == 201


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/other", []),
        ("/api/things/7", [(b"transfer-encoding", b"chunked")]),
        ("/api/things/7", [(b"content-length", str(LARGEST_BODY + 1).encode())]),
        ("/api/things/7", [(b"content-length", b"many")]),
    ],
    ids=["another route", "chunked body", "large body", "unusable length"],
)
def test_everything_else_goes_to_the_general_bridge(path: str, headers: list[tuple[bytes, bytes]]) -> None:
    app = App()
    sent, fallback = run(app, scope(path=path, headers=headers), [])
    assert len(fallback.scopes) == 1
    assert app.environ == {}
    assert sent[0]["status"] == 204


def test_a_client_gone_before_its_body_arrived_is_not_answered() -> None:
    app = App()
    sent, _fallback = run(app, scope(headers=body_headers(b"12345")), [{"type": "http.disconnect"}])
    assert sent == []
    assert app.environ == {}


def test_an_error_in_the_application_reaches_the_server() -> None:
    with pytest.raises(RuntimeError, match="broken"):
        run(App(fail=True), scope(method="GET", headers=[]), [])


def test_a_replaced_status_wins() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("X-First", "1")])
        start_response("500 Internal Server Error", [("X-Second", "2")], (RuntimeError, RuntimeError(), None))
        return [b"late error"]

    sent, _fallback = run(app, scope(method="GET", headers=[]), [])  # type: ignore[arg-type]
    assert sent[0]["status"] == 500
    assert sent[0]["headers"] == [(b"x-second", b"2")]
    assert sent[1]["body"] == b"late error"
