"""Native JSON API of the exercises for organisers and judges. Participants' endpoints are in ``api``.

Objects reached by their own id (``/manage/flags/{id}`` ...) belong to one event; a caller who does
not organise that event is told they do not exist (404), so ids do not reveal other events' content.
Event-scoped paths (``/events/{slug}/...``) name a public event and refuse with 403.
"""

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile

from kakehashi.accounts import selectors as account_selectors
from kakehashi.accounts.access import require_user
from kakehashi.core.errors import NotFound
from kakehashi.core.models import Translatable
from kakehashi.ctf import access, selectors
from kakehashi.ctf.access import AnyUser
from kakehashi.ctf.api import ERRORS, _announcement_out, _event_out, _text, _texts
from kakehashi.ctf.api import router as participant_router
from kakehashi.ctf.choices import EventRole
from kakehashi.ctf.models import (
    Attachment,
    Award,
    Bracket,
    Challenge,
    Event,
    Flag,
    Hint,
    Participant,
    Submission,
    Team,
)
from kakehashi.ctf.schemas import AnnouncementOut, AttachmentOut
from kakehashi.ctf.schemas_manage import (
    AnnouncementIn,
    AwardIn,
    AwardOut,
    BracketIn,
    BracketOut,
    ChallengeCreateIn,
    ChallengeTextIn,
    ChallengeUpdateIn,
    EventCreateIn,
    EventUpdateIn,
    FlagIn,
    FlagOut,
    FlagUpdateIn,
    HintIn,
    HintTextIn,
    HintUpdateIn,
    ManagedChallengeOut,
    ManagedChallengeSummaryOut,
    ManagedEventOut,
    ManagedHintOut,
    ManagedParticipantOut,
    ManagedTeamOut,
    ParticipantMoveIn,
    ParticipantStatusIn,
    PauseIn,
    PrerequisitesIn,
    PublishIn,
    StaffIn,
    StaffOut,
    SubmissionFilter,
    SubmissionOut,
    TagsIn,
    TeamBracketIn,
    TeamVisibilityIn,
    TranslationStatusOut,
)
from kakehashi.ctf.services import announcements, awards, challenges, events, teams

ORGANISERS = "exercises: organisers"
JUDGES = "exercises: judges"

router = Router(tags=[ORGANISERS])

# Django hands a path to the first router that declares it, and that router answers 405 for a
# method it lacks. The writes on paths the participants' router already serves (``/events``,
# ``/events/{slug}``, ``/events/{slug}/announcements``) therefore join that router's paths.
shared_paths = participant_router

Part = TypeVar("Part", Flag, Hint, Attachment)
Entry = TypeVar("Entry", Participant, Team, Award)


# --- access: combinations of the functions in ``ctf.access`` -------------------------------


def _access_part_manage(user: AnyUser, model: type[Part], part_id: int) -> Part:
    """A flag, hint or attachment of a challenge the caller organises; anything else is not found."""
    part = model._default_manager.filter(pk=part_id).first()
    if part is None:
        raise NotFound()
    part.challenge = access.access_challenge_manage(user, part.challenge_id)
    return part


def _access_entry_manage(user: AnyUser, model: type[Entry], entry_id: int) -> Entry:
    """A participant, team or award of an event the caller organises; anything else is not found."""
    account = require_user(user)
    entry = model._default_manager.select_related("event").filter(pk=entry_id).first()
    if entry is None or access.staff_role(account, entry.event) != EventRole.ORGANISER:
        raise NotFound()
    return entry


def _access_event_manage(user: AnyUser, slug: str) -> Event:
    event = access.access_event(user, slug)
    access.access_event_manage(user, event)
    return event


def _bracket_of(event: Event, bracket_id: int) -> Bracket:
    bracket = Bracket.objects.filter(event=event, pk=bracket_id).first()
    if bracket is None:
        raise NotFound()
    return bracket


