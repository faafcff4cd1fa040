"""Writes on registrations and teams.

Locks are always taken in the same order, participant rows before team rows (teams by id), so that
two requests cannot deadlock. Every change of membership recomputes the team's country
bracket, and every change that can move a team on the scoreboard asks for new standings after the
commit.
"""

import secrets

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.audit.choices import Action
from kakehashi.core import names
from kakehashi.core.errors import PermissionDenied
from kakehashi.ctf import phases
from kakehashi.ctf.access import schedule_of
from kakehashi.ctf.brackets import country_bracket
from kakehashi.ctf.choices import EventMode, ParticipantStatus, RegistrationMode
from kakehashi.ctf.models import Award, Bracket, Event, HintUnlock, Participant, Solve, Submission, Team
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.events import standings_changed_on_commit
from kakehashi.ctf.services.recording import Actor

TEAM_NAME_LENGTH = Team._meta.get_field("name").max_length or 80


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _general_error(message: str, code: str) -> ValidationError:
    return _error(NON_FIELD_ERRORS, message, code)


# --- rules -------------------------------------------------------------------------------


def _email_domain_allowed(email: str, allowed: list[str]) -> bool:
    """The address's domain is one on the list, or a subdomain of one, regardless of case."""
    if "@" not in email:
        return False
    domain = email.rpartition("@")[2].strip().lower()
    entries = (entry.strip().lower().removeprefix("@") for entry in allowed)
    return any(entry and (domain == entry or domain.endswith("." + entry)) for entry in entries)


def _invite_matches(given: str, expected: str) -> bool:
    return bool(expected) and secrets.compare_digest(given.strip().encode(), expected.encode())


def _require_team_mode(event: Event) -> None:
    if event.mode != EventMode.TEAM:
        raise _general_error(_("In this event everyone plays on their own."), "individual_event")


def _require_approved(participant: Participant) -> None:
    if participant.status != ParticipantStatus.APPROVED:
        raise _general_error(_("Your registration has not been approved."), "not_approved")


def _require_room(team: Team, event: Event) -> None:
    """Call with the team's row locked, so that the count cannot change before the join is stored."""
    if team.banned:
        raise _error("team", _("This team has been removed from the event."), "team_banned")
    if event.team_size_limit is not None and team.members.count() >= event.team_size_limit:
        raise _error("team", _("This team is full."), "team_full")


def _check_name(team: Team, name: str) -> None:
    """Sets the name after checking it by the name rule (``kakehashi.core.names``) and that no other
    team of the event has the same name: the same once case, width and compatibility forms are
    folded (``Ｔｅａｍ`` is ``team``)."""
    try:
        team.name = names.clean(name, required=False)  # blank and too long: the model's own errors
    except names.NameProblem as problem:
        raise names.name_error("name", problem) from None
    wanted = names.key(team.name)
    others = Team.objects.filter(event_id=team.event_id).exclude(pk=team.pk).values_list("name", flat=True)
    if team.name and any(names.key(other) == wanted for other in others.iterator()):
        raise _error("name", _("A team with this name already exists in this event."), "unique")
    team.full_clean(exclude=["invite_code"], validate_constraints=False)


def _save_named(team: Team) -> None:
    """Stores the team; a race on the unique name is reported like any other taken name."""
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise _error("name", _("A team with this name already exists in this event."), "unique") from None


# --- shared steps ------------------------------------------------------------------------


def _lock_participant(participant: Participant) -> Participant:
    return Participant.objects.select_for_update().get(pk=participant.pk)


def _lock_team(team_id: int) -> Team:
    return Team.objects.select_for_update().get(pk=team_id)


def _has_history(team: Team) -> bool:
    """Whether anything on record points at the team: then it is kept, even empty."""
    return (
        Submission.objects.filter(team=team).exists()
        or Solve.objects.filter(team=team).exists()
        or HintUnlock.objects.filter(team=team).exists()
        or Award.objects.filter(team=team).exists()
    )


