"""Entries are never changed or deleted, by the model, its query sets, and on PostgreSQL the database."""

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.audit.models import Entry, Immutable
from kakehashi.audit.tests.factories import EntryFactory
from kakehashi.ctf.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_a_new_entry_is_stored() -> None:
    entry = EntryFactory.create()
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_saving_a_stored_entry_is_refused() -> None:
    entry = EntryFactory.create(target_label="before")
    entry.target_label = "after"
    with pytest.raises(Immutable):
        entry.save()
    with pytest.raises(Immutable):
        entry.save(update_fields=["target_label"])
    assert Entry.objects.get(pk=entry.pk).target_label == "before"


def test_an_entry_with_the_id_of_a_stored_one_is_not_written_over() -> None:
    entry = EntryFactory.create(target_label="original")
    copy = Entry(pk=entry.pk, at=entry.at, action=entry.action, channel=entry.channel, target_label="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        copy.save()
    assert Entry.objects.get(pk=entry.pk).target_label == "original"


def test_deleting_an_entry_is_refused() -> None:
    entry = EntryFactory.create()
    with pytest.raises(Immutable):
        entry.delete()
    assert Entry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda entries: entries.update(target_label="changed"),
        lambda entries: entries.delete(),
        lambda entries: entries.bulk_update(list(entries), ["target_label"]),
        lambda entries: entries.update_or_create(pk=1, defaults={"target_label": "changed"}),
    ],
)
def test_query_sets_refuse_changes(change: Any) -> None:
    entry = EntryFactory.create(target_label="kept")
    with pytest.raises(Immutable):
        change(Entry.objects.all())
    with pytest.raises(Immutable):
        change(Entry.objects.filter(pk=entry.pk))
    assert Entry.objects.get(pk=entry.pk).target_label == "kept"


def test_deleting_the_actor_or_the_event_keeps_the_entry_as_written() -> None:
    user = UserFactory.create(username="kenji")
    event = EventFactory.create()
    entry = EntryFactory.create(actor=user, actor_name="kenji", event=event)
    user_id, event_id = user.pk, event.pk
    user.delete()
    event.delete()
    stored = Entry.objects.get(pk=entry.pk)
    assert (stored.actor_id, stored.actor_name, stored.event_id) == (user_id, "kenji", event_id)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET target_label = 'forged' WHERE id = %s",
        "DELETE FROM audit_entry WHERE id = %s",
    ],
)
def test_the_database_refuses_changes_that_bypass_django(statement: str) -> None:
    entry = EntryFactory.create(target_label="original")
    with (
        pytest.raises(DatabaseError, match="never changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [entry.pk])
    assert Entry.objects.get(pk=entry.pk).target_label == "original"
