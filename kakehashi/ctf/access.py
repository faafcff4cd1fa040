"""The only place that decides who may see or do what in events.

Objects a caller may not see are reported as not found, so that their existence does not leak.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.access import require_user
from kakehashi.accounts.models import User
from kakehashi.core.errors import NotFound, PermissionDenied
from kakehashi.core.queries import only_row
from kakehashi.ctf import known_events, phases
from kakehashi.ctf.choices import ChallengeState, CountryBracket, EventRole, ParticipantStatus, ScoreboardVisibility
from kakehashi.ctf.models import Attachment, Bracket, Challenge, Event, EventStaff, Hint, Page, Participant, Team

AnyUser = User | AnonymousUser


def schedule_of(event: Event) -> phases.Schedule:
    return phases.Schedule(
        starts_at=event.starts_at, ends_at=event.ends_at, freeze_at=event.freeze_at, paused=event.paused
    )


def staff_role(user: AnyUser, event: Event) -> str | None:
    """``organiser`` or ``judge`` for this event (administrators organise every event)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    if user.is_platform_admin:
        return EventRole.ORGANISER
    return only_row(EventStaff.objects.filter(event=event, user=user).values_list("role", flat=True))


def access_event(user: AnyUser, slug: str) -> Event:
    """Events are public: their names and times are shown to everyone."""
    event = known_events.by_slug(slug)
    if event is None:
        raise NotFound()
    return event


def access_event_by_id(user: AnyUser, event_id: int) -> Event:
    event = known_events.by_id(event_id)
    if event is None:
        raise NotFound()
    return event


def require_event_creator(user: AnyUser) -> User:
    """Organisers and administrators may create events."""
    account = require_user(user)
    if not account.is_organiser:
        raise PermissionDenied()
    return account


def access_event_manage(user: AnyUser, event: Event) -> User:
    account = require_user(user)
    if staff_role(account, event) != EventRole.ORGANISER:
        raise PermissionDenied()
    return account


def organised_event_ids(user: User) -> frozenset[int]:
    """The events this account organises by an event role (administrators' blanket role not included)."""
    rows = EventStaff.objects.filter(user=user, role=EventRole.ORGANISER).values_list("event_id", flat=True)
    return frozenset(rows)


def access_event_judge(user: AnyUser, event: Event) -> User:
    """Judges see the live scoreboard and the submission log; organisers too."""
    account = require_user(user)
    if staff_role(account, event) not in {EventRole.ORGANISER, EventRole.JUDGE}:
        raise PermissionDenied()
    return account


@dataclass(frozen=True)
class Player:
    user: User
    participant: Participant


def access_participation(user: AnyUser, event: Event, *, need_team: bool = True) -> Player:
    """An approved participant of the event (with a team, unless told otherwise)."""
    account = require_user(user)
    participant = only_row(Participant.objects.select_related("team").filter(event=event, user=account))
    if participant is None:
        raise PermissionDenied(_("Register for this event first."), code="not_registered")
    if participant.status == ParticipantStatus.PENDING:
        raise PermissionDenied(_("Your registration is waiting for an organiser's approval."), code="not_approved")
    if participant.status == ParticipantStatus.BANNED:
        raise PermissionDenied(_("You have been removed from this event."), code="banned")
    if need_team and participant.team_id is None:
        raise PermissionDenied(_("Create or join a team first."), code="no_team")
    if need_team and participant.team is not None and participant.team.banned:
        raise PermissionDenied(_("Your team has been removed from this event."), code="banned")
    return Player(user=account, participant=participant)


def can_see_challenges(event: Event) -> bool:
    """Challenges are shown once the event has started, and stay readable after it ends."""
    return timezone.now() >= event.starts_at


def challenge_open(challenge: Challenge, event: Event) -> bool:
    """Whether participants may read and attempt the challenge now: visible or locked, released,
    and the event has started."""
    if challenge.state == ChallengeState.HIDDEN or not phases.is_released(challenge.release_at, timezone.now()):
        return False
    return can_see_challenges(event)


def challenge_for_play(challenge_id: int, *, event_id: int | None = None, texts: bool = True) -> Challenge:
    """The challenge with its event, before any rule about who asks (``NotFound`` if there is none)."""
    query = Challenge.objects.all()
    challenge = only_row((query.prefetch_related("translations") if texts else query).filter(pk=challenge_id))
    if challenge is None or (event_id is not None and challenge.event_id != event_id):
        raise NotFound()
    event = known_events.by_id(challenge.event_id)
    if event is None:  # deleted meanwhile
        raise NotFound()
    challenge.event = event
    return challenge


