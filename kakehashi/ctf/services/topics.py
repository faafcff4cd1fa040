"""Topics of a challenge: an organisers' classification, as in CTFd, never shown to players."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kakehashi.audit.choices import Action
from kakehashi.ctf.models import Challenge, ChallengeTopic
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.recording import Actor

MAX_TOPIC = 255


@transaction.atomic
def topic_add(*, challenge: Challenge, value: str, actor: Actor = None) -> ChallengeTopic:
    text = value.strip()
    if not text:
        raise ValidationError({"value": [_("Give the topic a value.")]}, code="required")
    if len(text) > MAX_TOPIC:
        raise ValidationError({"value": [_("A topic can have at most 255 characters.")]}, code="max_length")
    existing = ChallengeTopic.objects.filter(challenge=challenge, value=text).first()
    if existing is not None:
        return existing
    topic = ChallengeTopic.objects.create(challenge=challenge, value=text)
    recording.record(
        action=Action.TOPIC_CREATE, actor=actor, target=topic, event_id=challenge.event_id,
        label=f"{recording.challenge_label(challenge)} / {text}", after={"value": text},
    )  # fmt: skip
    return topic


@transaction.atomic
def topic_delete(*, topic: ChallengeTopic, actor: Actor = None) -> None:
    recording.record(
        action=Action.TOPIC_DELETE, actor=actor, target=topic, event_id=topic.challenge.event_id,
        label=f"{recording.challenge_label(topic.challenge)} / {topic.value}", before={"value": topic.value}, after={},
    )  # fmt: skip
    topic.delete()
