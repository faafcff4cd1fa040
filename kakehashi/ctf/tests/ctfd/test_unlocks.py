"""POST /api/v1/unlocks and GET /api/v1/challenges/<id>/solves."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kakehashi.accounts import services
from kakehashi.accounts.models import User
from kakehashi.ctf.models import Event, HintUnlock
from kakehashi.ctf.services.play import submission_attempt
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory, HintFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def token_for(user: User) -> dict[str, str]:
    _row, raw = services.api_token_create(user=user)
    return {"Authorization": f"Token {raw}"}


@pytest.fixture
def setup() -> Any:
    player = ParticipantFactory.create()
    Event.objects.filter(pk=player.event.pk).update(is_default=True)
    challenge = ChallengeFactory.create(event=player.event, value=100)
    FlagFactory.create(challenge=challenge)
    return player, challenge


def test_unlock_charges_once(
    client: Client, setup: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    player, challenge = setup
    hint = HintFactory.create(challenge=challenge, cost=0)
    headers = token_for(player.user)
    for _attempt in range(2):
        response = client.post(
            "/api/v1/unlocks", {"target": hint.pk, "type": "hints"}, content_type="application/json", headers=headers
        )
        assert response.status_code == 200, response.content
        assert response.json()["data"]["target"] == hint.pk
    assert HintUnlock.objects.count() == 1


def test_unlock_without_points_is_refused(client: Client, setup: Any) -> None:
    player, challenge = setup
    hint = HintFactory.create(challenge=challenge, cost=50)
    response = client.post(
        "/api/v1/unlocks", {"target": hint.pk}, content_type="application/json", headers=token_for(player.user)
    )
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert not HintUnlock.objects.exists()


def test_solves_respect_the_freeze(client: Client, setup: Any) -> None:
    player, challenge = setup
    assert player.team is not None
    submission_attempt(challenge=challenge, team=player.team, user=player.user, provided="flag{kakehashi}")
    headers = token_for(player.user)
    listed = client.get(f"/api/v1/challenges/{challenge.pk}/solves", headers=headers).json()["data"]
    assert [row["account_id"] for row in listed] == [player.team_id]
    Event.objects.filter(pk=player.event.pk).update(
        freeze_at=timezone.now() - timedelta(hours=1) + timedelta(minutes=1)
    )
    frozen = client.get(f"/api/v1/challenges/{challenge.pk}/solves", headers=headers).json()["data"]
    assert frozen == []


def test_notifications_need_every_event_language(client: Client, setup: Any) -> None:
    from kakehashi.accounts.tests.factories import UserFactory
    from kakehashi.ctf.models import Announcement, EventStaff

    player, _challenge = setup
    organiser = UserFactory.create()
    EventStaff.objects.create(event=player.event, user=organiser, role="organiser")
    headers = token_for(organiser)
    english_only = client.post(
        "/api/v1/notifications", {"title": "Lunch", "content": "Now."}, content_type="application/json", headers=headers
    )
    assert english_only.status_code == 400
    assert not Announcement.objects.exists()
    both = client.post(
        "/api/v1/notifications",
        {"title": "Lunch", "content": "Now.", "translations": {"ja": {"title": "昼食", "content": "今です。"}}},
        content_type="application/json",
        headers=headers,
    )
    assert both.status_code == 200, both.content
    assert Announcement.objects.get().text("title", "ja") == "昼食"
    refused = client.post(
        "/api/v1/notifications", {"title": "x", "content": "y"}, content_type="application/json",
        headers=token_for(player.user),
    )  # fmt: skip
    assert refused.status_code == 403
