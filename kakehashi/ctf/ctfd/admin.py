"""The organisers' endpoints ctfcli uses besides ``/challenges``: flags, tags, hints, files, topics, solutions."""

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from kakehashi.core.errors import NotFound
from kakehashi.ctf.ctfd import pending, shapes, tags
from kakehashi.ctf.ctfd.context import SOURCE, language, managed_challenge, organiser_event
from kakehashi.ctf.ctfd.inputs import FlagIn, HintIn, TagIn
from kakehashi.ctf.models import Attachment, ChallengeTag, ChallengeTopic, Flag, Hint
from kakehashi.ctf.services import challenges, topics

router = Router(tags=["CTFd administration"])

Owned = TypeVar("Owned", Flag, Hint, ChallengeTag, Attachment)


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _owned(request: HttpRequest, model: type[Owned], pk: int) -> Owned:
    """A flag, hint, tag or file of a challenge of the default event, for one of its organisers."""
    organiser_event(request)
    found = model._default_manager.select_related("challenge__event").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    managed_challenge(request, found.challenge_id)
    return found


def _of_event(request: HttpRequest, model: type[Model]) -> Any:
    event, _user = organiser_event(request)
    return model._default_manager.filter(challenge__event=event).order_by("id")


# --- Flags -----------------------------------------------------------------------------------


@router.get("/flags", summary="Flags of the default event's challenges")
def flag_list(request: HttpRequest) -> dict[str, Any]:
    return shapes.ok([shapes.flag_out(flag) for flag in _of_event(request, Flag)])


@router.post("/flags", summary="Add a flag")
def flag_create(request: HttpRequest, payload: FlagIn) -> dict[str, Any]:
    challenge = managed_challenge(request, payload.challenge_id)
    kind = shapes.flag_kind(payload.type)
    if kind is None:
        raise _invalid("type", _("Choose static or regex."), "invalid_flag_type")
    case_insensitive = payload.data == shapes.CASE_INSENSITIVE
    flag = challenges.flag_create(
        actor=request.user, challenge=challenge, kind=kind, content=payload.content, case_insensitive=case_insensitive
    )
    return shapes.ok(shapes.flag_out(flag))


@router.delete("/flags/{flag_id}", summary="Delete a flag")
def flag_delete(request: HttpRequest, flag_id: int) -> dict[str, Any]:
    challenges.flag_delete(actor=request.user, flag=_owned(request, Flag, flag_id))
    return {"success": True}


# --- Tags ------------------------------------------------------------------------------------


@router.get("/tags", summary="Tags of the default event's challenges")
def tag_list(request: HttpRequest) -> dict[str, Any]:
    return shapes.ok([shapes.tag_out(tag) for tag in _of_event(request, ChallengeTag)])


@router.post("/tags", summary="Add a tag")
def tag_create(request: HttpRequest, payload: TagIn) -> dict[str, Any]:
    challenge = managed_challenge(request, payload.challenge_id)
    return shapes.ok(shapes.tag_out(tags.tag_add(challenge=challenge, value=payload.value, actor=request.user)))


@router.delete("/tags/{tag_id}", summary="Delete a tag")
def tag_delete(request: HttpRequest, tag_id: int) -> dict[str, Any]:
    tags.tag_delete(tag=_owned(request, ChallengeTag, tag_id), actor=request.user)
    return {"success": True}


# --- Hints -----------------------------------------------------------------------------------


@router.get("/hints", summary="Hints of the default event's challenges, with their content")
def hint_list(request: HttpRequest) -> dict[str, Any]:
    lang = language(request)
    hints = _of_event(request, Hint).prefetch_related("translations")
    return shapes.ok([shapes.hint_out(hint, lang) for hint in hints])


@router.post("/hints", summary="Add a hint (other languages' texts come from the challenge's translations)")
def hint_create(request: HttpRequest, payload: HintIn) -> dict[str, Any]:
    challenge = managed_challenge(request, payload.challenge_id)
    position = Hint.objects.filter(challenge=challenge).count()
    texts = {SOURCE: {"title": payload.title or "", "content": payload.content}}
    texts |= pending.hint_texts(challenge.pk, position, skip=[SOURCE])
    texts = {code: value for code, value in texts.items() if code in challenge.event.languages or code == SOURCE}
    hint = challenges.hint_create(actor=request.user, challenge=challenge, translations=texts, cost=payload.cost)
    return shapes.ok(shapes.hint_out(Hint.objects.prefetch_related("translations").get(pk=hint.pk), language(request)))


@router.delete("/hints/{hint_id}", summary="Delete a hint")
def hint_delete(request: HttpRequest, hint_id: int) -> dict[str, Any]:
    challenges.hint_delete(actor=request.user, hint=_owned(request, Hint, hint_id))
    return {"success": True}


# --- Files -----------------------------------------------------------------------------------


@router.get("/files", summary="Challenge files, with their location and SHA-1")
def file_list(request: HttpRequest, type: str = "challenge") -> dict[str, Any]:
    files = _of_event(request, Attachment)
    return shapes.ok([shapes.file_out(attachment) for attachment in files] if type == "challenge" else [])