def access_loaded_challenge_play(user: AnyUser, challenge: Challenge) -> Player:
    """The rules of :func:`access_challenge_play` for a challenge :func:`challenge_for_play` read."""
    if staff_role(user, challenge.event) is None and not challenge_open(challenge, challenge.event):
        raise NotFound()
    return access_participation(user, challenge.event)


def access_challenge_play(
    user: AnyUser, challenge_id: int, *, event_id: int | None = None, texts: bool = True
) -> tuple[Challenge, Player]:
    """A challenge a participant may read and attempt: visible or locked, released, event started.

    With ``event_id`` (an address naming the event), a challenge of another event is not found,
    before anything about it or its event is told. ``texts=False`` leaves the challenge's texts
    unread (a flag submission does not show them)."""
    challenge = challenge_for_play(challenge_id, event_id=event_id, texts=texts)
    return challenge, access_loaded_challenge_play(user, challenge)


def access_challenge_manage(user: AnyUser, challenge_id: int) -> Challenge:
    challenge = Challenge.objects.select_related("event").filter(pk=challenge_id).first()
    if challenge is None:
        raise NotFound()
    if staff_role(user, challenge.event) != EventRole.ORGANISER:
        raise NotFound()
    return challenge


def access_hint_play(user: AnyUser, hint_id: int, *, event_id: int | None = None) -> tuple[Hint, Player]:
    hint = only_row(Hint.objects.select_related("challenge__event").filter(pk=hint_id))
    if hint is None:
        raise NotFound()
    _challenge, player = access_challenge_play(user, hint.challenge_id, event_id=event_id, texts=False)
    return hint, player


def access_attachment(user: AnyUser, attachment_id: int) -> Attachment:
    """Participants of the event may download the files of challenges they can see; staff always."""
    require_user(user)
    attachment = Attachment.objects.select_related("challenge__event").filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    if staff_role(user, attachment.challenge.event) is not None:
        return attachment
    access_challenge_play(user, attachment.challenge_id, texts=False)
    return attachment


def access_scoreboard(user: AnyUser, event: Event) -> str:
    """Returns ``live`` for staff (the unfrozen view), ``public`` for everyone else allowed to look."""
    if staff_role(user, event) is not None:
        return "live"
    if event.scoreboard_visibility == ScoreboardVisibility.PUBLIC:
        return "public"
    access_participation(user, event, need_team=False)
    return "public"


def access_registration(user: AnyUser, event: Event) -> Participant:
    """The caller's own registration for the event, whatever its status."""
    account = require_user(user)
    participant = only_row(Participant.objects.select_related("team").filter(event=event, user=account))
    if participant is None:
        raise NotFound(_("You are not registered for this event."), code="not_registered")
    return participant


def is_member(user: AnyUser, team: Team) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return Participant.objects.filter(team=team, user=user).exists()


def access_team(user: AnyUser, event: Event, team_id: int) -> Team:
    """Teams on the scoreboard are public; hidden or banned ones only to their members and staff."""
    team = Team.objects.filter(event=event, pk=team_id).first()
    if team is None:
        raise NotFound()
    if not team.ranked and staff_role(user, event) is None and not is_member(user, team):
        raise NotFound()
    return team


@dataclass(frozen=True)
class BoardViewer:
    team: Team | None
    staff: bool


def access_board(user: AnyUser, event: Event) -> BoardViewer:
    """Staff see every challenge at any time; participants once the event has started."""
    if staff_role(user, event) is not None:
        account = require_user(user)
        participant = only_row(Participant.objects.select_related("team").filter(event=event, user=account))
        return BoardViewer(team=participant.team if participant else None, staff=True)
    player = access_participation(user, event)
    if not can_see_challenges(event):
        raise PermissionDenied(_("The event has not started yet."), code="not_started")
    return BoardViewer(team=player.participant.team, staff=False)


def bracket_filter(event: Event, value: str | None) -> tuple[str | None, int | None]:
    """``uk``, ``jp``, ``mixed`` or ``other`` for a country bracket; a custom bracket's short name."""
    if not value:
        return None, None
    if value in CountryBracket.values:
        return value, None
    bracket_id = only_row(Bracket.objects.filter(event=event, slug=value).values_list("pk", flat=True))
    if bracket_id is None:
        raise NotFound()
    return None, bracket_id


def access_page(user: AnyUser, event: Event, route: str) -> Page:
    """An event's page: hidden ones only for staff; some only for signed-in users."""
    page = Page.objects.prefetch_related("translations").filter(event=event, route=route).first()
    if page is None:
        raise NotFound()
    if page.hidden and staff_role(user, event) is None:
        raise NotFound()
    if page.auth_required:
        require_user(user)
    return page
