"""CTFd's users and teams, for the default event: organisers create accounts and teams and place people;
anyone reads the public fields. E-mail addresses and other private fields are shown to the event's staff only.

Organiser-made teams start empty; the first person moved in becomes their captain.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kakehashi.accounts.authentication import optional_auth
from kakehashi.accounts.models import User
from kakehashi.accounts.services import user_create as account_create
from kakehashi.core.errors import NotFound
from kakehashi.ctf import access
from kakehashi.ctf.choices import ParticipantStatus
from kakehashi.ctf.ctfd import shapes
from kakehashi.ctf.ctfd.context import default_event, organiser_event
from kakehashi.ctf.models import Event, Participant, Team
from kakehashi.ctf.services import teams as team_services

router = Router(tags=["CTFd accounts"])

# Where the account's errors are reported, under CTFd's names.
USER_FIELDS = {"username": "name"}


class UserIn(Schema):
    name: str
    email: str
    password: str


class TeamIn(Schema):
    name: str


class MemberIn(Schema):
    user_id: int


def _ctfd_keys(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({USER_FIELDS.get(field, field): items for field, items in error.error_dict.items()})


def _is_staff(request: HttpRequest, event: Event) -> bool:
    return access.staff_role(request.user, event) is not None


def user_out(user: User, participant: Participant | None, *, staff: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": user.pk,
        "oauth_id": None,
        "name": user.public_name,
        "website": None,
        "affiliation": None,
        "country": user.country or None,
        "bracket_id": None,
        "team_id": participant.team_id if participant is not None else None,
        "fields": [],
    }
    if staff:
        data |= {
            "email": user.email,
            "type": "admin" if user.is_platform_admin else "user",
            "hidden": False,
            "banned": participant is not None and participant.status == ParticipantStatus.BANNED,
            "verified": participant is not None and participant.status == ParticipantStatus.APPROVED,
            "language": user.preferred_language or None,
            "created": user.date_joined.isoformat(),
        }
    return data


def team_out(team: Team, *, staff: bool) -> dict[str, Any]:
    members = Participant.objects.filter(team=team).order_by("joined_at", "pk").values_list("user_id", flat=True)
    data: dict[str, Any] = {
        "id": team.pk,
        "oauth_id": None,
        "name": team.name,
        "website": None,
        "affiliation": None,
        "country": None,
        "bracket_id": team.bracket_id,
        "captain_id": team.captain_id,
        "members": list(members),
        "fields": [],
    }
    if staff:
        data |= {
            "email": None,
            "hidden": team.hidden,
            "banned": team.banned,
            "created": team.created_at.isoformat(),
        }
    return data


def _managed_team(request: HttpRequest, team_id: int) -> tuple[Event, Team]:
    event, _user = organiser_event(request)
    team = Team.objects.filter(event=event, pk=team_id).first()
    if team is None:
        raise NotFound()
    return event, team


# --- Users -----------------------------------------------------------------------------------


@router.post("/users", summary="Create an account and register it for the default event (organisers)")
def user_create(request: HttpRequest, payload: UserIn) -> dict[str, Any]:
    event, _user = organiser_event(request)
    try:
        with transaction.atomic():
            user = account_create(
                actor=request.user, username=payload.name, email=payload.email, password=payload.password
            )
            participant = team_services.participant_register(event=event, user=user, invite_code=event.invite_code)
    except ValidationError as error:
        raise _ctfd_keys(error) from None
    return shapes.ok(user_out(user, participant, staff=True))


@router.get("/users/{int:user_id}", auth=optional_auth(), summary="A participant of the default event")
def user_detail(request: HttpRequest, user_id: int) -> dict[str, Any]:
    event = default_event()
    # ``user__id`` (not ``user_id``): the integer lookup turns an id past the column's range into "none".
    participant = Participant.objects.select_related("user").filter(event=event, user__id=user_id).first()
    if participant is None:
        raise NotFound()
    staff = _is_staff(request, event)
    if not staff and participant.status != ParticipantStatus.APPROVED:
        raise NotFound()
    if participant.team_id is not None:
        access.access_team(request.user, event, participant.team_id)
    return shapes.ok(user_out(participant.user, participant, staff=staff))


# --- Teams -----------------------------------------------------------------------------------


@router.post("/teams", summary="Create an empty team in the default event (organisers)")
def team_create(request: HttpRequest, payload: TeamIn) -> dict[str, Any]:
    event, _user = organiser_event(request)
    with transaction.atomic():
        team_services._require_team_mode(event)
        team = Team(event=event)
        team_services._check_name(team, payload.name)
        team_services._save_named(team)
    return shapes.ok(team_out(team, staff=True))


@router.get("/teams/{int:team_id}", auth=optional_auth(), summary="A team of the default event")
def team_detail(request: HttpRequest, team_id: int) -> dict[str, Any]:
    event = default_event()
    team = access.access_team(request.user, event, team_id)
    return shapes.ok(team_out(team, staff=_is_staff(request, event)))


@router.post("/teams/{int:team_id}/members", summary="Move a registered user into the team (organisers)")
def team_member_add(request: HttpRequest, team_id: int, payload: MemberIn) -> dict[str, Any]:
    event, team = _managed_team(request, team_id)
    participant = Participant.objects.filter(event=event, user_id=payload.user_id).first()
    if participant is None:
        message = _("This user is not registered for this event.")
        raise ValidationError({"user_id": [ValidationError(message, code="not_registered")]})
    team_services.participant_move(actor=request.user, participant=participant, team=team)
    members = Participant.objects.filter(team=team).order_by("joined_at", "pk").values_list("user_id", flat=True)
    return shapes.ok(list(members))
