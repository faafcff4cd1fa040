"""Live fan-out of small JSON messages to Server-Sent-Events subscribers.

Publishers are ordinary (synchronous) code, usually a service's ``on_commit`` hook; subscribers
are async generators serving one SSE connection each. With ``KAKEHASHI_REDIS_URL`` set, messages
travel through Redis pub/sub and reach subscribers in every process on every node; without it,
they reach the subscribers of this process (one process is then the supported deployment).
"""

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

QUEUE_LIMIT = 256  # a subscriber that falls this far behind misses messages rather than growing memory
CHANNEL_PREFIX = "kakehashi:live:"


@dataclass(frozen=True)
class Message:
    kind: str
    data: dict[str, Any]

    def encode(self) -> str:
        return json.dumps({"kind": self.kind, "data": self.data}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str | bytes) -> "Message":
        payload = json.loads(raw)
        return cls(kind=str(payload["kind"]), data=dict(payload["data"]))


class _LocalHub:
    """Subscribers of this process, each an asyncio queue living on its own event loop."""

    def __init__(self) -> None:
        # Reentrant: ``drain`` runs in a signal handler, which may interrupt this thread inside the lock.
        self._lock = threading.RLock()
        self._subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Message]]]] = defaultdict(set)

    def add(self, channel: str, loop: asyncio.AbstractEventLoop, queue: "asyncio.Queue[Message]") -> None:
        with self._lock:
            self._subscribers[channel].add((loop, queue))

    def remove(self, channel: str, loop: asyncio.AbstractEventLoop, queue: "asyncio.Queue[Message]") -> None:
        with self._lock:
            self._subscribers[channel].discard((loop, queue))
            if not self._subscribers[channel]:
                del self._subscribers[channel]

    def deliver(self, channel: str, message: Message) -> int:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        return self._hand_over(targets, message)

    def deliver_all(self, message: Message) -> int:
        """Hand ``message`` to every subscriber of every channel (a server draining before it stops)."""
        with self._lock:
            targets = [target for subscribers in self._subscribers.values() for target in subscribers]
        return self._hand_over(targets, message)

    def _hand_over(
        self, targets: list[tuple[asyncio.AbstractEventLoop, "asyncio.Queue[Message]"]], message: Message
    ) -> int:
        # One wake-up per event loop, however many of its connections listen: 2,000 subscribers on
        # one loop cost one call into that loop, not 2,000.
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Queue[Message]]] = defaultdict(list)
        for loop, queue in targets:
            by_loop[loop].append(queue)
        for loop, queues in by_loop.items():
            try:
                loop.call_soon_threadsafe(_offer_all, queues, message)
            except RuntimeError:  # the loop has closed: its connections are gone
                with self._lock:
                    for subscribers in self._subscribers.values():
                        subscribers.difference_update({(loop, queue) for queue in queues})
        return len(targets)

    def count(self, channel: str) -> int:
        with self._lock:
            return len(self._subscribers.get(channel, ()))


def _offer_all(queues: list["asyncio.Queue[Message]"], message: Message) -> None:
    for queue in queues:
        if queue.qsize() < QUEUE_LIMIT:
            queue.put_nowait(message)


DRAIN = "kakehashi-drain"  # the message kind that tells a live connection to end: the server is stopping


def drain_on_signals() -> None:
    """Chain :func:`drain` before the server's own SIGTERM and SIGINT handlers, if it has installed
    them (call in the main thread), so stopping does not wait for connections that never end."""
    import signal

    for number in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(number)
        if not callable(previous) or getattr(previous, "drains", False):
            continue

        def handler(
            signum: int, frame: FrameType | None, previous: Callable[[int, FrameType | None], Any] = previous
        ) -> None:
            drain()
            previous(signum, frame)

        handler.drains = True  # type: ignore[attr-defined]
        signal.signal(number, handler)


_draining = threading.Event()


def draining() -> bool:
    """Whether this process is stopping (new live connections then end at once)."""
    return _draining.is_set()


def drain() -> int:
    """Ask every live connection of this process to end now, so that a stopping server is not held
    up by connections that never finish; browsers reconnect (to another process) on their own."""
    _draining.set()
    return hub.deliver_all(Message(kind=DRAIN, data={}))


hub = _LocalHub()
_redis_client: Any = None
_listener: threading.Thread | None = None
_listener_lock = threading.Lock()


RETRY_SECONDS = 2.0  # after a failed publish, Redis is tried again this much later


@dataclass
class _PublishHealth:
    failing: bool = False
    retry_at: float = 0.0


_publish_health = _PublishHealth()


def _redis() -> Any:
    global _redis_client  # noqa: PLW0603  (one client per process, created on first use)
    if _redis_client is None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries inside a publish: it runs in the request, and a failure falls back to local delivery.
        _redis_client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
    return _redis_client


def _listen_forever(url: str) -> None:
    """One Redis subscription per process, handing every message to this process's subscribers."""
    import redis

    lost = False
    while True:
        pubsub: Any = None
        try:
            client: Any = redis.Redis.from_url(url, socket_connect_timeout=2, health_check_interval=15)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            pubsub.psubscribe(CHANNEL_PREFIX + "*")
            if lost:
                logger.warning("live: Redis subscription restored")
                lost = False
            for raw in pubsub.listen():
                if raw.get("type") != "pmessage":
                    continue
                channel = raw["channel"].decode()[len(CHANNEL_PREFIX) :]
                hub.deliver(channel, Message.decode(raw["data"]))
        except Exception as error:  # Redis restarting or unreachable: try again shortly, log once
            if not lost:
                logger.warning("live: Redis subscription lost (%s); retrying every second", error)
            lost = True
            time.sleep(1)
        finally:
            if pubsub is not None:
                with contextlib.suppress(Exception):
                    pubsub.close()


def _ensure_listener() -> None:
    global _listener  # noqa: PLW0603  (one listener thread per process)
    with _listener_lock:
        if _listener is None or not _listener.is_alive():
            _listener = threading.Thread(
                target=_listen_forever, args=(settings.REDIS_URL,), name="kakehashi-live", daemon=True
            )
            _listener.start()


def publish(channel: str, kind: str, data: dict[str, Any]) -> None:
    """Send a message to every subscriber of ``channel``. Never raises: live updates are a courtesy."""
    message = Message(kind=kind, data=data)
    health = _publish_health
    if settings.REDIS_URL and time.monotonic() >= health.retry_at:
        try:
            _redis().publish(CHANNEL_PREFIX + channel, message.encode())
        except Exception as error:  # Redis away: this process's subscribers hear it; retry Redis later
            if not health.failing:
                logger.warning("live: Redis publish failed (%s); delivering locally only for now", error)
            health.failing, health.retry_at = True, time.monotonic() + RETRY_SECONDS
        else:
            if health.failing:
                logger.warning("live: Redis publish works again")
            health.failing, health.retry_at = False, 0.0
            return
    hub.deliver(channel, message)


async def subscribe(channel: str) -> AsyncGenerator[Message, None]:
    """Messages on ``channel`` as they arrive, until the caller stops iterating."""
    if settings.REDIS_URL:
        _ensure_listener()
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Message] = asyncio.Queue()
    hub.add(channel, loop, queue)
    try:
        while True:
            yield await queue.get()
    finally:
        hub.remove(channel, loop, queue)
