"""The live stream of an event: who may listen, and what they hear."""

import asyncio
import json
import threading
from typing import Any

import pytest
from django.test import AsyncClient

from kakehashi.core import live
from kakehashi.ctf.models import Event
from kakehashi.ctf.tests.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


async def read_events(response: Any, count: int) -> list[str]:
    chunks: list[str] = []
    iterator = response.streaming_content.__aiter__()
    while len(chunks) < count:
        chunk = await asyncio.wait_for(iterator.__anext__(), timeout=5)
        chunks.append(chunk.decode() if isinstance(chunk, bytes) else chunk)
    await iterator.aclose()
    return chunks


def test_public_stream_delivers_announcements(settings: Any) -> None:
    settings.REDIS_URL = ""
    event = EventFactory.create()

    async def scenario() -> list[str]:
        response = await AsyncClient().get(f"/events/{event.slug}/stream")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/event-stream")
        reader = asyncio.ensure_future(read_events(response, 2))
        while live.hub.count(f"event:{event.pk}:public") == 0:
            await asyncio.sleep(0.01)
        publisher = threading.Thread(
            target=live.publish, args=(f"event:{event.pk}:public", "announcement", {"texts": {"ja": "開始"}})
        )
        publisher.start()
        publisher.join()
        return await reader

    chunks = asyncio.run(scenario())
    assert chunks[0].startswith("retry:")
    kind, data = chunks[1].strip().split("\n")
    assert kind == "event: announcement"
    assert json.loads(data.removeprefix("data: ")) == {"texts": {"ja": "開始"}}


def test_private_scoreboard_stream_needs_a_participant(settings: Any) -> None:
    event = EventFactory.create()
    Event.objects.filter(pk=event.pk).update(scoreboard_visibility="participants")

    async def scenario() -> int:
        response = await AsyncClient().get(f"/events/{event.slug}/stream")
        return int(response.status_code)

    assert asyncio.run(scenario()) == 401


def test_unknown_event_stream() -> None:
    async def scenario() -> int:
        response = await AsyncClient().get("/events/no-such-event/stream")
        return int(response.status_code)

    assert asyncio.run(scenario()) == 404
