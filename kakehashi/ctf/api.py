"""Native JSON API of the exercises: what participants use. Organiser endpoints are in ``api_manage``."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Query, Router, Status

from kakehashi.accounts.access import require_user
from kakehashi.accounts.authentication import optional_auth
from kakehashi.core.api import ErrorOut
from kakehashi.core.conditional import prepared_response
from kakehashi.core.markdown import render_markdown
from kakehashi.core.models import Translatable
from kakehashi.ctf import access, outcomes, phases, prepared, selectors, shortcut
from kakehashi.ctf.choices import ChallengeState, SubmissionResult
from kakehashi.ctf.models import Announcement, Event, Participant, Team
from kakehashi.ctf.schemas import (
    AnnouncementOut,
    AttachmentOut,
    AttemptIn,
    AttemptOut,
    ChallengeOut,
    ChallengeSummaryOut,
    ChallengeText,
    EventOut,
    HintOut,
    MemberOut,
    ParticipationOut,
    RegisterIn,
    ScoreboardOut,
    ScoreboardQuery,
    TeamCreateIn,
    TeamJoinIn,
    TeamOut,
)
from kakehashi.ctf.services import play, teams

router = Router(tags=["exercises"])
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,  # a body over the upload limit, on any route
    422: ErrorOut,
    429: ErrorOut,
}


def _language() -> str:
    return get_language() or "en"


def _texts(obj: Translatable, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {code: {name: str(getattr(row, name, "")) for name in fields} for code, row in obj.translation_map().items()}


def _event_out(event: Event) -> EventOut:
    rendition = event.rendition(_language())
    schedule = access.schedule_of(event)
    now = timezone.now()
    return EventOut(
        id=event.pk,
        slug=event.slug,
        name=rendition.row.name if rendition.row is not None else event.slug,
        name_language=rendition.language,
        names={code: row.name for code, row in event.translation_map().items()},
        description_html=str(render_markdown(rendition.row.description)) if rendition.row is not None else "",
        languages=list(event.languages),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        freeze_at=event.freeze_at,
        paused=event.paused,
        phase=phases.phase(schedule, now).value,
        frozen=phases.is_frozen(schedule, now),
        mode=event.mode,
        team_size_limit=event.team_size_limit,
        registration=event.registration,
        scoreboard_visibility=event.scoreboard_visibility,
    )


def _team_out(team: Team, *, own: bool) -> TeamOut:
    members = [
        MemberOut(user_id=p.user_id, name=p.user.public_name, country=p.user.country)
        for p in team.members.select_related("user").order_by("joined_at")
    ]
    return TeamOut(
        id=team.pk,
        name=team.name,
        country_bracket=team.country_bracket,
        bracket_id=team.bracket_id,
        captain_id=team.captain_id,
        solo=team.solo,
        members=members,
        invite_code=team.invite_code if own else None,
    )


def _participation_out(participant: Participant) -> ParticipationOut:
    team = participant.team
    return ParticipationOut(
        event_id=participant.event_id,
        status=participant.status,
        team=_team_out(team, own=True) if team is not None else None,
    )


@router.get("/events", auth=optional_auth(), response=list[EventOut], summary="Events, newest first")
def event_list(request: HttpRequest) -> list[EventOut]:
    return [_event_out(event) for event in selectors.event_list()]


@router.get("/events/{slug}", auth=optional_auth(), response={200: EventOut, **ERRORS})
def event_detail(request: HttpRequest, slug: str) -> EventOut:
    return _event_out(access.access_event(request.user, slug))


@router.post("/events/{slug}/registration", response={201: ParticipationOut, **ERRORS}, summary="Register")
def register(request: HttpRequest, slug: str, payload: RegisterIn) -> Status[Any]:
    event = access.access_event(request.user, slug)
    user = require_user(request.user)
    participant = teams.participant_register(event=event, user=user, invite_code=payload.invite_code)
    return Status(201, _participation_out(participant))


@router.get("/events/{slug}/me", response={200: ParticipationOut, **ERRORS}, summary="Your registration and team")
def my_participation(request: HttpRequest, slug: str) -> ParticipationOut:
    event = access.access_event(request.user, slug)
    return _participation_out(access.access_registration(request.user, event))


@router.post("/events/{slug}/teams", response={201: TeamOut, **ERRORS}, summary="Create a team")
def team_create(request: HttpRequest, slug: str, payload: TeamCreateIn) -> Status[Any]:
    event = access.access_event(request.user, slug)
    player = access.access_participation(request.user, event, need_team=False)
    team = teams.team_create(participant=player.participant, name=payload.name)
    return Status(201, _team_out(team, own=True))


@router.post("/events/{slug}/teams/join", response={200: TeamOut, **ERRORS}, summary="Join a team by its code")
def team_join(request: HttpRequest, slug: str, payload: TeamJoinIn) -> TeamOut:
    event = access.access_event(request.user, slug)
    player = access.access_participation(request.user, event, need_team=False)
    return _team_out(teams.team_join(participant=player.participant, invite_code=payload.invite_code), own=True)


@router.post("/events/{slug}/teams/leave", response={204: None, **ERRORS}, summary="Leave your team")
def team_leave(request: HttpRequest, slug: str) -> Status[Any]:
    event = access.access_event(request.user, slug)
    player = access.access_participation(request.user, event)
    teams.team_leave(participant=player.participant)
    return Status(204, None)


@router.get("/events/{slug}/teams/{team_id}", auth=optional_auth(), response={200: TeamOut, **ERRORS})
def team_detail(request: HttpRequest, slug: str, team_id: int) -> TeamOut:
    event = access.access_event(request.user, slug)
    team = access.access_team(request.user, event, team_id)
    own = access.is_member(request.user, team)
    return _team_out(team, own=own)


def _summary(item: selectors.BoardItem) -> dict[str, Any]:
    challenge = item.challenge
    rendition = challenge.rendition(_language())
    return {
        "id": challenge.pk,
        "title": rendition.row.title if rendition.row is not None else "",
        "title_language": rendition.language,
        "titles": {code: row.title for code, row in challenge.translation_map().items()},
        "category": challenge.category,
        "tags": [tag.value for tag in challenge.tags.all()],
        "difficulty": challenge.difficulty,
        "value": item.value,
        "solves": item.solves,
        "solved": item.solved,
        "locked": challenge.state == ChallengeState.LOCKED,
        "prerequisites_met": item.unlocked_prerequisites,
        "release_at": challenge.release_at,
    }


@router.get("/events/{slug}/challenges", response={200: list[ChallengeSummaryOut], 304: None, **ERRORS})
def challenge_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The board of the caller's team. Prepared once per change; send the ``ETag`` back in
    ``If-None-Match`` to get ``304`` while nothing changed."""
    event = access.access_event(request.user, slug)
    pending = shortcut.begin(request, event.pk)  # before the access rules read anything
    player = access.access_board(request.user, event)
    team_id = player.team.pk if player.team is not None else None
    document = prepared.challenge_list(event, team_id=team_id, staff=player.staff, language=_language())
    shortcut.offer(request, pending, team_id=team_id, staff=player.staff, language=_language())
    return prepared_response(
        request, etag=document.etag, body=document.body, private=True, vary=("Accept-Language", "Cookie")
    )