@router.post("/files", summary="Upload challenge files (multipart: challenge_id, type=challenge, file…)")
def file_create(request: HttpRequest) -> dict[str, Any]:
    organiser_event(request)
    if request.POST.get("type", "challenge") != "challenge":
        raise _invalid("type", _("Only challenge files can be uploaded here."), "invalid_file_type")
    raw_id = request.POST.get("challenge_id") or request.POST.get("challenge") or ""
    if not raw_id:
        raise _invalid("challenge_id", _("This field is required."), "required")
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):  # "²".isdigit() is true, int("²") fails
        raise _invalid("challenge_id", _("This value is not valid."), "invalid")
    challenge = managed_challenge(request, int(raw_id))
    uploads = request.FILES.getlist("file")
    if not uploads:
        raise _invalid("file", _("This field is required."), "required")
    added = challenges.attachments_add(
        actor=request.user, challenge=challenge, files=[(upload.name or "", upload) for upload in uploads]
    )
    return shapes.ok([shapes.file_out(attachment) for attachment in added])


@router.delete("/files/{file_id}", summary="Delete a challenge file")
def file_delete(request: HttpRequest, file_id: int) -> dict[str, Any]:
    challenges.attachment_delete(actor=request.user, attachment=_owned(request, Attachment, file_id))
    return {"success": True}


# --- What Kakehashi does not have: topics and solutions ----------------------------------------


def _topic_out(topic: ChallengeTopic) -> dict[str, Any]:
    return {"id": topic.pk, "challenge_id": topic.challenge_id, "topic_id": topic.pk, "value": topic.value}


class TopicIn(Schema):
    value: str = Field(..., max_length=255)
    type: str = "challenge"
    challenge_id: int | None = Field(None, ge=1, le=2**31 - 1)


@router.get("/topics", summary="Topics of the default event's challenges (organisers only)")
def topic_list(request: HttpRequest) -> dict[str, Any]:
    event, _user = organiser_event(request)
    topics = ChallengeTopic.objects.filter(challenge__event=event).order_by("id")
    return shapes.ok([{"id": topic.pk, "value": topic.value} for topic in topics])


@router.post("/topics", summary="Add a topic to a challenge")
def topic_create(request: HttpRequest, payload: TopicIn) -> dict[str, Any]:
    if payload.type != "challenge" or payload.challenge_id is None:
        raise _invalid("challenge_id", _("Topics belong to a challenge: give its challenge_id."), "required")
    challenge = managed_challenge(request, payload.challenge_id)
    return shapes.ok(_topic_out(topics.topic_add(actor=request.user, challenge=challenge, value=payload.value)))


@router.delete("/topics", summary="Remove a challenge's topic (target_id is the id listed for the challenge)")
def topic_delete(request: HttpRequest, type: str = "challenge", target_id: int | None = None) -> dict[str, Any]:
    organiser_event(request)
    topic = ChallengeTopic.objects.filter(pk=target_id).first() if target_id else None
    if topic is None:
        raise NotFound()
    managed_challenge(request, topic.challenge_id)
    topics.topic_delete(actor=request.user, topic=topic)
    return {"success": True}


@router.get("/solutions", summary="Solutions (Kakehashi has none)")
def solution_list(request: HttpRequest) -> dict[str, Any]:
    organiser_event(request)
    return shapes.ok([])


# --- One challenge's parts, as ctfcli verify reads them -----------------------------------------


@router.get("/challenges/{int:challenge_id}/flags")
def challenge_flags(request: HttpRequest, challenge_id: int) -> dict[str, Any]:
    challenge = managed_challenge(request, challenge_id)
    return shapes.ok([shapes.flag_out(flag) for flag in Flag.objects.filter(challenge=challenge).order_by("id")])


@router.get("/challenges/{int:challenge_id}/tags")
def challenge_tags(request: HttpRequest, challenge_id: int) -> dict[str, Any]:
    challenge = managed_challenge(request, challenge_id)
    return shapes.ok([shapes.tag_out(tag) for tag in ChallengeTag.objects.filter(challenge=challenge).order_by("id")])


@router.get("/challenges/{int:challenge_id}/hints")
def challenge_hints(request: HttpRequest, challenge_id: int) -> dict[str, Any]:
    challenge = managed_challenge(request, challenge_id)
    hints = Hint.objects.filter(challenge=challenge).prefetch_related("translations").order_by("position", "id")
    return shapes.ok([shapes.hint_out(hint, language(request)) for hint in hints])


@router.get("/challenges/{int:challenge_id}/topics")
def challenge_topics(request: HttpRequest, challenge_id: int) -> dict[str, Any]:
    challenge = managed_challenge(request, challenge_id)
    return shapes.ok([_topic_out(topic) for topic in ChallengeTopic.objects.filter(challenge=challenge)])


@router.get("/challenges/{int:challenge_id}/requirements")
def challenge_requirements(request: HttpRequest, challenge_id: int) -> dict[str, Any]:
    return shapes.ok(shapes.requirements_out(managed_challenge(request, challenge_id)))