def _challenges_of(event: Event, challenge_ids: list[int]) -> list[Challenge]:
    """The event's challenges with these ids; an id of no challenge of the event is invalid input."""
    found = list(Challenge.objects.filter(event=event, pk__in=challenge_ids))
    if len(found) != len(set(challenge_ids)):
        message = _("Prerequisites must be challenges of the same event.")
        raise ValidationError({"challenge_ids": [ValidationError(message, code="other_event")]})
    return found


# --- events ------------------------------------------------------------------------------


def _managed_event_out(event: Event) -> ManagedEventOut:
    return ManagedEventOut(
        **_event_out(event).dict(),
        descriptions={code: row.description for code, row in event.translation_map().items()},
        complete_languages=list(event.completeness().complete_languages),
        invite_code=event.invite_code,
        allowed_email_domains=list(event.allowed_email_domains),
        wrong_attempts_per_minute=event.wrong_attempts_per_minute,
        blood_bonuses=list(event.blood_bonuses),
        generated_flag_format=event.generated_flag_format,
    )


@shared_paths.post("/events", tags=[ORGANISERS], response={201: ManagedEventOut, **ERRORS}, summary="Create an event")
def event_create(request: HttpRequest, payload: EventCreateIn) -> Status[Any]:
    creator = access.require_event_creator(request.user)
    event = events.event_create(creator=creator, **payload.given())
    return Status(201, _managed_event_out(event))


@shared_paths.patch("/events/{slug}", tags=[ORGANISERS], response={200: ManagedEventOut, **ERRORS})
def event_update(request: HttpRequest, slug: str, payload: EventUpdateIn) -> ManagedEventOut:
    event = _access_event_manage(request.user, slug)
    return _managed_event_out(events.event_update(actor=request.user, event=event, **payload.given()))


@router.get("/events/{slug}/settings", response={200: ManagedEventOut, **ERRORS}, summary="Every setting")
def event_settings(request: HttpRequest, slug: str) -> ManagedEventOut:
    return _managed_event_out(_access_event_manage(request.user, slug))


@router.post("/events/{slug}/pause", response={200: ManagedEventOut, **ERRORS}, summary="Pause or resume")
def event_pause(request: HttpRequest, slug: str, payload: PauseIn) -> ManagedEventOut:
    event = _access_event_manage(request.user, slug)
    return _managed_event_out(events.event_set_paused(actor=request.user, event=event, paused=payload.paused))


@router.put("/events/{slug}/staff/{user_id}", response={200: StaffOut, **ERRORS}, summary="Make organiser or judge")
def staff_set(request: HttpRequest, slug: str, user_id: int, payload: StaffIn) -> StaffOut:
    event = _access_event_manage(request.user, slug)
    user = account_selectors.active_user(user_id)
    if user is None:
        raise NotFound()
    staff = events.staff_set(actor=request.user, event=event, user=user, role=payload.role)
    return StaffOut(user_id=user.pk, username=user.username, role=staff.role)


@router.delete("/events/{slug}/staff/{user_id}", response={204: None, **ERRORS}, summary="Remove from the staff")
def staff_remove(request: HttpRequest, slug: str, user_id: int) -> Status[Any]:
    event = _access_event_manage(request.user, slug)
    user = account_selectors.active_user(user_id)
    if user is None:
        raise NotFound()
    events.staff_remove(actor=request.user, event=event, user=user)
    return Status(204, None)


@router.post("/events/{slug}/brackets", response={201: BracketOut, **ERRORS}, summary="Add a custom bracket")
def bracket_create(request: HttpRequest, slug: str, payload: BracketIn) -> Status[Any]:
    event = _access_event_manage(request.user, slug)
    bracket = events.bracket_create(actor=request.user, event=event, **payload.given())
    rows = bracket.translation_map()
    return Status(
        201,
        BracketOut(
            id=bracket.pk,
            slug=bracket.slug,
            names={code: row.name for code, row in rows.items()},
            descriptions={code: row.description for code, row in rows.items()},
        ),
    )


# --- challenges --------------------------------------------------------------------------


