from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.audit import services
from kakehashi.audit.changes import REDACTED
from kakehashi.audit.choices import Action, Channel
from kakehashi.audit.models import Entry
from kakehashi.audit.origins import Origin, bound
from kakehashi.ctf.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_record_writes_who_when_what_and_where() -> None:
    actor = UserFactory.create(username="hanako")
    event = EventFactory.create()
    started = timezone.now()
    with bound(Origin(channel=Channel.API, source_address="192.0.2.10")):
        entry = services.record(
            action=Action.TEAM_BAN,
            actor=actor,
            target_type="team",
            target_id=42,
            target_label="Sakura",
            event_id=event.pk,
            before={"banned": False},
            after={"banned": True},
        )
    assert entry is not None
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.at >= started
    assert stored.at.utcoffset() is not None
    assert (stored.actor_id, stored.actor_name) == (actor.pk, "hanako")
    assert (stored.action, stored.target_type, stored.target_id, stored.target_label) == (
        "team.ban",
        "team",
        "42",
        "Sakura",
    )
    assert stored.event_id == event.pk
    assert (stored.before, stored.after) == ({"banned": False}, {"banned": True})
    assert (stored.channel, stored.source_address) == ("api", "192.0.2.10")


def test_outside_a_request_the_command_line_is_recorded_without_an_address() -> None:
    entry = services.record(action=Action.IMPORT_CTFD, actor=None, target_type="event", after={"file": "x.zip"})
    assert entry is not None
    assert (entry.channel, entry.source_address, entry.actor_id, entry.actor_name) == ("cli", None, None, "")


def test_an_anonymous_actor_is_recorded_as_nobody() -> None:
    entry = services.record(action=Action.USER_CREATE, actor=AnonymousUser(), target_type="user", after={})
    assert entry is not None
    assert entry.actor_id is None


def test_an_update_keeps_only_the_changed_values() -> None:
    entry = services.record(
        action=Action.CHALLENGE_UPDATE,
        actor=None,
        target_type="challenge",
        before={"value": 100, "category": "web", "at": datetime(2026, 1, 1, tzinfo=UTC)},
        after={"value": 200, "category": "web", "at": datetime(2026, 1, 1, tzinfo=UTC)},
    )
    assert entry is not None
    assert (entry.before, entry.after) == ({"value": 100}, {"value": 200})


def test_an_update_that_changes_nothing_is_not_recorded() -> None:
    kept = {"value": 100}
    result = services.record(
        action=Action.CHALLENGE_UPDATE, actor=None, target_type="challenge", before=kept, after=dict(kept)
    )
    assert result is None
    assert not Entry.objects.exists()


def test_secret_named_values_are_redacted() -> None:
    entry = services.record(
        action=Action.USER_CREATE,
        actor=None,
        target_type="user",
        after={"username": "taro", "password": "kawa-no-hashi-42", "extra": {"api_token": "kk_abc"}},
    )
    assert entry is not None
    assert entry.after == {"username": "taro", "password": REDACTED, "extra": {"api_token": REDACTED}}


def test_the_entry_is_undone_with_the_change() -> None:
    def failing_change() -> None:
        with transaction.atomic():
            services.record(action=Action.FLAG_CREATE, actor=None, target_type="flag", after={"kind": "static"})
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert not Entry.objects.exists()


def test_long_labels_are_cut_to_fit() -> None:
    entry = services.record(action=Action.PAGE_CREATE, actor=None, target_type="page", target_label="x" * 1000)
    assert entry is not None
    assert len(entry.target_label) == services.TARGET_LABEL_LIMIT


@override_settings(SECRET_KEY="one-key-for-the-test-" * 3)
def test_fingerprint_is_keyed_and_stable(settings: Any) -> None:
    first = services.fingerprint("flag{tea}")
    assert first == services.fingerprint("flag{tea}")
    assert first != services.fingerprint("flag{coffee}")
    assert len(first) == 64
    assert "flag{tea}" not in first
    import hashlib

    assert first != hashlib.sha256(b"flag{tea}").hexdigest()  # a guess cannot be checked without the key
    settings.SECRET_KEY = "another-key-for-the-test-" * 3
    assert services.fingerprint("flag{tea}") != first
    assert services.fingerprint("") == ""
