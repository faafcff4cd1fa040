import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.core.errors import PermissionDenied
from kakehashi.ctf.models import (
    Award,
    Bracket,
    Event,
    HintUnlock,
    Participant,
    Solve,
    Submission,
    Team,
)
from kakehashi.ctf.services import events, teams
from kakehashi.ctf.tests.factories import (
    ChallengeFactory,
    EventFactory,
    HintFactory,
    ParticipantFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [item.code for item in items] for field, items in error.error_dict.items()}


def stored(event: Event) -> tuple[list[Any], list[Any]]:
    """The registrations and teams of an event, to compare before and after a refused change."""
    return (
        list(Participant.objects.filter(event=event).order_by("pk").values()),
        list(Team.objects.filter(event=event).order_by("pk").values()),
    )


def registered(event: Event, *, status: str = "approved", **user_fields: Any) -> Participant:
    """A registration without a team."""
    return ParticipantFactory.create(event=event, team=None, status=status, user=UserFactory.create(**user_fields))


def members(team: Team) -> list[User]:
    return [participant.user for participant in Participant.objects.filter(team=team).order_by("pk")]


def refreshed(team: Team) -> Team:
    return Team.objects.get(pk=team.pk)


def with_history(team: Team, kind: str) -> None:
    """Puts one record of ``kind`` on the team's history."""
    user = UserFactory.create()
    now = timezone.now()
    if kind == "award":
        Award.objects.create(event=team.event, team=team, value=10, reason="Helpful", created_at=now)
        return
    if kind == "unlock":
        hint = HintFactory.create(challenge=ChallengeFactory.create(event=team.event))
        HintUnlock.objects.create(hint=hint, team=team, user=user, cost=5, created_at=now)
        return
    challenge = ChallengeFactory.create(event=team.event)
    result = "correct" if kind == "solve" else "incorrect"
    submission = Submission.objects.create(
        event=team.event, challenge=challenge, team=team, user=user, provided="flag{x}", result=result, created_at=now
    )
    if kind == "solve":
        Solve.objects.create(challenge=challenge, team=team, user=user, submission=submission, created_at=now)


@pytest.fixture
def event() -> Event:
    return EventFactory.create()


@pytest.fixture
def individual_event() -> Event:
    return EventFactory.create(mode="individual")