def _managed_challenges(event: Event) -> QuerySet[Challenge]:
    """Every challenge of the event, hidden ones too, with what the organisers' views show."""
    flags = Prefetch("flags", queryset=Flag.objects.order_by("id"))
    return selectors.playable_challenges(event, staff=True).select_related("event").prefetch_related(flags)


def _status(obj: Translatable) -> dict[str, TranslationStatusOut]:
    report = obj.completeness()
    return {
        code: TranslationStatusOut(
            complete=code not in report.missing, missing_fields=list(report.missing.get(code, ()))
        )
        for code in report.required
    }


def _hint_out(hint: Hint) -> ManagedHintOut:
    return ManagedHintOut(
        id=hint.pk,
        cost=hint.cost,
        position=hint.position,
        texts=_texts(hint, ("title", "content")),
        completeness=_status(hint),
    )


def _flag_out(flag: Flag) -> FlagOut:
    return FlagOut(id=flag.pk, kind=flag.kind, content=flag.content, case_insensitive=flag.case_insensitive)


def _attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        name=attachment.name,
        size=attachment.size,
        sha256=attachment.sha256,
        url=reverse("ctf:attachment", kwargs={"attachment_id": attachment.pk, "name": attachment.name}),
    )


def _summary(challenge: Challenge) -> dict[str, Any]:
    return {
        "id": challenge.pk,
        "category": challenge.category,
        "state": challenge.state,
        "publish_override_reason": challenge.publish_override_reason,
        "release_at": challenge.release_at,
        "function": challenge.function,
        "value": challenge.value,
        "minimum": challenge.minimum,
        "decay": challenge.decay,
        "difficulty": challenge.difficulty,
        "author": challenge.author,
        "max_attempts": challenge.max_attempts,
        "position": challenge.position,
        "texts": {code: _text(row) for code, row in challenge.translation_map().items()},
        "completeness": _status(challenge),
        "tags": [tag.value for tag in challenge.tags.all()],
        "flags_count": len(challenge.flags.all()),
        "hints": [_hint_out(hint) for hint in challenge.hints.all()],
    }


def _challenge_out(challenge: Challenge) -> ManagedChallengeOut:
    """The challenge as stored now, with everything that belongs to it."""
    loaded = _managed_challenges(challenge.event).get(pk=challenge.pk)
    return ManagedChallengeOut(
        **_summary(loaded),
        flags=[_flag_out(flag) for flag in loaded.flags.all()],
        attachments=[_attachment_out(attachment) for attachment in loaded.attachments.all()],
        prerequisite_ids=sorted(other.pk for other in loaded.prerequisites.all()),
    )


@router.get("/events/{slug}/manage/challenges", response={200: list[ManagedChallengeSummaryOut], **ERRORS})
def challenge_list(request: HttpRequest, slug: str) -> list[ManagedChallengeSummaryOut]:
    event = _access_event_manage(request.user, slug)
    return [ManagedChallengeSummaryOut(**_summary(challenge)) for challenge in _managed_challenges(event)]


@router.post("/events/{slug}/manage/challenges", response={201: ManagedChallengeOut, **ERRORS})
def challenge_create(request: HttpRequest, slug: str, payload: ChallengeCreateIn) -> Status[Any]:
    event = _access_event_manage(request.user, slug)
    challenge = challenges.challenge_create(actor=request.user, event=event, **payload.given())
    return Status(201, _challenge_out(challenge))


@router.get("/manage/challenges/{challenge_id}", response={200: ManagedChallengeOut, **ERRORS})
def challenge_detail(request: HttpRequest, challenge_id: int) -> ManagedChallengeOut:
    return _challenge_out(access.access_challenge_manage(request.user, challenge_id))


@router.patch("/manage/challenges/{challenge_id}", response={200: ManagedChallengeOut, **ERRORS})
def challenge_update(request: HttpRequest, challenge_id: int, payload: ChallengeUpdateIn) -> ManagedChallengeOut:
    challenge = access.access_challenge_manage(request.user, challenge_id)
    return _challenge_out(challenges.challenge_update(actor=request.user, challenge=challenge, **payload.given()))


