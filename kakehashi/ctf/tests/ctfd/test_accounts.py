"""Users and teams through the CTFd-compatible API: organisers create and place, others read public fields."""

from typing import Any

import pytest
from django.test import Client

from kakehashi.accounts.models import User
from kakehashi.ctf.models import Event, Participant, Team
from kakehashi.ctf.tests.ctfd.conftest import Call
from kakehashi.ctf.tests.factories import EventFactory, ParticipantFactory, TeamFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-bridge-password"


def _data(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is True
    return body["data"]


def _errors(response: Any, status: int) -> dict[str, list[str]]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())
    errors: dict[str, list[str]] = body["errors"]
    return errors


def _new_user(name: str = "hanako", email: str = "hanako@example.jp", password: str = PASSWORD) -> dict[str, str]:
    return {"name": name, "email": email, "password": password}


# --- Users -----------------------------------------------------------------------------------


def test_organiser_creates_a_registered_user(as_organiser: Call, event: Event) -> None:
    data = _data(as_organiser("POST", "/api/v1/users", _new_user()))
    user = User.objects.get(username="hanako")
    assert (data["id"], data["name"], data["email"], data["team_id"]) == (user.pk, "hanako", "hanako@example.jp", None)
    assert user.check_password(PASSWORD)
    assert Participant.objects.filter(event=event, user=user, status="approved").exists()


def test_participant_may_not_create_users(as_player: Call) -> None:
    before = User.objects.count()
    errors = _errors(as_player("POST", "/api/v1/users", _new_user()), 403)
    assert "message" in errors
    assert User.objects.count() == before


def test_invalid_user_is_reported_under_ctfd_names_and_nothing_is_stored(
    as_organiser: Call, player: Participant
) -> None:
    before = (User.objects.count(), Participant.objects.count())
    taken = _errors(as_organiser("POST", "/api/v1/users", _new_user(name=player.user.username)), 400)
    assert "name" in taken
    weak = _errors(as_organiser("POST", "/api/v1/users", _new_user(password="123")), 400)
    assert "password" in weak
    missing = _errors(as_organiser("POST", "/api/v1/users", {"name": "jiro"}), 400)
    assert {"email", "password"} <= set(missing)
    assert (User.objects.count(), Participant.objects.count()) == before


def test_user_is_rolled_back_when_registration_fails(as_organiser: Call, event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(starts_at=event.starts_at.replace(year=2000), ends_at=event.starts_at)
    before = User.objects.count()
    errors = _errors(as_organiser("POST", "/api/v1/users", _new_user()), 400)
    assert "message" in errors
    assert User.objects.count() == before


def test_user_detail_hides_email_from_everyone_but_staff(as_organiser: Call, player: Participant) -> None:
    public = _data(Client().get(f"/api/v1/users/{player.user_id}"))
    expected = (player.user_id, player.user.public_name, player.team_id)
    assert (public["id"], public["name"], public["team_id"]) == expected
    assert "email" not in public
    staff = _data(as_organiser("GET", f"/api/v1/users/{player.user_id}"))
    assert staff["email"] == player.user.email


def test_user_detail_only_for_participants_of_the_default_event(event: Event) -> None:
    elsewhere = ParticipantFactory.create(event=EventFactory.create())
    assert _errors(Client().get(f"/api/v1/users/{elsewhere.user_id}"), 404)
    hidden = ParticipantFactory.create(event=event, team=TeamFactory.create(event=event, hidden=True))
    assert _errors(Client().get(f"/api/v1/users/{hidden.user_id}"), 404)


# --- Teams -----------------------------------------------------------------------------------


def test_organiser_creates_an_empty_team(as_organiser: Call, event: Event) -> None:
    data = _data(as_organiser("POST", "/api/v1/teams", {"name": "Kakehashi"}))
    team = Team.objects.get(pk=data["id"])
    assert (team.event_id, team.name, team.captain_id) == (event.pk, "Kakehashi", None)
    assert (data["name"], data["members"], data["captain_id"]) == ("Kakehashi", [], None)


def test_participant_may_not_create_teams(as_player: Call) -> None:
    before = Team.objects.count()
    assert "message" in _errors(as_player("POST", "/api/v1/teams", {"name": "Mine"}), 403)
    assert Team.objects.count() == before


def test_team_name_rules_hold(as_organiser: Call, player: Participant) -> None:
    assert player.team is not None
    before = Team.objects.count()
    assert "name" in _errors(as_organiser("POST", "/api/v1/teams", {"name": player.team.name.upper()}), 400)
    assert "name" in _errors(as_organiser("POST", "/api/v1/teams", {"name": "  "}), 400)
    assert "name" in _errors(as_organiser("POST", "/api/v1/teams", {}), 400)
    assert Team.objects.count() == before


def test_no_teams_in_an_individual_event(as_organiser: Call, event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(mode="individual")
    assert "message" in _errors(as_organiser("POST", "/api/v1/teams", {"name": "Kakehashi"}), 400)
    assert not Team.objects.filter(event=event).exists()


def test_organiser_moves_a_participant_into_a_team(as_organiser: Call, event: Event, player: Participant) -> None:
    team = _data(as_organiser("POST", "/api/v1/teams", {"name": "Kakehashi"}))
    members = _data(as_organiser("POST", f"/api/v1/teams/{team['id']}/members", {"user_id": player.user_id}))
    assert members == [player.user_id]
    player.refresh_from_db()
    assert player.team_id == team["id"]
    assert Team.objects.get(pk=team["id"]).captain_id == player.user_id


def test_moving_needs_a_registered_user_and_an_organiser(
    as_organiser: Call, as_player: Call, event: Event, player: Participant
) -> None:
    team = TeamFactory.create(event=event)
    outsider = ParticipantFactory.create(event=EventFactory.create())
    path = f"/api/v1/teams/{team.pk}/members"
    assert "user_id" in _errors(as_organiser("POST", path, {"user_id": outsider.user_id}), 400)
    assert "user_id" in _errors(as_organiser("POST", path, {"user_id": "me"}), 400)
    assert "message" in _errors(as_player("POST", path, {"user_id": player.user_id}), 403)
    assert _errors(as_organiser("POST", "/api/v1/teams/999999/members", {"user_id": player.user_id}), 404)
    assert not Participant.objects.filter(team=team).exists()


def test_team_detail_public_and_staff_views(as_organiser: Call, event: Event, player: Participant) -> None:
    assert player.team_id is not None
    public = _data(Client().get(f"/api/v1/teams/{player.team_id}"))
    assert (public["id"], public["members"]) == (player.team_id, [player.user_id])
    assert "hidden" not in public
    staff = _data(as_organiser("GET", f"/api/v1/teams/{player.team_id}"))
    assert staff["hidden"] is False
    hidden = TeamFactory.create(event=event, hidden=True)
    assert _errors(Client().get(f"/api/v1/teams/{hidden.pk}"), 404)
    assert _data(as_organiser("GET", f"/api/v1/teams/{hidden.pk}"))["hidden"] is True
