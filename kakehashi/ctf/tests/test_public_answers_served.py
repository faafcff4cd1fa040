"""The public scoreboard through the served application: the layer in front of Django answers
anonymous readers with exactly Django's own answer, shows a new solve once its window has passed,
and lets every caller with credentials through to Django."""

import asyncio
import re
from collections.abc import MutableMapping
from typing import Any

import pytest
from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.test import Client

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.core.public_answers import PublicAnswers
from kakehashi.ctf.choices import EventRole
from kakehashi.ctf.models import EventStaff, Participant
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory, ParticipantFactory
from kakehashi.ctf.tests.test_prepared import FLAG, attempt, auth

pytestmark = pytest.mark.django_db(transaction=True)


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def served(clock: Clock) -> PublicAnswers:
    return PublicAnswers(
        WSGIMiddleware(get_wsgi_application(), workers=2),  # type: ignore[arg-type]
        routes=[re.compile(r"^/api/events/[^/]+/scoreboard$")],
        session_cookie=settings.SESSION_COOKIE_NAME,
        kept_cookies=(settings.LANGUAGE_COOKIE_NAME,),
        fresh_for=0.1,
        clock=clock,
    )


def get(app: PublicAnswers, path: str, query: bytes = b"", **headers: str) -> tuple[int, dict[bytes, bytes], bytes]:
    messages: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"127.0.0.1")]
        + [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()],
    }
    asyncio.run(app(scope, receive, send))
    headers_out = {name.lower(): value for name, value in messages[0]["headers"]}
    return messages[0]["status"], headers_out, b"".join(m.get("body", b"") for m in messages[1:])


@pytest.fixture
def player() -> Participant:
    participant = ParticipantFactory.create()
    challenge = ChallengeFactory.create(event=participant.event, value=300)
    FlagFactory.create(challenge=challenge, content=FLAG)
    return participant


def test_anonymous_readers_get_djangos_own_answer_and_a_new_solve_after_the_window(player: Participant) -> None:
    clock = Clock()
    app = served(clock)
    path = f"/api/events/{player.event.slug}/scoreboard"
    status, headers, body = get(app, path, accept_language="ja")
    direct = Client().get(path, headers={"Accept-Language": "ja"})
    assert status == 200
    assert body == direct.content
    assert headers[b"etag"] == direct["ETag"].encode()
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Vary", "Content-Language"):
        assert headers[name.lower().encode()] == direct[name].encode()

    challenge = player.event.challenges.get()
    assert attempt(Client(), challenge, FLAG, auth(player.user)) == 200
    assert get(app, path, accept_language="ja")[2] == body  # inside the window: the answer already given
    clock.now += 0.1
    status, after, newer = get(app, path, accept_language="ja")
    assert newer == Client().get(path, headers={"Accept-Language": "ja"}).content != body
    assert b'"score":300' in newer
    assert get(app, path, accept_language="ja", if_none_match=after[b"etag"].decode())[0] == 304


def test_bad_queries_and_unknown_events_get_djangos_error_in_the_readers_language(player: Participant) -> None:
    app = served(Clock())
    status, _headers, body = get(app, f"/api/events/{player.event.slug}/scoreboard", b"limit=-5", accept_language="ja")
    assert status == 422
    assert b"limit" in body
    status, headers, body = get(app, "/api/events/no-such-event/scoreboard", accept_language="ja")
    assert status == 404
    assert headers[b"content-language"] == b"ja"


def test_a_staff_token_still_gets_the_live_view_from_django(player: Participant) -> None:
    judge = UserFactory.create()
    EventStaff.objects.create(event=player.event, user=judge, role=EventRole.JUDGE)
    app = served(Clock())
    path = f"/api/events/{player.event.slug}/scoreboard"
    assert b'"live":false' in get(app, path)[2]
    assert b'"live":true' in get(app, path, authorization=auth(judge)["Authorization"])[2]