@router.put("/manage/challenges/{challenge_id}/translations/{language}", response={200: ManagedChallengeOut, **ERRORS})
def challenge_translation_set(
    request: HttpRequest, challenge_id: int, language: str, payload: ChallengeTextIn
) -> ManagedChallengeOut:
    challenge = access.access_challenge_manage(request.user, challenge_id)
    challenges.challenge_set_translation(
        actor=request.user, challenge=challenge, language_code=language, **payload.given()
    )
    return _challenge_out(challenge)


@router.post("/manage/challenges/{challenge_id}/publish", response={200: ManagedChallengeOut, **ERRORS})
def challenge_publish(request: HttpRequest, challenge_id: int, payload: PublishIn) -> ManagedChallengeOut:
    challenge = access.access_challenge_manage(request.user, challenge_id)
    return _challenge_out(challenges.challenge_publish(actor=request.user, challenge=challenge, **payload.given()))


@router.post("/manage/challenges/{challenge_id}/hide", response={200: ManagedChallengeOut, **ERRORS})
def challenge_hide(request: HttpRequest, challenge_id: int) -> ManagedChallengeOut:
    challenge = access.access_challenge_manage(request.user, challenge_id)
    return _challenge_out(challenges.challenge_hide(actor=request.user, challenge=challenge))


@router.delete("/manage/challenges/{challenge_id}", response={204: None, **ERRORS})
def challenge_delete(request: HttpRequest, challenge_id: int) -> Status[Any]:
    challenges.challenge_delete(
        actor=request.user, challenge=access.access_challenge_manage(request.user, challenge_id)
    )
    return Status(204, None)


@router.put("/manage/challenges/{challenge_id}/prerequisites", response={200: ManagedChallengeOut, **ERRORS})
def prerequisites_set(request: HttpRequest, challenge_id: int, payload: PrerequisitesIn) -> ManagedChallengeOut:
    challenge = access.access_challenge_manage(request.user, challenge_id)
    required = _challenges_of(challenge.event, payload.challenge_ids)
    challenges.prerequisites_set(actor=request.user, challenge=challenge, prerequisites=required)
    return _challenge_out(challenge)


@router.put("/manage/challenges/{challenge_id}/tags", response={200: ManagedChallengeOut, **ERRORS})
def tags_set(request: HttpRequest, challenge_id: int, payload: TagsIn) -> ManagedChallengeOut:
    challenge = access.access_challenge_manage(request.user, challenge_id)
    challenges.tags_set(actor=request.user, challenge=challenge, values=payload.values)
    return _challenge_out(challenge)


@router.post("/manage/challenges/{challenge_id}/flags", response={201: FlagOut, **ERRORS}, summary="Add a flag")
def flag_create(request: HttpRequest, challenge_id: int, payload: FlagIn) -> Status[Any]:
    challenge = access.access_challenge_manage(request.user, challenge_id)
    return Status(201, _flag_out(challenges.flag_create(actor=request.user, challenge=challenge, **payload.given())))


@router.patch("/manage/flags/{flag_id}", response={200: FlagOut, **ERRORS}, summary="Change a flag")
def flag_update(request: HttpRequest, flag_id: int, payload: FlagUpdateIn) -> FlagOut:
    flag = _access_part_manage(request.user, Flag, flag_id)
    return _flag_out(challenges.flag_update(actor=request.user, flag=flag, **payload.given()))


@router.delete("/manage/flags/{flag_id}", response={204: None, **ERRORS}, summary="Delete a flag")
def flag_delete(request: HttpRequest, flag_id: int) -> Status[Any]:
    challenges.flag_delete(actor=request.user, flag=_access_part_manage(request.user, Flag, flag_id))
    return Status(204, None)


@router.post("/manage/challenges/{challenge_id}/hints", response={201: ManagedHintOut, **ERRORS}, summary="Add a hint")
def hint_create(request: HttpRequest, challenge_id: int, payload: HintIn) -> Status[Any]:
    challenge = access.access_challenge_manage(request.user, challenge_id)
    return Status(201, _hint_out(challenges.hint_create(actor=request.user, challenge=challenge, **payload.given())))


