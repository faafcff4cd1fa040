from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.audit.access import access_audit
from kakehashi.core.errors import NotAuthenticated, PermissionDenied
from kakehashi.ctf.models import EventStaff
from kakehashi.ctf.tests.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_anonymous_callers_must_sign_in() -> None:
    with pytest.raises(NotAuthenticated):
        access_audit(AnonymousUser())


def test_inactive_accounts_must_sign_in() -> None:
    with pytest.raises(NotAuthenticated):
        access_audit(UserFactory.create(is_active=False, role="admin"))


@pytest.mark.parametrize("flags", [{"role": "admin"}, {"is_superuser": True}])
def test_administrators_read_everything(flags: dict[str, Any]) -> None:
    scope = access_audit(UserFactory.create(**flags))
    assert scope.everything
    assert scope.event_ids is None


def test_organisers_read_the_events_they_organise_only() -> None:
    organised, other = EventFactory.create(), EventFactory.create()
    judged = EventFactory.create()
    user = UserFactory.create(role="organiser")
    EventStaff.objects.create(event=organised, user=user, role="organiser")
    EventStaff.objects.create(event=judged, user=user, role="judge")
    scope = access_audit(user)
    assert not scope.everything
    assert scope.event_ids == frozenset({organised.pk})
    assert other.pk not in scope.event_ids


def test_judges_are_refused() -> None:
    user = UserFactory.create()
    EventStaff.objects.create(event=EventFactory.create(), user=user, role="judge")
    with pytest.raises(PermissionDenied):
        access_audit(user)


def test_platform_organisers_without_an_event_are_refused() -> None:
    with pytest.raises(PermissionDenied):
        access_audit(UserFactory.create(role="organiser"))


def test_participants_are_refused() -> None:
    with pytest.raises(PermissionDenied):
        access_audit(ParticipantFactory.create().user)
