"""Small JSON requests and answers of the WSGI application, passed whole between the event loop and
a pool thread: two thread hops per request instead of a2wsgi's five or more.

a2wsgi (the general bridge, used for every other request) streams: the request thread asks the
event loop for the body, and hands it the status line, each chunk of the answer and its end, each
time waiting for the loop to take it. On a busy two-core machine every such hand-over is a pair of
context switches, and for the requests that matter most at the start of an event (a player's
challenge list and flag submissions) those switches cost more than the answer itself.

For the routes given here, a request whose body is announced with ``Content-Length`` and is no
larger than :data:`LARGEST_BODY` is read on the loop, the application runs in the same thread pool
as a2wsgi's with that body, and its whole answer (these routes answer small JSON documents) is sent
from the loop when the thread is done. Anything else on those routes (a chunked or larger body, a
client that disconnects before its body has arrived) goes to the general bridge, and so does every
other route.
"""

import asyncio
import contextvars
import functools
import io
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from concurrent.futures import Executor
from re import Pattern
from typing import Any

from a2wsgi.wsgi import build_environ

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Environ = dict[str, Any]
WSGIApp = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]

LARGEST_BODY = 64 * 1024  # bytes; a larger request body is streamed by the general bridge


def _announced_length(scope: Scope) -> int | None:
    """The body's length from ``Content-Length`` (0 when there is neither it nor a chunked body),
    or ``None`` when the body is chunked or the header is unusable."""
    length = 0
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return None
    return length if length >= 0 else None


class WholeAnswers:
    """ASGI application: the routes in ``routes`` as described in the module, everything else to ``fallback``."""

    def __init__(self, app: WSGIApp, *, executor: Executor, routes: Iterable[Pattern[str]], fallback: ASGIApp) -> None:
        self.app = app
        self.executor = executor
        self.routes = tuple(routes)
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = _announced_length(scope) if scope["type"] == "http" else None
        path = scope.get("path", "")
        if length is None or length > LARGEST_BODY or not any(route.match(path) for route in self.routes):
            await self.fallback(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while received < length:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            chunks.append(chunk)
            received += len(chunk)
            if not message.get("more_body", False):
                break
        environ: Environ = dict(build_environ(scope, io.BytesIO(b"".join(chunks))))  # type: ignore[arg-type]
        run = functools.partial(contextvars.copy_context().run, self._answer, environ)
        status, headers, body = await asyncio.get_running_loop().run_in_executor(self.executor, run)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _answer(self, environ: Environ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """In a pool thread: the application's whole answer."""
        started: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            # Nothing has been sent yet, so a later call (with ``exc_info``) simply replaces the first.
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = [
                (name.strip().encode("latin1").lower(), value.strip().encode("latin1")) for name, value in headers
            ]
            return written.append

        written: list[bytes] = []
        iterable = self.app(environ, start_response)
        try:
            written.extend(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        if "status" not in started:
            raise RuntimeError("the application returned without starting a response")
        return started["status"], started["headers"], b"".join(written)