def _text(row: Any) -> ChallengeText:
    return ChallengeText(
        title=row.title,
        description=row.description,
        description_html=str(render_markdown(row.description)),
        connection_info=row.connection_info,
    )


@router.get("/challenges/{challenge_id}", response={200: ChallengeOut, **ERRORS})
def challenge_detail(request: HttpRequest, challenge_id: int) -> ChallengeOut:
    challenge, player = access.access_challenge_play(request.user, challenge_id)
    team = player.participant.team
    item = next(i for i in selectors.challenge_board(challenge.event, team=team) if i.challenge.pk == challenge.pk)
    challenge = item.challenge
    rendition = challenge.rendition(_language())
    unlocked = selectors.unlocked_hint_ids(team, challenge)
    hints = []
    for hint in challenge.hints.all():
        hint_rendition = hint.rendition(_language())
        row = hint_rendition.row
        is_open = hint.pk in unlocked
        hints.append(
            HintOut(
                id=hint.pk,
                cost=hint.cost,
                unlocked=is_open,
                title=row.title if row is not None else "",
                content_html=str(render_markdown(row.content)) if is_open and row is not None else None,
                texts=_texts(hint, ("title", "content")) if is_open else None,
            )
        )
    attachments = [
        AttachmentOut(
            id=a.pk,
            name=a.name,
            size=a.size,
            sha256=a.sha256,
            url=reverse("ctf:attachment", kwargs={"attachment_id": a.pk, "name": a.name}),
        )
        for a in challenge.attachments.all()
    ]
    return ChallengeOut(
        **_summary(item),
        author=challenge.author,
        language=rendition.language,
        fallback=rendition.is_fallback,
        text=_text(rendition.row)
        if rendition.row is not None
        else ChallengeText(title="", description="", description_html="", connection_info=""),
        texts={code: _text(row) for code, row in challenge.translation_map().items()},
        hints=hints,
        attachments=attachments,
        max_attempts=challenge.max_attempts,
        attempts_used=selectors.attempts_used(team, challenge) if team is not None else 0,
    )


