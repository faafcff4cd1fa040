"""GET /api/audit through HTTP: read-only, administrators see everything, organisers their events."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from kakehashi.accounts import services as accounts
from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.audit.models import Entry
from kakehashi.audit.tests.factories import EntryFactory
from kakehashi.ctf.models import Event, EventStaff
from kakehashi.ctf.tests.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def call(user: User | None, method: str = "get", language: str = "en", **params: Any) -> Any:
    headers = {"Accept-Language": language}
    if user is not None:
        _row, raw = accounts.api_token_create(user=user)
        headers["Authorization"] = f"Token {raw}"
    client = Client()
    if method == "get":
        return client.get("/api/audit", params, headers=headers)
    return getattr(client, method)("/api/audit", params, content_type="application/json", headers=headers)


def organiser_of(event: Event) -> User:
    user = UserFactory.create()
    EventStaff.objects.create(event=event, user=user, role="organiser")
    return user


def test_anonymous_callers_get_a_translated_error() -> None:
    response = call(None, language="ja")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    with translation.override("ja"):
        expected = gettext("Please sign in or send a valid API token.")
    assert body["message"] == expected != "Please sign in or send a valid API token."


def test_participants_are_refused_in_their_language() -> None:
    response = call(ParticipantFactory.create().user, language="ja")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    with translation.override("ja"):
        assert body["message"] == gettext("You do not have permission to do that.")


def test_administrators_read_every_entry_newest_first() -> None:
    first = EntryFactory.create(event=None, before={"role": "participant"}, after={"role": "organiser"})
    second = EntryFactory.create(event=EventFactory.create(), actor=None, source_address="192.0.2.1")
    response = call(UserFactory.create(role="admin"))
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body] == [second.pk, first.pk]
    assert body[1]["before"] == {"role": "participant"}
    assert body[1]["after"] == {"role": "organiser"}
    assert body[0]["source_address"] == "192.0.2.1"
    assert body[0]["action_label"] == "Challenge changed"


def test_the_action_label_is_in_the_requesters_language() -> None:
    EntryFactory.create()
    body = call(UserFactory.create(role="admin"), language="ja").json()
    with translation.override("ja"):
        assert body[0]["action_label"] == gettext("Challenge changed")


def test_organisers_read_their_events_entries_only() -> None:
    mine, theirs = EventFactory.create(), EventFactory.create()
    kept = EntryFactory.create(event=mine)
    EntryFactory.create(event=theirs)
    EntryFactory.create(event=None)
    organiser = organiser_of(mine)
    assert [item["id"] for item in call(organiser).json()] == [kept.pk]
    assert call(organiser, event_id=theirs.pk).json() == []


def test_filters_and_pages() -> None:
    admin = UserFactory.create(role="admin")
    event = EventFactory.create()
    made = [EntryFactory.create(event=event, action="flag.update") for _ in range(3)]
    EntryFactory.create(action="award.create")
    body = call(admin, action="flag.update", limit=2).json()
    assert [item["id"] for item in body] == [made[2].pk, made[1].pk]
    body = call(admin, action="flag.update", limit=2, before_id=made[1].pk).json()
    assert [item["id"] for item in body] == [made[0].pk]
    since = (timezone.now() - timedelta(minutes=5)).isoformat()
    assert len(call(admin, event_id=event.pk, since=since).json()) == 3
    assert call(admin, until=since).json() == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-01-01T00:00:00"}, "since"),  # no time zone
        ({"action": "flag.steal"}, "action"),
        ({"limit": 0}, "limit"),
        ({"before_id": "abc"}, "before_id"),
    ],
)
def test_bad_filters_are_explained(params: dict[str, Any], field: str) -> None:
    response = call(UserFactory.create(role="admin"), language="ja", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [detail["field"] for detail in body["details"]] == [field]
    with translation.override("ja"):
        assert body["message"] == gettext("Some fields are not valid.")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_can_be_written(method: str) -> None:
    entry = EntryFactory.create(target_label="kept")
    response = call(UserFactory.create(role="admin"), method=method)
    assert response.status_code == 405  # django-ninja answers this one without the JSON error shape
    assert Entry.objects.get(pk=entry.pk).target_label == "kept"
