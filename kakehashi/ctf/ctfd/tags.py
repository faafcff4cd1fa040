"""One tag at a time, as CTFd's API adds and removes them.

The native service replaces a challenge's whole tag list (:func:`tags_set`), which renumbers the
rows; ctfcli deletes tags one by one by the ids it listed first, so ids must survive a deletion.
These two writes keep the native rules: values are cleaned by the same function, and the same
board-changed notice is sent.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kakehashi.audit.choices import Action
from kakehashi.ctf.models import Challenge, ChallengeTag
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.challenges import _announce, _tag_values
from kakehashi.ctf.services.recording import Actor


def _record(actor: Actor, challenge: Challenge, before: recording.Snapshot) -> None:
    recording.record(
        action=Action.CHALLENGE_UPDATE, actor=actor, target=challenge, event_id=challenge.event_id,
        label=recording.challenge_label(challenge), before=before, after=recording.challenge_snapshot(challenge),
    )  # fmt: skip


@transaction.atomic
def tag_add(*, challenge: Challenge, value: str, actor: Actor = None) -> ChallengeTag:
    """Add one tag after the others; a tag the challenge already has is returned as it is."""
    cleaned = _tag_values([value])
    if not cleaned:
        raise ValidationError({"value": [ValidationError(_("Give the tag a value."), code="required")]})
    existing = ChallengeTag.objects.filter(challenge=challenge, value=cleaned[0]).first()
    if existing is not None:
        return existing
    before = recording.challenge_snapshot(challenge)
    tag = ChallengeTag(challenge=challenge, value=cleaned[0])
    tag.full_clean()
    tag.save()
    _record(actor, challenge, before)
    _announce(challenge.event_id, standings=False)
    return tag


@transaction.atomic
def tag_delete(*, tag: ChallengeTag, actor: Actor = None) -> None:
    """Remove one tag; the others keep their ids."""
    event_id = tag.challenge.event_id
    before = recording.challenge_snapshot(tag.challenge)
    tag.delete()
    _record(actor, tag.challenge, before)
    _announce(event_id, standings=False)