def _refresh_country_bracket(team: Team) -> None:
    countries = Participant.objects.filter(team=team).values_list("user__country", flat=True)
    bracket = country_bracket(countries)
    if bracket != team.country_bracket:
        team.country_bracket = bracket
        team.save(update_fields=["country_bracket"])


def _attach(participant: Participant, team: Team) -> None:
    """Puts a participant into a locked team; they captain it when it has no captain."""
    participant.team = team
    participant.save(update_fields=["team"])
    if team.captain_id is None:
        team.captain_id = participant.user_id
        team.save(update_fields=["captain"])
    _refresh_country_bracket(team)


def _detach(participant: Participant, team: Team) -> None:
    """Takes a participant out of a locked team. A captain passes the captaincy to the member who
    registered first; the last one out deletes the team unless it has a history."""
    participant.team = None
    participant.save(update_fields=["team"])
    successor = Participant.objects.filter(team=team).order_by("joined_at", "pk").first()
    if successor is None and not _has_history(team):
        team.delete()
        return
    if successor is None:
        team.captain = None
        team.save(update_fields=["captain"])
    elif team.captain_id in (None, participant.user_id):
        team.captain_id = successor.user_id
        team.save(update_fields=["captain"])
    _refresh_country_bracket(team)


def _solo_team_create(participant: Participant, user: User) -> Team:
    """The one-person team of an individual event, named after the player; a number is added when
    another team of the event already has the name."""
    base = user.public_name.strip() or user.username
    similar = Team.objects.filter(event_id=participant.event_id, name__istartswith=base[:40])
    for _attempt in range(3):
        taken = {name.lower() for name in similar.values_list("name", flat=True)}
        number = 1
        name = base[:TEAM_NAME_LENGTH].strip()
        while name.lower() in taken:
            number += 1
            suffix = " " + str(number)
            name = base[: TEAM_NAME_LENGTH - len(suffix)].strip() + suffix
        team = Team(event_id=participant.event_id, name=name, captain=user, solo=True)
        team.full_clean(exclude=["invite_code"], validate_constraints=False)
        try:
            with transaction.atomic():
                team.save()
        except IntegrityError:
            continue  # someone of the same name registered at the same moment: look again
        _attach(participant, team)
        return team
    raise _general_error(_("Please try again."), "conflict")


# --- registration ------------------------------------------------------------------------


@transaction.atomic
def participant_register(*, event: Event, user: User, invite_code: str = "") -> Participant:
    """Registers ``user`` for the event, as the event's registration mode allows. In an individual
    event an approved participant gets their one-person team at once."""
    if phases.phase(schedule_of(event), timezone.now()) == phases.Phase.ENDED:
        raise _general_error(_("Registration has closed: the event is over."), "registration_closed")
    if Participant.objects.filter(event=event, user=user).exists():
        raise _general_error(_("You are already registered for this event."), "already_registered")
    status = ParticipantStatus.APPROVED
    if event.registration == RegistrationMode.INVITE and not _invite_matches(invite_code, event.invite_code):
        raise _error("invite_code", _("This invitation code is not correct."), "invalid_invite")
    if event.registration == RegistrationMode.DOMAIN and not _email_domain_allowed(
        user.email, list(event.allowed_email_domains)
    ):
        raise _error("email", _("Your e-mail domain may not register for this event."), "domain_not_allowed")
    if event.registration == RegistrationMode.APPROVAL:
        status = ParticipantStatus.PENDING
    participant = Participant(event=event, user=user, status=status)
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError:
        raise _general_error(_("You are already registered for this event."), "already_registered") from None
    if status == ParticipantStatus.APPROVED and event.mode == EventMode.INDIVIDUAL:
        _solo_team_create(participant, user)
        standings_changed_on_commit(event.pk, kind="teams")
    return participant


