"""The Redis cache keeps answering while Redis is away, and goes back to Redis when it returns."""

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache

from kakehashi.core import cache as resilient
from kakehashi.core.cache import ResilientRedisCache


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(autouse=True)
def _fresh_health() -> Iterator[None]:
    resilient._health.clear()
    yield
    resilient._health.clear()


def make(port: int) -> ResilientRedisCache:
    return ResilientRedisCache(f"redis://127.0.0.1:{port}/0", {"KEY_PREFIX": "t", "TIMEOUT": 60})


def test_an_unreachable_redis_is_served_from_memory_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    cache = make(free_port())  # nothing listens there
    caplog.set_level(logging.WARNING, logger="kakehashi.core.cache")
    started = time.monotonic()
    assert cache.get("missing") is None
    cache.set("standings", {"score": 100})
    assert cache.get("standings") == {"score": 100}
    assert cache.add("version", 1)
    assert cache.incr("version") == 2
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    cache.delete_many(["a"])
    assert not cache.has_key("a")
    assert cache.delete("b")
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")
    assert time.monotonic() - started < 2, "an outage must not make every call wait"
    assert cache.redis_down
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1


def test_instances_share_the_outage_and_the_fallback() -> None:
    """Django makes one cache object per thread; they must agree that Redis is down."""
    port = free_port()
    first, second = make(port), make(port)
    first.set("k", "v")
    assert second.redis_down
    assert second.get("k") == "v"


def test_redis_is_tried_again_after_the_back_off(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = make(free_port())
    cache.get("x")
    calls: list[str] = []
    real_get = RedisCache.get

    def counting_get(self: ResilientRedisCache, *args: object, **kwargs: object) -> object:
        calls.append("redis")
        return real_get(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RedisCache, "get", counting_get)
    cache.get("x")
    assert calls == [], "inside the back-off Redis is not asked"
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.0)
    cache._state.retry_at = 0.0
    cache.get("x")
    assert calls == ["redis"]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    try:
        yield port, process
    finally:
        process.kill()
        process.wait(timeout=10)


def test_values_written_during_an_outage_are_not_shadowed_by_stale_redis_values(
    redis_server: tuple[int, subprocess.Popen[bytes]],
) -> None:
    import redis

    port, _process = redis_server
    cache = make(port)
    cache.set("standings", "before the outage")
    assert not cache.redis_down
    # Redis stops answering for a while but keeps its data (a stalled server, a network cut).
    pause_ms = 2000
    redis.Redis(port=port).client_pause(pause_ms, all=True)
    paused_at = time.monotonic()
    cache.set("standings", "computed during the outage")  # times out after the socket timeout
    assert cache.redis_down
    assert cache.get("standings") == "computed during the outage"
    time.sleep(max(0.0, pause_ms / 1000 - (time.monotonic() - paused_at)) + 0.2)
    cache._state.retry_at = 0.0  # the back-off has passed
    assert cache.get("standings") is None, "the value from before the outage must not come back"
    assert not cache.redis_down
    cache.set("standings", "after")
    assert make(port).get("standings") == "after"
    assert cache.fallback.get("standings") is None


def test_a_restarted_redis_is_used_again(redis_server: tuple[int, subprocess.Popen[bytes]], tmp_path: Path) -> None:
    port, process = redis_server
    cache = make(port)
    cache.set("k", 1)
    process.kill()
    process.wait(timeout=10)
    cache.set("k", 2)
    assert cache.redis_down
    assert cache.get("k") == 2
    restarted = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while cache.redis_down or cache.get("probe") is not None:
            assert time.monotonic() < deadline, "the cache did not go back to Redis"
            time.sleep(0.2)
            cache.get("probe")
        cache.set("k", 3)
        assert make(port).get("k") == 3
    finally:
        restarted.kill()
        restarted.wait(timeout=10)
