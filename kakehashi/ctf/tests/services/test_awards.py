from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import Award
from kakehashi.ctf.services.awards import award_create, award_delete
from kakehashi.ctf.services.standings import snapshot
from kakehashi.ctf.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_awards_change_the_standings(django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    team = TeamFactory.create()
    organiser = UserFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        bonus = award_create(team=team, value=50, reason="Best write-up", by=organiser)
        award_create(team=team, value=-20, reason="Attacked the scoreboard", by=organiser)
    assert snapshot(team.event, "live").entries[0].score == 30
    with django_capture_on_commit_callbacks(execute=True):
        award_delete(award=bonus)
    assert snapshot(team.event, "live").entries[0].score == -20


@pytest.mark.parametrize(
    ("value", "reason", "field"), [(0, "x", "value"), (5, "  ", "reason"), (2_000_000, "x", "value")]
)
def test_invalid_awards(value: int, reason: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        award_create(team=TeamFactory.create(), value=value, reason=reason, by=UserFactory.create())
    assert field in caught.value.message_dict
    assert not Award.objects.exists()