@transaction.atomic
def participant_set_status(*, participant: Participant, status: str, actor: Actor = None) -> Participant:
    """Approves or bans a registration (organiser action). Approving in an individual event gives the
    player their team; banning takes a player out of their team, or in an individual event bans
    their one-person team. A decided registration cannot go back to waiting."""
    locked = _lock_participant(participant)
    previous = locked.status
    locked.status = status
    locked.full_clean(exclude=["event", "user", "team"], validate_constraints=False)
    if status == previous:
        return locked
    if status == ParticipantStatus.PENDING:
        raise _error("status", _("A decided registration cannot go back to waiting."), "invalid_transition")
    locked.save(update_fields=["status"])
    action = Action.PARTICIPANT_BAN if status == ParticipantStatus.BANNED else Action.PARTICIPANT_APPROVE
    recording.record(
        action=action, actor=actor, target=locked, event_id=locked.event_id, label=locked.user.username,
        before={"status": previous, "team_id": locked.team_id}, after={"status": status},
    )  # fmt: skip
    event = locked.event
    team = _lock_team(locked.team_id) if locked.team_id is not None else None
    if status == ParticipantStatus.APPROVED and event.mode == EventMode.INDIVIDUAL:
        if team is None:
            _solo_team_create(locked, locked.user)
        elif team.solo and team.banned:
            team.banned = False
            team.save(update_fields=["banned"])
    if status == ParticipantStatus.BANNED and team is not None:
        if team.solo:
            team.banned = True
            team.save(update_fields=["banned"])
        else:
            _detach(locked, team)
    if event.mode == EventMode.INDIVIDUAL or team is not None:
        standings_changed_on_commit(event.pk, kind="teams")
    participant.status = locked.status
    participant.team_id = locked.team_id
    return locked


@transaction.atomic
def participant_move(*, participant: Participant, team: Team, actor: Actor = None) -> Team:
    """Moves a participant into another team of the same event (organiser action). The size limit
    holds; the team left behind follows the same rules as when its member leaves."""
    locked = _lock_participant(participant)
    if team.event_id != locked.event_id:
        raise _error("team", _("This team belongs to another event."), "wrong_event")
    event = locked.event
    _require_team_mode(event)
    _require_approved(locked)
    if locked.team_id == team.pk:
        return team
    involved = Team.objects.select_for_update().filter(pk__in=[team.pk, locked.team_id]).order_by("pk")
    teams = {row.pk: row for row in involved}
    target = teams[team.pk]
    _require_room(target, event)
    if locked.team_id is not None:
        _detach(locked, teams[locked.team_id])
    previous_team_id = locked.team_id
    _attach(locked, target)
    recording.record(
        action=Action.PARTICIPANT_MOVE, actor=actor, target=locked, event_id=locked.event_id,
        label=locked.user.username, before={"team_id": previous_team_id}, after={"team_id": target.pk},
    )  # fmt: skip
    participant.team = target
    standings_changed_on_commit(event.pk, kind="teams")
    return target


# --- teams -------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, participant: Participant, name: str) -> Team:
    """A new team of a team event, captained by the participant who creates it."""
    locked = _lock_participant(participant)
    event = locked.event
    _require_team_mode(event)
    _require_approved(locked)
    if locked.team_id is not None:
        raise _general_error(_("Leave your current team first."), "already_in_team")
    team = Team(event=event, captain_id=locked.user_id)
    _check_name(team, name)
    _save_named(team)
    _attach(locked, team)
    participant.team = team
    standings_changed_on_commit(event.pk, kind="teams")
    return team


@transaction.atomic
def team_join(*, participant: Participant, invite_code: str) -> Team:
    """Joins the team of this event that has the invitation code, while it has room."""
    locked = _lock_participant(participant)
    event = locked.event
    _require_team_mode(event)
    _require_approved(locked)
    if locked.team_id is not None:
        raise _general_error(_("Leave your current team first."), "already_in_team")
    team = Team.objects.select_for_update().filter(event=event, invite_code=invite_code.strip()).first()
    if team is None or not _invite_matches(invite_code, team.invite_code):
        raise _error("invite_code", _("This invitation code is not correct."), "invalid_invite")
    _require_room(team, event)
    _attach(locked, team)
    participant.team = team
    standings_changed_on_commit(event.pk, kind="teams")
    return team


