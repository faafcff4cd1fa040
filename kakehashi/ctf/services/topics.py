"""Topics of a challenge: an organisers' classification, as in CTFd, never shown to players."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kakehashi.ctf.models import Challenge, ChallengeTopic

MAX_TOPIC = 255


@transaction.atomic
def topic_add(*, challenge: Challenge, value: str) -> ChallengeTopic:
    text = value.strip()
    if not text:
        raise ValidationError({"value": [_("Give the topic a value.")]}, code="required")
    if len(text) > MAX_TOPIC:
        raise ValidationError({"value": [_("A topic can have at most 255 characters.")]}, code="max_length")
    existing = ChallengeTopic.objects.filter(challenge=challenge, value=text).first()
    return existing or ChallengeTopic.objects.create(challenge=challenge, value=text)


@transaction.atomic
def topic_delete(*, topic: ChallengeTopic) -> None:
    topic.delete()
