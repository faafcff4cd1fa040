import asyncio
import contextlib
import threading

import pytest

from kakehashi.core import live


def run(coroutine: object) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


def test_message_round_trip() -> None:
    message = live.Message(kind="solve", data={"team": "瀬戸内ハッカーズ", "blood": 1})
    assert live.Message.decode(message.encode()) == message


def test_publish_from_another_thread_reaches_subscribers(settings: object) -> None:
    settings.REDIS_URL = ""  # type: ignore[attr-defined]

    async def scenario() -> list[live.Message]:
        first = live.subscribe("event:1:public")
        second = live.subscribe("event:1:public")
        other = live.subscribe("event:2:public")
        waiting = [asyncio.ensure_future(s.__anext__()) for s in (first, second, other)]
        await asyncio.sleep(0.01)  # let the generators register
        assert live.hub.count("event:1:public") == 2
        publisher = threading.Thread(target=live.publish, args=("event:1:public", "solve", {"team": "A"}))
        publisher.start()
        publisher.join()
        done, pending = await asyncio.wait(waiting[:2], timeout=2)
        received = [task.result() for task in done]
        await asyncio.sleep(0.05)
        assert not waiting[2].done()  # another event's subscriber heard nothing
        pending.add(waiting[2])
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for generator in (first, second, other):
            await generator.aclose()
        assert live.hub.count("event:1:public") == 0
        return received

    received = run(scenario())
    assert received == [live.Message("solve", {"team": "A"})] * 2


def test_publish_without_subscribers_is_harmless(settings: object) -> None:
    settings.REDIS_URL = ""  # type: ignore[attr-defined]
    live.publish("nobody:listens", "x", {})


def test_publish_survives_redis_being_away(
    settings: object, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # type: ignore[attr-defined]
    monkeypatch.setattr(live, "_publish_health", live._PublishHealth())
    live._redis_client = None
    try:
        live.publish("event:9:public", "solve", {})
    finally:
        live._redis_client = None
    assert "Redis publish failed" in caplog.text


def test_publish_without_redis_delivers_locally_logs_once_and_retries_later(
    settings: object, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"  # type: ignore[attr-defined]
    monkeypatch.setattr(live, "_redis_client", None)
    monkeypatch.setattr(live, "_publish_health", live._PublishHealth())
    delivered: list[str] = []

    def deliver(channel: str, message: live.Message) -> int:
        delivered.append(channel)
        return 0

    monkeypatch.setattr(live.hub, "deliver", deliver)
    tries: list[int] = []
    real_redis = live._redis

    def counting_redis() -> object:
        tries.append(1)
        return real_redis()

    monkeypatch.setattr(live, "_redis", counting_redis)
    started = time.monotonic()
    for _ in range(5):
        live.publish("event:9:public", "solve", {})
    assert time.monotonic() - started < 2, "publishing must not wait on an absent Redis"
    assert delivered == ["event:9:public"] * 5  # this process's subscribers still hear every message
    assert len(tries) == 1, "inside the back-off Redis is not tried again"
    assert caplog.text.count("Redis publish failed") == 1
    live._publish_health.retry_at = 0.0  # the back-off has passed
    live.publish("event:9:public", "solve", {})
    assert len(tries) == 2
