"""The same change, made through each way in, is recorded once with that channel and the caller's address."""

import pytest
from django.test import Client
from django.urls import reverse

from kakehashi.accounts import services as accounts
from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.audit.models import Entry
from kakehashi.ctf.models import Event, EventStaff
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory, TeamFactory

pytestmark = pytest.mark.django_db

FLAG = "flag{through-every-door}"


@pytest.fixture
def event() -> Event:
    return EventFactory.create(is_default=True)


@pytest.fixture
def organiser(event: Event) -> User:
    user = UserFactory.create(username="org-rin")
    EventStaff.objects.create(event=event, user=user, role="organiser")
    return user


def token_headers(user: User) -> dict[str, str]:
    _row, raw = accounts.api_token_create(user=user)
    return {"Authorization": f"Token {raw}"}


def test_a_web_page(event: Event, organiser: User) -> None:
    team = TeamFactory.create(event=event)
    client = Client(REMOTE_ADDR="198.51.100.4")
    client.force_login(organiser)
    data = {"team": team.pk, "value": 25, "reason": "Helped the organisers"}
    response = client.post(reverse("ctf:manage_awards", args=[event.slug]), data)
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.action, entry.channel, entry.source_address, entry.actor_id) == (
        "award.create", "web", "198.51.100.4", organiser.pk,
    )  # fmt: skip


def test_the_native_api(event: Event, organiser: User) -> None:
    team = TeamFactory.create(event=event)
    response = Client(REMOTE_ADDR="2001:db8::9").post(
        f"/api/events/{event.slug}/awards",
        {"team_id": team.pk, "value": 5, "reason": "Write-up"},
        content_type="application/json",
        headers=token_headers(organiser),
    )
    assert response.status_code == 201, response.content
    entry = Entry.objects.get()
    assert (entry.action, entry.channel, entry.source_address, entry.actor_id) == (
        "award.create", "api", "2001:db8::9", organiser.pk,
    )  # fmt: skip


def test_the_ctfd_api(event: Event, organiser: User) -> None:
    challenge = ChallengeFactory.create(event=event)
    response = Client().post(
        "/api/v1/flags",
        {"challenge_id": challenge.pk, "content": FLAG, "type": "static"},
        content_type="application/json",
        headers=token_headers(organiser),
    )
    assert response.status_code == 200, response.content
    entry = Entry.objects.get()
    assert (entry.action, entry.channel, entry.source_address, entry.actor_id) == (
        "flag.create", "ctfd", "127.0.0.1", organiser.pk,
    )  # fmt: skip
    assert FLAG not in str(entry.after)


def test_a_refused_request_records_nothing(event: Event) -> None:
    team = TeamFactory.create(event=event)
    stranger = UserFactory.create()
    response = Client().post(
        f"/api/events/{event.slug}/awards",
        {"team_id": team.pk, "value": 5, "reason": "Write-up"},
        content_type="application/json",
        headers=token_headers(stranger),
    )
    assert response.status_code == 403
    assert not Entry.objects.exists()