@transaction.atomic
def team_leave(*, participant: Participant) -> None:
    """Leaves the team. A captain hands over to the longest-registered member; the last one out
    deletes the team, unless it has solves, submissions, unlocks or awards on record."""
    locked = _lock_participant(participant)
    _require_team_mode(locked.event)
    if locked.team_id is None:
        raise _general_error(_("You are not in a team."), "no_team")
    _detach(locked, _lock_team(locked.team_id))
    participant.team = None
    standings_changed_on_commit(locked.event_id, kind="teams")


@transaction.atomic
def team_disband(*, team: Team, by: User) -> None:
    """The captain breaks the team up: every member leaves it. A team with a history is kept, empty."""
    # Members are locked before the team, in the order every other change takes its locks.
    list(Participant.objects.select_for_update().filter(team_id=team.pk).order_by("pk"))
    locked = _lock_team(team.pk)
    if locked.captain_id is None or locked.captain_id != by.pk:
        raise PermissionDenied(_("Only the team's captain can do that."), code="not_captain")
    _require_team_mode(locked.event)
    Participant.objects.filter(team=locked).update(team=None)
    if _has_history(locked):
        locked.captain = None
        locked.save(update_fields=["captain"])
        _refresh_country_bracket(locked)
    else:
        locked.delete()
    standings_changed_on_commit(locked.event_id, kind="teams")


@transaction.atomic
def team_rename(*, team: Team, name: str) -> Team:
    """Renames the team; names stay unique within the event regardless of case."""
    locked = _lock_team(team.pk)
    _check_name(locked, name)
    _save_named(locked)
    team.name = locked.name
    standings_changed_on_commit(locked.event_id, kind="teams")
    return locked


@transaction.atomic
def team_set_visibility(
    *, team: Team, hidden: bool | None = None, banned: bool | None = None, actor: Actor = None
) -> Team:
    """Hides a team from the scoreboard or bans it from the event; ``None`` leaves a setting as it is."""
    locked = _lock_team(team.pk)
    changed = []
    if hidden is not None and hidden != locked.hidden:
        locked.hidden = hidden
        changed.append("hidden")
    if banned is not None and banned != locked.banned:
        locked.banned = banned
        changed.append("banned")
    if changed:
        locked.save(update_fields=changed)
        standings_changed_on_commit(locked.event_id, kind="teams")
    for field in changed:
        value = getattr(locked, field)
        if field == "banned":
            action = Action.TEAM_BAN if value else Action.TEAM_UNBAN
        else:
            action = Action.TEAM_HIDE if value else Action.TEAM_SHOW
        recording.record(
            action=action, actor=actor, target=locked, event_id=locked.event_id, before={field: not value},
            after={field: value},
        )  # fmt: skip
    team.hidden, team.banned = locked.hidden, locked.banned
    return locked


@transaction.atomic
def team_set_bracket(*, team: Team, bracket: Bracket | None, actor: Actor = None) -> Team:
    """Places the team in one of its event's custom brackets, or in none."""
    if bracket is not None and bracket.event_id != team.event_id:
        raise _error("bracket", _("This bracket belongs to another event."), "wrong_event")
    locked = _lock_team(team.pk)
    if locked.bracket_id != (bracket.pk if bracket else None):
        recording.record(
            action=Action.TEAM_UPDATE, actor=actor, target=locked, event_id=locked.event_id,
            before={"bracket_id": locked.bracket_id}, after={"bracket_id": bracket.pk if bracket else None},
        )  # fmt: skip
        locked.bracket = bracket
        locked.save(update_fields=["bracket"])
        standings_changed_on_commit(locked.event_id, kind="teams")
    team.bracket = bracket
    return locked