@router.patch("/manage/hints/{hint_id}", response={200: ManagedHintOut, **ERRORS}, summary="Change a hint")
def hint_update(request: HttpRequest, hint_id: int, payload: HintUpdateIn) -> ManagedHintOut:
    hint = _access_part_manage(request.user, Hint, hint_id)
    return _hint_out(challenges.hint_update(actor=request.user, hint=hint, **payload.given()))


@router.put("/manage/hints/{hint_id}/translations/{language}", response={200: ManagedHintOut, **ERRORS})
def hint_translation_set(request: HttpRequest, hint_id: int, language: str, payload: HintTextIn) -> ManagedHintOut:
    hint = _access_part_manage(request.user, Hint, hint_id)
    challenges.hint_set_translation(actor=request.user, hint=hint, language_code=language, **payload.given())
    return _hint_out(hint)


@router.delete("/manage/hints/{hint_id}", response={204: None, **ERRORS}, summary="Delete a hint nobody unlocked")
def hint_delete(request: HttpRequest, hint_id: int) -> Status[Any]:
    challenges.hint_delete(actor=request.user, hint=_access_part_manage(request.user, Hint, hint_id))
    return Status(204, None)


@router.post("/manage/challenges/{challenge_id}/attachments", response={201: AttachmentOut, **ERRORS})
def attachment_add(request: HttpRequest, challenge_id: int, file: File[UploadedFile]) -> Status[Any]:
    challenge = access.access_challenge_manage(request.user, challenge_id)
    attachment = challenges.attachment_add(actor=request.user, challenge=challenge, name=file.name or "", content=file)
    return Status(201, _attachment_out(attachment))


@router.delete("/manage/attachments/{attachment_id}", response={204: None, **ERRORS}, summary="Delete a file")
def attachment_delete(request: HttpRequest, attachment_id: int) -> Status[Any]:
    challenges.attachment_delete(
        actor=request.user, attachment=_access_part_manage(request.user, Attachment, attachment_id)
    )
    return Status(204, None)


# --- participants and teams --------------------------------------------------------------


def _participant_out(participant: Participant) -> ManagedParticipantOut:
    user, team = participant.user, participant.team
    return ManagedParticipantOut(
        id=participant.pk,
        user_id=user.pk,
        username=user.username,
        name=user.public_name,
        country=user.country,
        status=participant.status,
        team_id=team.pk if team is not None else None,
        team_name=team.name if team is not None else None,
        joined_at=participant.joined_at,
    )


def _team_out(team: Team) -> ManagedTeamOut:
    return ManagedTeamOut(
        id=team.pk,
        name=team.name,
        country_bracket=team.country_bracket,
        bracket_id=team.bracket_id,
        captain_id=team.captain_id,
        solo=team.solo,
        hidden=team.hidden,
        banned=team.banned,
    )


@router.get("/events/{slug}/participants", response={200: list[ManagedParticipantOut], **ERRORS})
def participant_list(request: HttpRequest, slug: str) -> list[ManagedParticipantOut]:
    event = _access_event_manage(request.user, slug)
    registrations = Participant.objects.filter(event=event).select_related("user", "team").order_by("joined_at", "pk")
    return [_participant_out(participant) for participant in registrations]


@router.post("/manage/participants/{participant_id}/status", response={200: ManagedParticipantOut, **ERRORS})
def participant_status(
    request: HttpRequest, participant_id: int, payload: ParticipantStatusIn
) -> ManagedParticipantOut:
    participant = _access_entry_manage(request.user, Participant, participant_id)
    return _participant_out(
        teams.participant_set_status(actor=request.user, participant=participant, status=payload.status)
    )


@router.post("/manage/participants/{participant_id}/move", response={200: ManagedParticipantOut, **ERRORS})
def participant_move(request: HttpRequest, participant_id: int, payload: ParticipantMoveIn) -> ManagedParticipantOut:
    participant = _access_entry_manage(request.user, Participant, participant_id)
    team = access.access_team(request.user, participant.event, payload.team_id)
    teams.participant_move(actor=request.user, participant=participant, team=team)
    return _participant_out(participant)


