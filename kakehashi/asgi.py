"""The application ``kakehashi serve`` runs.

Live streams (Server-Sent Events) are served by Django's ASGI handler: each is a coroutine on the
event loop, so thousands of idle ones cost no thread. Every other request is served by Django's
WSGI handler in a fixed pool of threads (``KAKEHASHI_THREADS``, default 8): Django's ASGI handler
starts a new thread for every request and hops between it and the event loop several times, and a
new thread also means a new database connection; the pool's threads keep theirs. On the hot reads
this makes a request several times cheaper.

A player's challenge list and flag submissions travel whole between the event loop and the pool
(:mod:`kakehashi.core.whole_answers`), without a2wsgi's hand-overs for each part of an answer.
Anonymous reads of the public scoreboard, the same for every reader, are answered for a fraction
of a second from Django's last answer to the same anonymous request, without entering Django
(:mod:`kakehashi.core.public_answers`). A player's challenge list and flag submissions sent with
an API token are answered in the request thread from what Django allowed for the same token, while
nothing it read has changed, without Django's middleware and routing (:mod:`kakehashi.ctf.shortcut`).
"""

import os
import re
from collections.abc import Awaitable, Callable, MutableMapping
from types import FrameType
from typing import Any

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

from kakehashi.cli import default_settings_module
from kakehashi.core.middleware import TIMEZONE_COOKIE_NAME
from kakehashi.core.public_answers import PublicAnswers, fresh_for_setting
from kakehashi.core.whole_answers import WholeAnswers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

LIVE_PATH = re.compile(r"^/events/[^/]+/stream/?$")
PUBLIC_ROUTES = (re.compile(r"^/api/events/[^/]+/scoreboard$"),)
asynchronous = get_asgi_application()

from kakehashi.ctf.shortcut import ROUTES as SHORTCUT_ROUTES  # noqa: E402  (needs the apps loaded above)
from kakehashi.ctf.shortcut import Shortcut  # noqa: E402

wsgi = Shortcut(get_wsgi_application())
bridge = WSGIMiddleware(wsgi, workers=int(os.environ.get("KAKEHASHI_THREADS", "8")))  # type: ignore[arg-type]
threaded = WholeAnswers(
    wsgi,
    executor=bridge.executor,
    routes=SHORTCUT_ROUTES,
    fallback=PublicAnswers(
        bridge,  # type: ignore[arg-type]
        routes=PUBLIC_ROUTES,
        session_cookie=settings.SESSION_COOKIE_NAME,
        kept_cookies=(settings.LANGUAGE_COOKIE_NAME, TIMEZONE_COOKIE_NAME),
        fresh_for=fresh_for_setting(),
    ),
)


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "http" and not LIVE_PATH.match(scope.get("path", "")):
        await threaded(scope, receive, send)
    else:
        await asynchronous(scope, receive, send)  # type: ignore[arg-type]


if os.environ.get("KAKEHASHI_SERVING") == "1":  # a worker of ``kakehashi serve``, not a test or a shell
    # Stopping ends this process's live connections first. The server installs its signal handlers
    # either before this module is imported (worker processes) or after (a single process): chain
    # onto them in the first case, and have the server's own handler drain in the second.
    import uvicorn

    from kakehashi.core import live

    live.drain_on_signals()
    _handle_exit = uvicorn.Server.handle_exit

    def _drain_then_exit(server: uvicorn.Server, sig: int, frame: FrameType | None) -> None:
        live.drain()
        _handle_exit(server, sig, frame)

    uvicorn.Server.handle_exit = _drain_then_exit  # type: ignore[method-assign,assignment]
