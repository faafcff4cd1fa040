from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
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
