"""Events kept in each process by version: read once, read again after any write, isolated per caller."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kakehashi.ctf import known_events
from kakehashi.ctf.models import Event
from kakehashi.ctf.services import events as event_services
from kakehashi.ctf.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def queries_of(call: object) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        result = call()  # type: ignore[operator]
    return result, len(captured.captured_queries)


def test_a_kept_event_costs_no_query_and_comes_with_its_translations() -> None:
    event = EventFactory.create()
    _first, first_queries = queries_of(lambda: known_events.by_slug(event.slug))
    assert first_queries == 2
    again, again_queries = queries_of(lambda: known_events.by_slug(event.slug))
    assert again_queries == 0
    assert isinstance(again, Event)
    with CaptureQueriesContext(connection) as captured:
        names = {row.language_code: row.name for row in again.translations.all()}
    assert not captured.captured_queries
    assert names == {row.language_code: row.name for row in event.translations.all()}


def test_each_caller_gets_its_own_copy() -> None:
    event = EventFactory.create()
    one = known_events.by_id(event.pk)
    assert one is not None
    one.paused = True
    one.ends_at = one.starts_at
    other = known_events.by_id(event.pk)
    assert other is not None
    assert other is not one
    assert other.paused is False
    assert other.ends_at == event.ends_at


def test_an_unknown_event_is_none_and_not_kept() -> None:
    assert known_events.by_slug("no-such-event") is None
    _found, count = queries_of(lambda: known_events.by_slug("no-such-event"))
    assert count == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda event: event_services.event_update(event=event, scoreboard_visibility="participants"),
        lambda event: event_services.event_set_paused(event=event, paused=True),
        lambda event: event_services.event_set_default(event=event),
        lambda event: event.translations.first().save(),
        lambda event: Event.objects.get(pk=event.pk).save(),
        lambda event: Event.objects.filter(pk=event.pk).update(paused=True),
    ],
    ids=["service-update", "pause-by-update", "default-by-update", "translation-save", "plain-save", "bulk-update"],
)
def test_any_write_makes_every_process_read_the_event_again(change: object) -> None:
    event = EventFactory.create()
    known_events.by_slug(event.slug)
    change(event)  # type: ignore[operator]
    fresh, count = queries_of(lambda: known_events.by_slug(event.slug))
    assert count == 2
    assert fresh == Event.objects.get(pk=event.pk)
    stored = Event.objects.get(pk=event.pk)
    assert (fresh.paused, fresh.is_default, fresh.scoreboard_visibility) == (
        stored.paused,
        stored.is_default,
        stored.scoreboard_visibility,
    )


def test_a_deleted_event_is_not_found_any_more() -> None:
    event = EventFactory.create()
    known_events.by_slug(event.slug)
    Event.objects.filter(pk=event.pk).first().delete()  # type: ignore[union-attr]
    assert known_events.by_slug(event.slug) is None


def test_a_lost_shared_version_and_old_entries_are_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    event = EventFactory.create()
    known_events.by_slug(event.slug)
    cache.delete(known_events.VERSION_KEY)
    assert queries_of(lambda: known_events.by_slug(event.slug))[1] == 2
    clock = [1_000_000.0]
    monkeypatch.setattr("kakehashi.ctf.known_events.time.monotonic", lambda: clock[0])
    known_events.by_slug(event.slug)
    assert queries_of(lambda: known_events.by_slug(event.slug))[1] == 0
    clock[0] += known_events.MAX_AGE
    assert queries_of(lambda: known_events.by_slug(event.slug))[1] == 2
