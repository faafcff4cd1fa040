"""The shared cache on Redis, falling back to this process's memory while Redis is unreachable.

Nothing in Kakehashi keeps its only copy in the cache: standings are rebuilt from the database on a
miss, rate limits and login throttling live in the database. So when Redis stops, a request
should not fail: this backend logs the outage once, serves every call from a process-local
memory cache (for the standings that means each process rebuilds them from the database, as a
single node without Redis does), and tries Redis again after :data:`RETRY_SECONDS`. When Redis
answers again, the keys this process wrote meanwhile are deleted there (Redis may still hold the
values from before the outage, older than what was computed since) and the local copy is dropped.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 2.0
FALLBACK_ENTRIES = 2000
DIRTY_LIMIT = 10_000  # beyond this many keys written in an outage, Redis is cleared when it returns
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# Short socket timeouts, so that a Redis that stopped answering costs a request little.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}

T = TypeVar("T")


@dataclass
class _Health:
    """Whether Redis is believed reachable; shared by every cache instance of this process."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    down_since: float | None = None
    retry_at: float = 0.0
    dirty: set[tuple[str, int | None]] = field(default_factory=set)
    overflowed: bool = False

    def usable(self) -> bool:
        with self.lock:
            return self.down_since is None or time.monotonic() >= self.retry_at


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(location: str) -> _Health:
    with _health_lock:
        return _health.setdefault(location, _Health())


_clients: dict[tuple[str, str], Any] = {}
_clients_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache`` that never lets an unreachable Redis fail a request."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._location = server
        self._state = _health_of(server)
        fallback_params = {
            "TIMEOUT": params.get("TIMEOUT", 300),
            "KEY_PREFIX": params.get("KEY_PREFIX", ""),
            "VERSION": params.get("VERSION", 1),
            "OPTIONS": {"MAX_ENTRIES": FALLBACK_ENTRIES},
        }
        self.fallback = LocMemCache(f"kakehashi-redis-fallback:{server}", fallback_params)

    @cached_property
    def _cache(self) -> Any:
        """One client, and so one connection pool, per server for the whole process.

        Django keeps a cache instance per thread *and context*, and each request served by the
        thread pool runs in a fresh context: with Django's own property every request made a new
        pool, so a new connection (and its handshake) for its first command. The client is safe to
        share between threads; the pool hands each command a connection of its own.
        """
        # RedisCache sets _options, _class and _servers; its stubs do not name them.
        options: dict[str, Any] = self._options  # type: ignore[attr-defined]
        key = (self._location, repr(sorted(options.items())))
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **options)  # type: ignore[attr-defined]
        return client

    # --- the outage bookkeeping -------------------------------------------------------------

    @property
    def redis_down(self) -> bool:
        return self._state.down_since is not None

    def _went_down(self, error: BaseException) -> None:
        state = self._state
        with state.lock:
            first = state.down_since is None
            if first:
                state.down_since = time.monotonic()
            state.retry_at = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "cache: Redis at %s unreachable (%s); serving from process memory, retrying every %ss",
                self._location,
                error,
                RETRY_SECONDS,
            )

    def _recover(self) -> None:
        """Redis may answer again: first delete there what this process wrote during the outage.

        Raises what the client raises while Redis is still unreachable.
        """
        state = self._state
        with state.lock:
            dirty, overflowed = set(state.dirty), state.overflowed
        if overflowed:
            super().clear()
        else:
            by_version: dict[int | None, list[str]] = {}
            for key, version in dirty:
                by_version.setdefault(version, []).append(key)
            for version, keys in by_version.items():
                super().delete_many(keys, version=version)
        with state.lock:
            if state.down_since is None:
                return
            outage = time.monotonic() - state.down_since
            state.down_since = None
            state.dirty -= dirty
            state.overflowed = state.overflowed and not overflowed
        self.fallback.clear()
        logger.warning("cache: Redis at %s reachable again after %.1fs", self._location, outage)

    def _remember(self, keys: Any, version: int | None) -> None:
        state = self._state
        with state.lock:
            for key in keys:
                if len(state.dirty) >= DIRTY_LIMIT:
                    state.overflowed = True
                    return
                state.dirty.add((str(key), version))

    def _run(
        self, on_redis: Callable[[], T], on_fallback: Callable[[], T], written: Any = (), version: Any = None
    ) -> T:
        if self._state.usable():
            try:
                if self._state.down_since is not None:
                    self._recover()
                return on_redis()
            except UNREACHABLE as error:
                self._went_down(error)
        if written:
            self._remember(written, version)
        return on_fallback()

    # --- the cache interface ------------------------------------------------------------------

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._run(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
            lambda: self.fallback.add(key, value, timeout, version),
            [key],
            version,
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._run(
            lambda: super(ResilientRedisCache, self).get(key, default, version),
            lambda: self.fallback.get(key, default, version),
        )

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._run(
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
            lambda: self.fallback.set(key, value, timeout, version),
            [key],
            version,
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._run(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
            lambda: self.fallback.touch(key, timeout, version),
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._run(
            lambda: super(ResilientRedisCache, self).delete(key, version),
            lambda: self.fallback.delete(key, version),
            [key],
            version,
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._run(
            lambda: super(ResilientRedisCache, self).get_many(keys, version),
            lambda: self.fallback.get_many(keys, version),
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._run(
            lambda: super(ResilientRedisCache, self).has_key(key, version),
            lambda: self.fallback.has_key(key, version),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._run(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version),
            lambda: self.fallback.incr(key, delta, version),
            [key],
            version,
        )

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return self._run(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            lambda: self.fallback.set_many(data, timeout, version),
            list(data),
            version,
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        keys = list(keys)
        self._run(
            lambda: super(ResilientRedisCache, self).delete_many(keys, version),
            lambda: self.fallback.delete_many(keys, version),
            keys,
            version,
        )

    def clear(self) -> None:
        self.fallback.clear()

        def later() -> None:
            with self._state.lock:
                self._state.overflowed = True  # clear Redis too once it answers again

        self._run(lambda: super(ResilientRedisCache, self).clear(), later)