@router.post("/challenges/{challenge_id}/attempts", response={**ERRORS, 200: AttemptOut, 429: AttemptOut})
def attempt(request: HttpRequest, challenge_id: int, payload: AttemptIn, response: HttpResponse) -> Status[Any]:
    challenge = access.challenge_for_play(challenge_id, texts=False)
    pending = shortcut.begin(request, challenge.event_id)  # before the access rules read anything
    player = access.access_loaded_challenge_play(request.user, challenge)
    team = player.participant.team
    assert team is not None
    if access.challenge_open(challenge, challenge.event):  # the shortcut answers only open challenges
        shortcut.offer(request, pending, team_id=team.pk, staff=False, language=_language())
    outcome = play.submission_attempt(
        challenge=challenge,
        team=team,
        user=player.user,
        provided=payload.flag,
        source_address=request.META.get("REMOTE_ADDR"),
    )
    body = AttemptOut(
        result=outcome.result,
        message=outcomes.message(outcome.result),
        retry_after=outcome.retry_after,
        blood=outcome.blood,
    )
    if outcome.result == SubmissionResult.RATE_LIMITED:
        response["Retry-After"] = str(outcome.retry_after)
        return Status(429, body)
    return Status(200, body)


@router.post("/hints/{hint_id}/unlock", response={200: HintOut, **ERRORS}, summary="Unlock a hint (costs points)")
def hint_unlock(request: HttpRequest, hint_id: int) -> HintOut:
    hint, player = access.access_hint_play(request.user, hint_id)
    team = player.participant.team
    assert team is not None
    play.hint_unlock(hint=hint, team=team, user=player.user)
    rendition = hint.rendition(_language())
    row = rendition.row
    return HintOut(
        id=hint.pk,
        cost=hint.cost,
        unlocked=True,
        title=row.title if row is not None else "",
        content_html=str(render_markdown(row.content)) if row is not None else "",
        texts=_texts(hint, ("title", "content")),
    )


@router.get("/events/{slug}/scoreboard", auth=optional_auth(), response={200: ScoreboardOut, 304: None, **ERRORS})
def scoreboard(
    request: HttpRequest,
    slug: str,
    page: Query[ScoreboardQuery],
) -> HttpResponse:
    """Standings (overall or in a bracket), ``limit`` rows from ``offset``. Prepared once per scoring
    change; send the ``ETag`` back in ``If-None-Match`` to get ``304`` while nothing changed."""
    event = access.access_event(request.user, slug)
    view = access.access_scoreboard(request.user, event)
    country, bracket_id = access.bracket_filter(event, page.bracket)
    document = prepared.scoreboard(
        event, view=view, country=country, bracket_id=bracket_id, limit=page.limit, offset=page.offset
    )
    return prepared_response(
        request, etag=document.etag, body=document.body, private=view == "live", vary=("Cookie", "Authorization")
    )


@router.get("/events/{slug}/announcements", auth=optional_auth(), response={200: list[AnnouncementOut], **ERRORS})
def announcement_list(request: HttpRequest, slug: str) -> list[AnnouncementOut]:
    event = access.access_event(request.user, slug)
    return [_announcement_out(a) for a in selectors.announcements(event)]


def _announcement_out(announcement: Announcement) -> AnnouncementOut:
    rendition = announcement.rendition(_language())
    row = rendition.row
    return AnnouncementOut(
        id=announcement.pk,
        title=row.title if row is not None else "",
        body_html=str(render_markdown(row.body)) if row is not None else "",
        language=rendition.language,
        fallback=rendition.is_fallback,
        texts=_texts(announcement, ("title", "body")),
        created_at=announcement.created_at,
    )