@pytest.fixture
def standings_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Stands in for the standings service and records the events it is told about."""
    calls: list[int] = []
    fake = ModuleType(events.STANDINGS_MODULE)

    def standings_changed(event_id: int, *, kind: str = "full") -> None:
        calls.append(event_id)

    fake.__dict__["standings_changed"] = standings_changed
    monkeypatch.setitem(sys.modules, events.STANDINGS_MODULE, fake)
    return calls


# --- participant_register -----------------------------------------------------------------


def test_open_registration_is_approved_at_once(event: Event) -> None:
    user = UserFactory.create()
    participant = teams.participant_register(event=event, user=user)
    assert (participant.event, participant.user, participant.status, participant.team) == (
        event,
        user,
        "approved",
        None,
    )


def test_registration_before_the_start_is_open() -> None:
    later = EventFactory.create(
        starts_at=timezone.now() + timedelta(days=1), ends_at=timezone.now() + timedelta(days=2)
    )
    assert teams.participant_register(event=later, user=UserFactory.create()).status == "approved"


def test_invitation_code_must_match() -> None:
    event = EventFactory.create(registration="invite", invite_code="hashi-2030")
    user = UserFactory.create()
    for wrong in ["", "hashi-2031", "HASHI-2030", "hashi-203"]:
        with pytest.raises(ValidationError) as caught:
            teams.participant_register(event=event, user=user, invite_code=wrong)
        assert codes(caught.value) == {"invite_code": ["invalid_invite"]}
    assert stored(event) == ([], [])
    assert teams.participant_register(event=event, user=user, invite_code=" hashi-2030 ").status == "approved"


@pytest.mark.parametrize(
    "email",
    ["taro@example.ac.jp", "TARO@Example.AC.JP", "taro@cs.example.ac.jp", "alice@ox.ac.uk"],
)
def test_allowed_domains_and_their_subdomains_may_register(email: str) -> None:
    event = EventFactory.create(registration="domain", allowed_email_domains=["example.ac.jp", "OX.ac.uk"])
    user = UserFactory.create(email=email)
    assert teams.participant_register(event=event, user=user).status == "approved"


@pytest.mark.parametrize(
    "email",
    ["taro@badexample.ac.jp", "taro@example.ac.jp.evil.test", "taro@ac.jp", "taro@example.org", ""],
)
def test_other_domains_may_not_register(email: str) -> None:
    event = EventFactory.create(registration="domain", allowed_email_domains=["example.ac.jp"])
    user = UserFactory.create(email=email)
    with pytest.raises(ValidationError) as caught:
        teams.participant_register(event=event, user=user)
    assert codes(caught.value) == {"email": ["domain_not_allowed"]}
    assert stored(event) == ([], [])


def test_approval_registration_waits(individual_event: Event) -> None:
    individual_event.registration = "approval"
    individual_event.save()
    participant = teams.participant_register(event=individual_event, user=UserFactory.create())
    assert participant.status == "pending"
    assert participant.team is None
    assert not Team.objects.filter(event=individual_event).exists()


def test_registering_twice_is_refused(event: Event) -> None:
    user = UserFactory.create()
    teams.participant_register(event=event, user=user)
    before = stored(event)
    with pytest.raises(ValidationError) as caught:
        teams.participant_register(event=event, user=user)
    assert codes(caught.value) == {"__all__": ["already_registered"]}
    assert stored(event) == before


def test_registration_closes_when_the_event_ends() -> None:
    ended = EventFactory.create(starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        teams.participant_register(event=ended, user=UserFactory.create())
    assert codes(caught.value) == {"__all__": ["registration_closed"]}
    assert stored(ended) == ([], [])


def test_individual_players_get_their_own_team(individual_event: Event) -> None:
    user = UserFactory.create(display_name="Hanako Sato", country="JP")
    participant = teams.participant_register(event=individual_event, user=user)
    team = Team.objects.get(event=individual_event)
    assert participant.team == team
    assert (team.name, team.solo, team.captain, team.country_bracket) == ("Hanako Sato", True, user, "jp")
    assert members(team) == [user]


def test_solo_team_names_are_made_unique(individual_event: Event) -> None:
    TeamFactory.create(event=individual_event, name="hanako sato 2")
    names = [
        teams.participant_register(event=individual_event, user=UserFactory.create(display_name=name)).team
        for name in ["Hanako Sato", "HANAKO SATO", "Hanako Sato", " "]
    ]
    assert [team.name for team in names if team is not None][:3] == ["Hanako Sato", "HANAKO SATO 3", "Hanako Sato 4"]
    unnamed = Participant.objects.filter(event=individual_event).order_by("-pk").first()
    assert unnamed is not None
    assert unnamed.team is not None
    assert unnamed.team.name == unnamed.user.username


def test_long_solo_team_names_keep_their_number_within_the_limit(individual_event: Event) -> None:
    long_name = "橋" * 80
    first = teams.participant_register(event=individual_event, user=UserFactory.create(display_name=long_name))
    second = teams.participant_register(event=individual_event, user=UserFactory.create(display_name=long_name))
    assert first.team is not None
    assert second.team is not None
    assert first.team.name == long_name
    assert second.team.name == "橋" * 78 + " 2"


# --- team_create --------------------------------------------------------------------------


def test_create_a_team_as_its_captain(event: Event) -> None:
    participant = registered(event, country="GB")
    team = teams.team_create(participant=participant, name="  Bridge Builders ")
    assert (team.name, team.captain, team.solo, team.country_bracket) == (
        "Bridge Builders",
        participant.user,
        False,
        "uk",
    )
    assert participant.team == team
    assert Participant.objects.get(pk=participant.pk).team == team


def test_team_names_are_unique_regardless_of_case(event: Event) -> None:
    teams.team_create(participant=registered(event), name="Bridge Builders")
    other = registered(event)
    before = stored(event)
    with pytest.raises(ValidationError) as caught:
        teams.team_create(participant=other, name="bridge builders")
    assert codes(caught.value) == {"name": ["unique"]}
    assert stored(event) == before
    elsewhere = EventFactory.create()
    assert teams.team_create(participant=registered(elsewhere), name="bridge builders").name == "bridge builders"


def _pending(event: Event) -> Participant:
    return registered(event, status="pending")


def _in_a_team(event: Event) -> Participant:
    return ParticipantFactory.create(event=event)


@pytest.mark.parametrize(
    ("make", "name", "field", "code"),
    [
        (_pending, "Team", "__all__", "not_approved"),
        (_in_a_team, "Team", "__all__", "already_in_team"),
        (registered, "   ", "name", "blank"),
        (registered, "x" * 81, "name", "max_length"),
    ],
)
def test_refused_team_creation_stores_nothing(
    event: Event, make: Callable[[Event], Participant], name: str, field: str, code: str
) -> None:
    participant = make(event)
    before = stored(event)
    with pytest.raises(ValidationError) as caught:
        teams.team_create(participant=participant, name=name)
    assert codes(caught.value) == {field: [code]}
    assert stored(event) == before


def test_individual_events_have_no_team_creation_or_joining(individual_event: Event) -> None:
    participant = teams.participant_register(event=individual_event, user=UserFactory.create())
    other = teams.participant_register(event=individual_event, user=UserFactory.create())
    assert other.team is not None
    before = stored(individual_event)
    with pytest.raises(ValidationError) as caught:
        teams.team_create(participant=participant, name="Friends")
    assert codes(caught.value) == {"__all__": ["individual_event"]}
    with pytest.raises(ValidationError) as caught:
        teams.team_join(participant=participant, invite_code=other.team.invite_code)
    assert codes(caught.value) == {"__all__": ["individual_event"]}
    assert stored(individual_event) == before


# --- team_join ----------------------------------------------------------------------------


def test_join_by_invitation_code_and_the_country_bracket_follows(event: Event) -> None:
    captain = registered(event, country="GB")
    team = teams.team_create(participant=captain, name="Bridge")
    joiner = registered(event, country="JP")
    assert teams.team_join(participant=joiner, invite_code=f" {team.invite_code} ") == team
    assert joiner.team == team
    assert members(team) == [captain.user, joiner.user]
    assert refreshed(team).country_bracket == "mixed"
    assert refreshed(team).captain == captain.user


def test_join_needs_a_code_of_this_event(event: Event) -> None:
    elsewhere = TeamFactory.create(event=EventFactory.create())
    participant = registered(event)
    before = stored(event)
    for code in ["", "nope", elsewhere.invite_code]:
        with pytest.raises(ValidationError) as caught:
            teams.team_join(participant=participant, invite_code=code)
        assert codes(caught.value) == {"invite_code": ["invalid_invite"]}
    assert stored(event) == before


def test_a_full_team_cannot_be_joined() -> None:
    event = EventFactory.create(team_size_limit=2)
    team = teams.team_create(participant=registered(event), name="Pair")
    teams.team_join(participant=registered(event), invite_code=team.invite_code)
    late = registered(event)
    before = stored(event)
    with pytest.raises(ValidationError) as caught:
        teams.team_join(participant=late, invite_code=team.invite_code)
    assert codes(caught.value) == {"team": ["team_full"]}
    assert stored(event) == before


def test_a_banned_team_cannot_be_joined(event: Event) -> None:
    team = TeamFactory.create(event=event, banned=True)
    participant = registered(event)
    before = stored(event)
    with pytest.raises(ValidationError) as caught:
        teams.team_join(participant=participant, invite_code=team.invite_code)
    assert codes(caught.value) == {"team": ["team_banned"]}
    assert stored(event) == before


@pytest.mark.parametrize(("make", "code"), [(_pending, "not_approved"), (_in_a_team, "already_in_team")])
def test_only_approved_players_without_a_team_join(
    event: Event, make: Callable[[Event], Participant], code: str
) -> None:
    team = TeamFactory.create(event=event)
    participant = make(event)
    before = stored(event)
    with pytest.raises(ValidationError) as caught:
        teams.team_join(participant=participant, invite_code=team.invite_code)
    assert codes(caught.value) == {"__all__": [code]}
    assert stored(event) == before


def test_joining_an_empty_kept_team_makes_you_captain(event: Event) -> None:
    team = TeamFactory.create(event=event, captain=None)
    participant = registered(event)
    teams.team_join(participant=participant, invite_code=team.invite_code)
    assert refreshed(team).captain == participant.user


# --- team_leave ---------------------------------------------------------------------------


def test_a_leaving_captain_hands_over_to_the_longest_standing_member(event: Event) -> None:
    captain = registered(event, country="JP")
    team = teams.team_create(participant=captain, name="Bridge")
    newer = registered(event, country="GB")
    older = registered(event, country="JP")
    Participant.objects.filter(pk=older.pk).update(joined_at=timezone.now() - timedelta(days=3))
    for participant in (newer, older):
        teams.team_join(participant=participant, invite_code=team.invite_code)
    assert refreshed(team).country_bracket == "mixed"
    teams.team_leave(participant=captain)
    assert captain.team is None
    assert Participant.objects.get(pk=captain.pk).team is None
    assert refreshed(team).captain == older.user
    teams.team_leave(participant=newer)
    assert refreshed(team).country_bracket == "jp"
    assert refreshed(team).captain == older.user


def test_a_member_leaving_keeps_the_captain(event: Event) -> None:
    captain = registered(event)
    team = teams.team_create(participant=captain, name="Bridge")
    member = registered(event)
    teams.team_join(participant=member, invite_code=team.invite_code)
    teams.team_leave(participant=member)
    assert refreshed(team).captain == captain.user
    assert members(team) == [captain.user]


def test_the_last_member_out_deletes_a_team_without_history(event: Event) -> None:
    participant = registered(event)
    team = teams.team_create(participant=participant, name="Brief")
    teams.team_leave(participant=participant)
    assert not Team.objects.filter(pk=team.pk).exists()
    assert Participant.objects.get(pk=participant.pk).status == "approved"


@pytest.mark.parametrize("kind", ["solve", "submission", "unlock", "award"])
def test_a_team_with_history_is_kept_empty(event: Event, kind: str) -> None:
    participant = registered(event, country="GB")
    team = teams.team_create(participant=participant, name="Remembered")
    with_history(team, kind)
    teams.team_leave(participant=participant)
    kept = refreshed(team)
    assert (kept.captain, kept.country_bracket, members(kept)) == (None, "other", [])


def test_leaving_needs_a_team(event: Event) -> None:
    participant = registered(event)
    with pytest.raises(ValidationError) as caught:
        teams.team_leave(participant=participant)
    assert codes(caught.value) == {"__all__": ["no_team"]}


def test_individual_players_cannot_leave_their_own_team(individual_event: Event) -> None:
    participant = teams.participant_register(event=individual_event, user=UserFactory.create())
    before = stored(individual_event)
    with pytest.raises(ValidationError) as caught:
        teams.team_leave(participant=participant)
    assert codes(caught.value) == {"__all__": ["individual_event"]}
    assert stored(individual_event) == before


# --- team_disband -------------------------------------------------------------------------


def _team_of_three(event: Event) -> tuple[Team, list[Participant]]:
    players = [registered(event) for _ in range(3)]
    team = teams.team_create(participant=players[0], name="Trio")
    for player in players[1:]:
        teams.team_join(participant=player, invite_code=team.invite_code)
    return team, players


def test_the_captain_disbands_a_team(event: Event) -> None:
    team, players = _team_of_three(event)
    teams.team_disband(team=team, by=players[0].user)
    assert not Team.objects.filter(pk=team.pk).exists()
    assert list(Participant.objects.filter(event=event).values_list("team", flat=True)) == [None] * 3


def test_a_disbanded_team_with_history_is_kept(event: Event) -> None:
    team, players = _team_of_three(event)
    with_history(team, "solve")
    teams.team_disband(team=team, by=players[0].user)
    kept = refreshed(team)
    assert (kept.captain, members(kept)) == (None, [])


def test_only_the_captain_disbands(event: Event) -> None:
    team, players = _team_of_three(event)
    before = stored(event)
    for someone in (players[1].user, UserFactory.create()):
        with pytest.raises(PermissionDenied) as caught:
            teams.team_disband(team=team, by=someone)
        assert caught.value.code == "not_captain"
    assert stored(event) == before


# --- team_rename --------------------------------------------------------------------------


def test_rename(event: Event) -> None:
    team = teams.team_create(participant=registered(event), name="Bridge")
    teams.team_rename(team=team, name="BRIDGE")  # the same name in other letters: fine
    assert refreshed(team).name == "BRIDGE"
    teams.team_rename(team=team, name=" Kakehashi ")
    assert (team.name, refreshed(team).name) == ("Kakehashi", "Kakehashi")


def test_rename_to_a_taken_name_is_refused(event: Event) -> None:
    TeamFactory.create(event=event, name="Taken")
    team = TeamFactory.create(event=event, name="Mine")
    before = stored(event)
    for name in ("taken", ""):
        with pytest.raises(ValidationError) as caught:
            teams.team_rename(team=team, name=name)
        assert set(codes(caught.value)) == {"name"}
    assert stored(event) == before


# --- participant_set_status ---------------------------------------------------------------


def test_approving_an_individual_player_gives_them_a_team(individual_event: Event) -> None:
    participant = registered(individual_event, status="pending", display_name="Jiro")
    teams.participant_set_status(participant=participant, status="approved")
    stored_participant = Participant.objects.select_related("team").get(pk=participant.pk)
    assert stored_participant.status == "approved"
    assert stored_participant.team is not None
    assert (stored_participant.team.name, stored_participant.team.solo) == ("Jiro", True)
    assert participant.team_id == stored_participant.team_id


def test_approving_a_team_player_leaves_them_to_find_a_team(event: Event) -> None:
    participant = registered(event, status="pending")
    teams.participant_set_status(participant=participant, status="approved")
    assert Participant.objects.get(pk=participant.pk).status == "approved"
    assert not Team.objects.filter(event=event).exists()


def test_banning_a_team_player_takes_them_out_of_the_team(event: Event) -> None:
    team, players = _team_of_three(event)
    teams.participant_set_status(participant=players[0], status="banned")
    banned = Participant.objects.get(pk=players[0].pk)
    assert (banned.status, banned.team) == ("banned", None)
    assert refreshed(team).captain == players[1].user
    assert not refreshed(team).banned
    teams.participant_set_status(participant=players[0], status="approved")
    assert Participant.objects.get(pk=players[0].pk).team is None


def test_banning_an_individual_player_bans_their_team(individual_event: Event) -> None:
    participant = teams.participant_register(event=individual_event, user=UserFactory.create())
    assert participant.team is not None
    teams.participant_set_status(participant=participant, status="banned")
    assert refreshed(participant.team).banned
    assert Participant.objects.get(pk=participant.pk).team == participant.team
    teams.participant_set_status(participant=participant, status="approved")
    assert not refreshed(participant.team).banned


@pytest.mark.parametrize(("status", "code"), [("pending", "invalid_transition"), ("king", "invalid_choice")])
def test_refused_status_changes_change_nothing(event: Event, status: str, code: str) -> None:
    participant = ParticipantFactory.create(event=event)
    before = stored(event)
    with pytest.raises(ValidationError) as caught:
        teams.participant_set_status(participant=participant, status=status)
    assert codes(caught.value) == {"status": [code]}
    assert stored(event) == before


# --- visibility and brackets --------------------------------------------------------------


def test_hide_and_ban_a_team(event: Event) -> None:
    team = TeamFactory.create(event=event)
    teams.team_set_visibility(team=team, hidden=True)
    assert (refreshed(team).hidden, refreshed(team).banned) == (True, False)
    teams.team_set_visibility(team=team, banned=True)
    assert (refreshed(team).hidden, refreshed(team).banned) == (True, True)
    teams.team_set_visibility(team=team, hidden=False, banned=False)
    assert (refreshed(team).hidden, refreshed(team).banned) == (False, False)
    assert (team.hidden, team.banned) == (False, False)


def test_a_team_is_placed_in_a_bracket_of_its_event(event: Event) -> None:
    team = TeamFactory.create(event=event)
    bracket = events.bracket_create(event=event, slug="students", names={"en": "Students"})
    teams.team_set_bracket(team=team, bracket=bracket)
    assert refreshed(team).bracket == bracket
    teams.team_set_bracket(team=team, bracket=None)
    assert refreshed(team).bracket is None


def test_a_bracket_of_another_event_is_refused(event: Event) -> None:
    team = TeamFactory.create(event=event)
    foreign = Bracket.objects.create(event=EventFactory.create(), slug="students")
    before = stored(event)
    with pytest.raises(ValidationError) as caught:
        teams.team_set_bracket(team=team, bracket=foreign)
    assert codes(caught.value) == {"bracket": ["wrong_event"]}
    assert stored(event) == before


# --- participant_move ---------------------------------------------------------------------


def test_an_organiser_moves_a_player(event: Event) -> None:
    team, players = _team_of_three(event)
    other = TeamFactory.create(event=event, captain=None)
    moved = players[0]
    assert teams.participant_move(participant=moved, team=other) == other
    assert moved.team == other
    assert Participant.objects.get(pk=moved.pk).team == other
    assert refreshed(other).captain == moved.user
    assert refreshed(team).captain == players[1].user


def test_moving_the_last_member_deletes_a_team_without_history(event: Event) -> None:
    participant = registered(event)
    team = teams.team_create(participant=participant, name="Alone")
    other = TeamFactory.create(event=event)
    teams.participant_move(participant=participant, team=other)
    assert not Team.objects.filter(pk=team.pk).exists()


def test_a_player_without_a_team_can_be_placed(event: Event) -> None:
    participant = registered(event)
    team = TeamFactory.create(event=event)
    teams.participant_move(participant=participant, team=team)
    assert members(team) == [participant.user]


def test_moves_respect_the_size_limit_and_the_event() -> None:
    event = EventFactory.create(team_size_limit=1)
    full = teams.team_create(participant=registered(event), name="Full")
    participant = registered(event)
    before = stored(event)
    with pytest.raises(ValidationError) as caught:
        teams.participant_move(participant=participant, team=full)
    assert codes(caught.value) == {"team": ["team_full"]}
    with pytest.raises(ValidationError) as caught:
        teams.participant_move(participant=participant, team=TeamFactory.create(event=EventFactory.create()))
    assert codes(caught.value) == {"team": ["wrong_event"]}
    assert stored(event) == before


def test_moves_are_for_team_events(individual_event: Event) -> None:
    first = teams.participant_register(event=individual_event, user=UserFactory.create())
    second = teams.participant_register(event=individual_event, user=UserFactory.create())
    assert second.team is not None
    before = stored(individual_event)
    with pytest.raises(ValidationError) as caught:
        teams.participant_move(participant=first, team=second.team)
    assert codes(caught.value) == {"__all__": ["individual_event"]}
    assert stored(individual_event) == before


# --- standings ----------------------------------------------------------------------------


def test_changes_that_move_teams_ask_for_new_standings(
    event: Event,
    individual_event: Event,
    standings_calls: list[int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    bracket = events.bracket_create(event=event, slug="pros", names={"en": "Professionals"})
    with django_capture_on_commit_callbacks(execute=True):
        captain = registered(event)
        team = teams.team_create(participant=captain, name="Bridge")
    assert standings_calls == [event.pk]
    member = registered(event)
    actions: list[Callable[[], object]] = [
        lambda: teams.team_join(participant=member, invite_code=team.invite_code),
        lambda: teams.team_set_visibility(team=team, hidden=True),
        lambda: teams.team_set_visibility(team=team, banned=True),
        lambda: teams.team_set_visibility(team=team, hidden=False, banned=False),
        lambda: teams.team_set_bracket(team=team, bracket=bracket),
        lambda: teams.team_rename(team=team, name="Bridge 2"),
        lambda: teams.participant_move(participant=member, team=TeamFactory.create(event=event)),
        lambda: teams.team_leave(participant=member),
        lambda: teams.participant_set_status(participant=captain, status="banned"),
        lambda: teams.participant_register(event=individual_event, user=UserFactory.create()),
    ]
    for action in actions:
        standings_calls.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action()
        assert standings_calls in ([event.pk], [individual_event.pk])
    quiet = TeamFactory.create(event=event)
    standings_calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        teams.team_set_visibility(team=quiet, hidden=False)  # nothing changes: nothing to recompute
        teams.participant_register(event=event, user=UserFactory.create())  # no team yet
    assert standings_calls == []


def test_nothing_is_asked_when_a_change_is_refused(
    event: Event, standings_calls: list[int], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    team = TeamFactory.create(event=event, banned=True)
    joiner = registered(event)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        teams.team_join(participant=joiner, invite_code=team.invite_code)
    assert callbacks == []
    assert standings_calls == []


# --- concurrency (PostgreSQL) -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_joins_cannot_overfill_a_team() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    event = EventFactory.create(team_size_limit=3)
    team = TeamFactory.create(event=event)
    ParticipantFactory.create(event=event, team=team)
    joiners = [registered(event) for _ in range(8)]
    start = threading.Barrier(len(joiners))
    outcomes: list[str] = []
    failures: list[BaseException] = []
    guard = threading.Lock()

    def join(participant: Participant) -> None:
        try:
            start.wait(timeout=10)
            try:
                teams.team_join(participant=participant, invite_code=team.invite_code)
                outcome = "joined"
            except ValidationError as error:
                outcome = str(codes(error).get("team"))
            with guard:
                outcomes.append(outcome)
        except BaseException as error:  # reported by the main thread below
            with guard:
                failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=join, args=(participant,)) for participant in joiners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures
    assert sorted(outcomes) == ["['team_full']"] * 6 + ["joined"] * 2
    assert Participant.objects.filter(team=team).count() == 3