@router.post("/manage/teams/{team_id}/visibility", response={200: ManagedTeamOut, **ERRORS}, summary="Hide or ban")
def team_visibility(request: HttpRequest, team_id: int, payload: TeamVisibilityIn) -> ManagedTeamOut:
    team = _access_entry_manage(request.user, Team, team_id)
    return _team_out(
        teams.team_set_visibility(actor=request.user, team=team, hidden=payload.hidden, banned=payload.banned)
    )


@router.put("/manage/teams/{team_id}/bracket", response={200: ManagedTeamOut, **ERRORS}, summary="Place in a bracket")
def team_bracket(request: HttpRequest, team_id: int, payload: TeamBracketIn) -> ManagedTeamOut:
    team = _access_entry_manage(request.user, Team, team_id)
    bracket = _bracket_of(team.event, payload.bracket_id) if payload.bracket_id is not None else None
    return _team_out(teams.team_set_bracket(actor=request.user, team=team, bracket=bracket))


# --- judging -----------------------------------------------------------------------------


def _submission_out(submission: Submission) -> SubmissionOut:
    shared_from = submission.shared_from
    return SubmissionOut(
        id=submission.pk,
        challenge_id=submission.challenge_id,
        team_id=submission.team_id,
        team_name=submission.team.name,
        user_id=submission.user_id,
        username=submission.user.username,
        provided=submission.provided,
        result=submission.result,
        source_address=submission.source_address,
        shared_from_team_id=shared_from.pk if shared_from is not None else None,
        shared_from_team_name=shared_from.name if shared_from is not None else None,
        created_at=submission.created_at,
    )


@router.get("/events/{slug}/submissions", tags=[JUDGES], response={200: list[SubmissionOut], **ERRORS})
def submission_list(request: HttpRequest, slug: str, filters: Query[SubmissionFilter]) -> list[SubmissionOut]:
    event = access.access_event(request.user, slug)
    access.access_event_judge(request.user, event)
    return [_submission_out(submission) for submission in selectors.submission_log(event, **filters.dict())]


@router.get("/events/{slug}/flag-sharing", tags=[JUDGES], response={200: list[SubmissionOut], **ERRORS})
def flag_sharing(request: HttpRequest, slug: str) -> list[SubmissionOut]:
    event = access.access_event(request.user, slug)
    access.access_event_judge(request.user, event)
    return [_submission_out(submission) for submission in selectors.flag_sharing(event)]


# --- awards and announcements ------------------------------------------------------------


@router.post("/events/{slug}/awards", response={201: AwardOut, **ERRORS}, summary="Give or take points")
def award_create(request: HttpRequest, slug: str, payload: AwardIn) -> Status[Any]:
    event = access.access_event(request.user, slug)
    organiser = access.access_event_manage(request.user, event)
    team = access.access_team(organiser, event, payload.team_id)
    award = awards.award_create(team=team, value=payload.value, reason=payload.reason, by=organiser)
    return Status(201, AwardOut.from_orm(award))


@router.delete("/manage/awards/{award_id}", response={204: None, **ERRORS}, summary="Withdraw an award")
def award_delete(request: HttpRequest, award_id: int) -> Status[Any]:
    awards.award_delete(actor=request.user, award=_access_entry_manage(request.user, Award, award_id))
    return Status(204, None)


@shared_paths.post(
    "/events/{slug}/announcements", tags=[ORGANISERS], response={201: AnnouncementOut, **ERRORS}, summary="Announce"
)
def announcement_create(request: HttpRequest, slug: str, payload: AnnouncementIn) -> Status[Any]:
    event = access.access_event(request.user, slug)
    author = access.access_event_manage(request.user, event)
    translations = payload.given()["translations"]
    announcement = announcements.announcement_create(event=event, author=author, translations=translations)
    return Status(201, _announcement_out(announcement))
