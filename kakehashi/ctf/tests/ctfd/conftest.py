"""An organiser and a participant of the default event, with the tokens ctfcli-style clients send."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kakehashi.accounts import services as accounts
from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import Event, EventStaff, Participant
from kakehashi.ctf.tests.factories import EventFactory, ParticipantFactory

Call = Callable[..., Any]


@pytest.fixture
def event(db: Any) -> Event:
    return EventFactory.create(is_default=True)


@pytest.fixture
def organiser(event: Event) -> User:
    user = UserFactory.create()
    EventStaff.objects.create(event=event, user=user, role="organiser")
    return user


@pytest.fixture
def player(event: Event) -> Participant:
    return ParticipantFactory.create(event=event)


def _caller(user: User) -> Call:
    _row, token = accounts.api_token_create(user=user)
    client = Client()

    def call(method: str, path: str, data: Any = None, *, multipart: bool = False, **headers: str) -> Any:
        auth = {"Authorization": f"Token {token}", **headers}
        if multipart:
            return client.post(path, data=data, headers=auth)
        if method.upper() == "GET":
            # ctfcli sends a JSON content type with an empty body on reads and deletions too.
            return client.get(path, data, headers=auth, CONTENT_TYPE="application/json")
        send = getattr(client, method.lower())
        return send(path, data=data, content_type="application/json", headers=auth)

    return call


@pytest.fixture
def as_organiser(organiser: User) -> Call:
    return _caller(organiser)


@pytest.fixture
def as_player(player: Participant) -> Call:
    return _caller(player.user)
