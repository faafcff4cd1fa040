"""Hint unlocks and a challenge's solvers, in CTFd's shapes — through the same service and snapshot."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kakehashi.ctf import access, phases
from kakehashi.ctf.ctfd import shapes
from kakehashi.ctf.ctfd.context import default_event, played_challenge
from kakehashi.ctf.models import Solve
from kakehashi.ctf.services import play

router = Router(tags=["CTFd compatibility"])


class UnlockIn(Schema):
    target: int
    type: str = "hints"


@router.post("/unlocks", summary="Unlock a hint (costs points)")
def unlock(request: HttpRequest, payload: UnlockIn) -> dict[str, Any]:
    if payload.type != "hints":
        message = _("Only hints can be unlocked.")
        raise ValidationError({"type": [ValidationError(message, code="invalid")]})
    hint, player = access.access_hint_play(request.user, payload.target, event_id=default_event().pk)
    team = player.participant.team
    assert team is not None  # access_hint_play requires a team
    row, _created = play.hint_unlock(hint=hint, team=team, user=player.user)
    return shapes.ok(
        {
            "id": row.pk,
            "target": hint.pk,
            "type": "hints",
            "user_id": row.user_id,
            "team_id": row.team_id,
            "date": row.created_at.isoformat(),
        }
    )


@router.get("/challenges/{int:challenge_id}/solves", summary="Who solved a challenge, as the public sees it")
def solves(request: HttpRequest, challenge_id: int) -> dict[str, Any]:
    challenge, _player = played_challenge(request, challenge_id)
    event = challenge.event
    schedule = access.schedule_of(event)
    cut_off = None if access.staff_role(request.user, event) else phases.public_cutoff(schedule, timezone.now())
    query = Solve.objects.filter(challenge=challenge, team__hidden=False, team__banned=False)
    if cut_off is not None:
        query = query.filter(created_at__lt=cut_off)
    rows = query.select_related("team").order_by("created_at", "id")
    return shapes.ok(
        [
            {
                "account_id": solve.team_id,
                "name": solve.team.name,
                "date": solve.created_at.isoformat(),
                "account_url": f"/teams/{solve.team_id}",
            }
            for solve in rows
        ]
    )
