from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.accounts import selectors, services
from kakehashi.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_and_check() -> None:
    user = UserFactory.create()
    row, raw = services.api_token_create(user=user, name="laptop", expires_days=7)
    assert row.prefix == raw[:12]
    assert timedelta(days=6, hours=23) < row.expires_at - timezone.now() <= timedelta(days=7)
    assert selectors.token_check(raw).user == user


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_expiry_bounds(days: int) -> None:
    with pytest.raises(ValidationError):
        services.api_token_create(user=UserFactory.create(), expires_days=days)


def test_check_reasons() -> None:
    user = UserFactory.create()
    row, raw = services.api_token_create(user=user)
    assert selectors.token_check("kkh_unknown").reason == "unknown"
    assert selectors.token_check(raw, now=row.expires_at).reason == "expired"
    user.is_active = False
    user.save()
    assert selectors.token_check(raw).reason == "inactive"
    services.api_token_revoke(token=row)
    assert selectors.token_check(raw).reason == "revoked"


def test_revoke_is_idempotent() -> None:
    row, _raw = services.api_token_create(user=UserFactory.create())
    first = services.api_token_revoke(token=row).revoked_at
    assert services.api_token_revoke(token=row).revoked_at == first


def test_a_token_made_for_someone_else_is_recorded_without_its_value() -> None:
    from kakehashi.audit.models import Entry

    admin = UserFactory.create(role="admin")
    owner = UserFactory.create(username="owner-yui")
    row, raw = services.api_token_create(user=owner, name="ci", actor=admin)
    services.api_token_create(user=admin, name="mine", actor=admin)  # one's own token is not an admin action
    entry = Entry.objects.get(action="token.create")
    assert (entry.actor_id, entry.target_label) == (admin.pk, "owner-yui")
    assert entry.after["name"] == "ci"
    assert entry.after["prefix"] == row.prefix
    assert raw not in str(entry.after)
    assert row.digest not in str(entry.after)


def _use(raw: str) -> int:
    return int(Client().get("/api/accounts/me", headers={"Authorization": f"Token {raw}"}).status_code)


def test_a_use_is_written_at_once_when_the_interval_is_zero(settings: Any) -> None:
    settings.TOKEN_USE_WRITE_SECONDS = 0
    row, raw = services.api_token_create(user=UserFactory.create())
    assert _use(raw) == 200
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_uses_are_collected_and_written_together_in_one_statement(settings: Any) -> None:
    settings.TOKEN_USE_WRITE_SECONDS = 3600
    services.api_token_uses_write()  # start the interval now
    first, first_raw = services.api_token_create(user=UserFactory.create())
    second, second_raw = services.api_token_create(user=UserFactory.create())
    with CaptureQueriesContext(connection) as reads:
        assert _use(first_raw) == 200
        assert _use(second_raw) == 200
    assert not [q for q in reads.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    first.refresh_from_db()
    assert first.last_used_at is None
    with CaptureQueriesContext(connection) as writes:
        services.api_token_uses_write()
    assert len(writes.captured_queries) == 1
    for row in (first, second):
        row.refresh_from_db()
        assert row.last_used_at is not None
        assert timezone.now() - row.last_used_at < timedelta(minutes=1)


def test_a_token_used_within_the_minute_is_not_noted_again(settings: Any) -> None:
    settings.TOKEN_USE_WRITE_SECONDS = 0
    _row, raw = services.api_token_create(user=UserFactory.create())
    assert _use(raw) == 200
    with CaptureQueriesContext(connection) as queries:
        assert _use(raw) == 200
    assert not [q for q in queries.captured_queries if "last_used_at" in q["sql"] and "UPDATE" in q["sql"].upper()]
