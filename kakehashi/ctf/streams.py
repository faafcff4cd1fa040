"""Server-Sent Events: announcements, solves and scoreboard changes pushed to open pages.

Each connection is an async generator on the server's event loop, so thousands of idle
connections cost no request worker. A comment line every 15 seconds keeps proxies from closing it.
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator

from asgiref.sync import sync_to_async
from django.db import connection
from django.http import HttpRequest, HttpResponseBase, JsonResponse, StreamingHttpResponse

from kakehashi.core import live
from kakehashi.core.errors import ApiError
from kakehashi.ctf import access

HEARTBEAT_SECONDS = 15.0


def _decide(request: HttpRequest, slug: str) -> tuple[int, str]:
    try:
        event = access.access_event(request.user, slug)
        view = access.access_scoreboard(request.user, event)
        return event.pk, "staff" if view == "live" else "public"
    finally:
        _release_connection()


def _release_connection() -> None:
    """A stream stays open as long as the page does but needs the database only to decide who may
    listen: the connection goes back to the pool (or is closed) now, not when the page is closed.
    Thousands of open streams would otherwise hold as many database connections."""
    if not connection.in_atomic_block:
        connection.close()


async def _events(channel: str, heartbeat: float) -> AsyncIterator[str]:
    messages: AsyncGenerator[live.Message, None] = live.subscribe(channel)
    # Subscribe before the first line goes out: a message (or the server stopping) from then on is heard.
    pending: asyncio.Task[live.Message] | None = asyncio.ensure_future(messages.__anext__())
    await asyncio.sleep(0)
    try:
        if live.draining():
            return
        yield "retry: 3000\n\n"
        while True:
            if pending is None:
                pending = asyncio.ensure_future(messages.__anext__())
            done, _waiting = await asyncio.wait({pending}, timeout=heartbeat)
            if not done:
                yield ": keep-alive\n\n"
                continue
            message = pending.result()
            pending = None
            if message.kind == live.DRAIN:
                return  # the server is stopping; the browser reconnects after ``retry``
            yield f"event: {message.kind}\ndata: {json.dumps(message.data, ensure_ascii=False)}\n\n"
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await messages.aclose()


async def event_stream(request: HttpRequest, slug: str) -> HttpResponseBase:
    try:
        await sync_to_async(lambda: request.user.is_authenticated)()
        event_id, audience = await sync_to_async(_decide)(request, slug)
    except ApiError as error:
        return JsonResponse(
            {"code": error.code, "message": str(error.message), "details": error.details}, status=error.status
        )
    response = StreamingHttpResponse(
        _events(f"event:{event_id}:{audience}", HEARTBEAT_SECONDS), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
