from datetime import timedelta

import pytest
from django.utils import timezone

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.audit import selectors
from kakehashi.audit.access import AuditScope
from kakehashi.audit.selectors import EntryFilter
from kakehashi.audit.tests.factories import EntryFactory
from kakehashi.ctf.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_scope() -> AuditScope:
    return AuditScope(reader=UserFactory.create(role="admin"), event_ids=None)


def test_newest_first(admin_scope: AuditScope) -> None:
    first, second = EntryFactory.create(), EntryFactory.create()
    assert list(selectors.entries(admin_scope, EntryFilter())) == [second, first]


def test_a_scope_limits_to_its_events() -> None:
    mine, theirs = EventFactory.create(), EventFactory.create()
    kept = EntryFactory.create(event=mine)
    EntryFactory.create(event=theirs)
    EntryFactory.create(event=None)
    scope = AuditScope(reader=UserFactory.create(), event_ids=frozenset({mine.pk}))
    assert list(selectors.entries(scope, EntryFilter())) == [kept]
    assert list(selectors.entries(scope, EntryFilter(event_id=theirs.pk))) == []


def test_filters(admin_scope: AuditScope) -> None:
    event = EventFactory.create()
    actor = UserFactory.create()
    now = timezone.now()
    old = EntryFactory.create(at=now - timedelta(days=3), action="flag.create")
    by_actor = EntryFactory.create(at=now, actor=actor, actor_name=actor.username)
    in_event = EntryFactory.create(at=now, event=event, action="award.create")
    assert list(selectors.entries(admin_scope, EntryFilter(event_id=event.pk))) == [in_event]
    assert list(selectors.entries(admin_scope, EntryFilter(actor_id=actor.pk))) == [by_actor]
    assert list(selectors.entries(admin_scope, EntryFilter(action="flag.create"))) == [old]
    since = EntryFilter(since=now - timedelta(days=1))
    assert set(selectors.entries(admin_scope, since)) == {by_actor, in_event}
    until = EntryFilter(until=now - timedelta(days=1))
    assert list(selectors.entries(admin_scope, until)) == [old]


def test_pages_follow_each_other(admin_scope: AuditScope) -> None:
    made = [EntryFactory.create() for _ in range(5)]
    newest_first = list(reversed(made))
    page = selectors.entry_page(admin_scope, EntryFilter(), before_id=None, limit=2)
    assert page == newest_first[:2]
    page = selectors.entry_page(admin_scope, EntryFilter(), before_id=page[-1].pk, limit=2)
    assert page == newest_first[2:4]


def test_the_stream_reads_everything_in_batches(admin_scope: AuditScope, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "EXPORT_BATCH", 2)
    made = [EntryFactory.create() for _ in range(5)]
    assert list(selectors.entry_stream(admin_scope, EntryFilter())) == list(reversed(made))


def test_actors_are_those_in_the_readers_entries() -> None:
    event = EventFactory.create()
    seen, unseen = UserFactory.create(username="aiko"), UserFactory.create(username="ben")
    EntryFactory.create(actor=seen, actor_name="aiko", event=event)
    EntryFactory.create(actor=unseen, actor_name="ben", event=None)
    scope = AuditScope(reader=seen, event_ids=frozenset({event.pk}))
    assert selectors.actors(scope) == [(seen.pk, "aiko")]
    everything = AuditScope(reader=seen, event_ids=None)
    assert selectors.actors(everything) == [(seen.pk, "aiko"), (unseen.pk, "ben")]


def test_events_in_scope() -> None:
    mine, theirs = EventFactory.create(slug="a-mine"), EventFactory.create(slug="b-theirs")
    scope = AuditScope(reader=UserFactory.create(), event_ids=frozenset({mine.pk}))
    assert list(selectors.events_in(scope)) == [mine]
    assert list(selectors.events_in(AuditScope(reader=scope.reader, event_ids=None))) == [mine, theirs]
