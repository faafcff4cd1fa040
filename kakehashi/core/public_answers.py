"""Anonymous answers that are the same for everyone, kept in this process for a fraction of a second.

The public scoreboard is read by every spectator and every polling script at once, and its answer
does not depend on who asks. Django prepares it once per scoring change (:mod:`kakehashi.ctf.prepared`)
but still spends most of a request on its own machinery: middleware, URL resolution, the event lookup
and the access rules. This layer sits in front of Django, on the event loop, and answers a request
for such a route from the answer Django gave to the same anonymous request less than
``fresh_for`` seconds ago (100 ms by default, ``KAKEHASHI_PUBLIC_CACHE_MS``; 0 turns it off):

- Only ``GET`` requests without credentials (no ``Authorization`` header, no session cookie) to the
  listed routes take this path; any other request goes to Django as before.
- Django itself decides what is cacheable: only a ``200`` whose ``Cache-Control`` says ``public``,
  with an ``ETag`` and without ``Set-Cookie``, is kept. Errors are never kept, so a bad query string
  always gets Django's own answer.
- The answer is asked of Django with an anonymous copy of the request: path, query string, host,
  scheme, ``Accept-Language``, and only the cookies that choose the language and time zone. Those
  are also what the answer is kept under, so a reader gets exactly what Django would have given it.
- A kept answer is served while fresh; when it is older, the next request asks Django again, and
  requests arriving meanwhile get the answer being replaced (at most one question per route at a
  time). ``If-None-Match`` is answered here, with ``304``, as Django would.

So a change (a new solve) reaches readers at most ``fresh_for`` plus one Django request later.
"""

import asyncio
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from re import Pattern
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KEPT_ROUTES = 64  # distinct (route, language, query) answers kept per process
LARGEST = 8 * 1024 * 1024  # bytes; a larger answer is not kept
FORWARDED = (b"host", b"accept-language", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-port")
NOT_MODIFIED_DROPS = {b"content-type", b"content-length"}


def fresh_for_setting() -> float:
    """Seconds a kept answer is served without asking Django (``KAKEHASHI_PUBLIC_CACHE_MS``)."""
    raw = os.environ.get("KAKEHASHI_PUBLIC_CACHE_MS", "100").strip()
    try:
        milliseconds = int(raw)
    except ValueError:
        raise ValueError(f"KAKEHASHI_PUBLIC_CACHE_MS must be a whole number of milliseconds, not {raw!r}") from None
    if not 0 <= milliseconds <= 10_000:
        raise ValueError("KAKEHASHI_PUBLIC_CACHE_MS must be between 0 and 10000")
    return milliseconds / 1000


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    taken_at: float


def cacheable(status: int, headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """The answer's ``ETag`` when Django marked it as the same for everyone, else ``None``."""
    if status != 200:
        return None
    etag = None
    public = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"set-cookie":
            return None
        if lowered == b"etag":
            etag = value
        elif lowered == b"cache-control":
            directives = {part.strip().lower() for part in value.split(b",")}
            public = b"public" in directives and b"private" not in directives and b"no-store" not in directives
    return etag if public else None


def etag_matches(header: bytes, etag: bytes) -> bool:
    """Weak comparison of ``If-None-Match`` against ``etag`` (RFC 9110), as Django's view does."""
    wanted = etag.removeprefix(b"W/")
    return any(
        candidate == b"*" or candidate.removeprefix(b"W/") == wanted
        for candidate in (part.strip() for part in header.split(b","))
    )


class PublicAnswers:
    """ASGI middleware in front of ``app`` (Django); see the module's description."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Iterable[Pattern[str]],
        session_cookie: str,
        kept_cookies: Iterable[str],
        fresh_for: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.routes = tuple(routes)
        self.session_cookie = session_cookie
        self.kept_cookies = tuple(kept_cookies)
        self.fresh_for = fresh_for
        self.clock = clock
        self._answers: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()
        self._asking: dict[tuple[Any, ...], asyncio.Future[Answer | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._eligible(scope) if self.fresh_for > 0 else None
        if found is None:
            await self.app(scope, receive, send)
            return
        key, forwarded = found
        answer = self._answers.get(key)
        if answer is None or self.clock() - answer.taken_at >= self.fresh_for:
            answer = await self._refresh(key, scope, forwarded, stale=answer)
        if answer is None:  # someone else's question had an answer that is not to be shared
            await self.app(scope, receive, send)
            return
        await self._reply(scope, send, answer)

    def _eligible(self, scope: Scope) -> tuple[tuple[Any, ...], list[tuple[bytes, bytes]]] | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path = scope["path"]
        if not any(route.match(path) for route in self.routes):
            return None
        forwarded: list[tuple[bytes, bytes]] = []
        cookies: dict[str, str] = {}
        for name, value in scope["headers"]:
            if name == b"authorization":
                return None
            if name == b"cookie":
                try:
                    jar = SimpleCookie(value.decode("latin-1"))
                except CookieError:
                    return None
                if self.session_cookie in jar:
                    return None
                cookies.update({k: jar[k].value for k in self.kept_cookies if k in jar})
            elif name in FORWARDED:
                forwarded.append((name, value))
        if cookies:
            forwarded.append((b"cookie", "; ".join(f"{k}={v}" for k, v in sorted(cookies.items())).encode("latin-1")))
        forwarded.sort()
        key = (scope.get("scheme"), path, scope.get("query_string", b""), tuple(forwarded))
        return key, forwarded

    async def _refresh(
        self, key: tuple[Any, ...], scope: Scope, forwarded: list[tuple[bytes, bytes]], *, stale: Answer | None
    ) -> Answer | None:
        """A fresh answer for ``key``; the caller's own answer even when it is not to be kept."""
        asking = self._asking.get(key)
        if asking is not None:
            # Someone is already asking Django: serve the answer being replaced, or wait for the new one.
            return stale if stale is not None else await asyncio.shield(asking)
        future: asyncio.Future[Answer | None] = asyncio.get_running_loop().create_future()
        self._asking[key] = future
        kept: Answer | None = None
        try:
            answer, keep = await self._ask(scope, forwarded)
            if keep:
                kept = answer
                self._answers[key] = answer
                self._answers.move_to_end(key)
                while len(self._answers) > KEPT_ROUTES:
                    self._answers.popitem(last=False)
            else:
                self._answers.pop(key, None)
            return answer
        finally:
            self._asking.pop(key, None)
            future.set_result(kept)

    async def _ask(self, scope: Scope, forwarded: list[tuple[bytes, bytes]]) -> tuple[Answer, bool]:
        """Django's answer to an anonymous copy of the request, and whether it may be kept."""
        anonymous = {**scope, "headers": forwarded, "state": {}}
        started: Message = {}
        chunks: list[bytes] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        taken_at = self.clock()
        await self.app(anonymous, receive, send)
        status = int(started.get("status", 500))
        headers = [(bytes(name), bytes(value)) for name, value in started.get("headers", [])]
        body = b"".join(chunks)
        etag = cacheable(status, headers)
        answer = Answer(status=status, headers=headers, body=body, etag=etag or b"", taken_at=taken_at)
        return answer, etag is not None and len(body) <= LARGEST

    async def _reply(self, scope: Scope, send: Send, answer: Answer) -> None:
        condition = next((value for name, value in scope["headers"] if name == b"if-none-match"), None)
        if answer.etag and condition is not None and etag_matches(condition, answer.etag):
            headers = [(name, value) for name, value in answer.headers if name.lower() not in NOT_MODIFIED_DROPS]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
        await send({"type": "http.response.body", "body": answer.body})
