"""Points given or taken by organisers."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.audit.choices import Action
from kakehashi.ctf.models import Award, Team
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.recording import Actor
from kakehashi.ctf.services.standings import standings_changed

MAX_AWARD = 1_000_000


def _snapshot(award: Award) -> dict[str, object]:
    return {
        "team_id": award.team_id,
        "value": award.value,
        "reason": award.reason,
        "created_by_id": award.created_by_id,
    }


@transaction.atomic
def award_create(*, team: Team, value: int, reason: str, by: User, now: datetime | None = None) -> Award:
    """Add (or with a negative value, take) points, with the reason shown in the log."""
    errors: dict[str, list[str]] = {}
    if value == 0:
        errors["value"] = [_("An award must add or take away at least one point.")]
    elif abs(value) > MAX_AWARD:
        errors["value"] = [_("An award cannot exceed one million points.")]
    if not reason.strip():
        errors["reason"] = [_("Give a reason: it is kept in the log.")]
    if errors:
        raise ValidationError(errors)
    award = Award(
        event_id=team.event_id, team=team, value=value, reason=reason.strip(), created_by=by,
        created_at=now or timezone.now(),
    )  # fmt: skip
    award.full_clean()
    award.save()
    recording.record(
        action=Action.AWARD_CREATE, actor=by, target=award, event_id=award.event_id, label=team.name,
        after=_snapshot(award),
    )  # fmt: skip
    event_id = team.event_id
    transaction.on_commit(lambda: standings_changed(event_id, kind="append"))
    return award


@transaction.atomic
def award_delete(*, award: Award, actor: Actor = None) -> None:
    event_id = award.event_id
    recording.record(
        action=Action.AWARD_DELETE, actor=actor, target=award, event_id=event_id, label=award.team.name,
        before=_snapshot(award), after={},
    )  # fmt: skip
    award.delete()
    transaction.on_commit(lambda: standings_changed(event_id))
