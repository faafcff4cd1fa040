"""What the audit log keeps of the exercises' objects, and the one call that records a change.

Snapshots hold JSON values only and no secret: a flag's text and an invitation code appear as
keyed fingerprints (:func:`kakehashi.audit.services.fingerprint`), an event's secret for generated
flags not at all.
"""

from typing import Any

from django.contrib.auth.models import AnonymousUser

from kakehashi.accounts.models import User
from kakehashi.audit import services as audit
from kakehashi.audit.choices import Action
from kakehashi.ctf.models import (
    Challenge,
    ChallengeTranslation,
    Event,
    EventTranslation,
    Flag,
    Hint,
    HintTranslation,
    Team,
)

Actor = User | AnonymousUser | None
Snapshot = dict[str, Any]


def _texts(rows: Any, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {
        row["language_code"]: {field: row[field] for field in fields} for row in rows.values("language_code", *fields)
    }


def event_snapshot(event: Event) -> Snapshot:
    from kakehashi.ctf.services.events import EVENT_FIELDS

    values: Snapshot = {field: getattr(event, field) for field in EVENT_FIELDS if field != "invite_code"}
    values["invite_code_fingerprint"] = audit.fingerprint(event.invite_code)
    values["paused"] = event.paused
    values["texts"] = _texts(EventTranslation.objects.filter(event=event), ("name", "description"))
    return values


def challenge_snapshot(challenge: Challenge) -> Snapshot:
    names = (
        "category", "value", "function", "minimum", "decay", "difficulty", "author", "max_attempts", "position",
        "release_at", "state", "publish_override_reason",
    )  # fmt: skip
    values: Snapshot = {name: getattr(challenge, name) for name in names}
    rows = ChallengeTranslation.objects.filter(challenge=challenge)
    values["texts"] = _texts(rows, ("title", "description", "connection_info"))
    values["tags"] = list(challenge.tags.order_by("pk").values_list("value", flat=True))
    values["prerequisites"] = sorted(challenge.prerequisites.values_list("pk", flat=True))
    return values


def flag_snapshot(flag: Flag) -> Snapshot:
    return {
        "kind": flag.kind,
        "case_insensitive": flag.case_insensitive,
        "content_fingerprint": audit.fingerprint(flag.content),
    }


def hint_snapshot(hint: Hint) -> Snapshot:
    rows = HintTranslation.objects.filter(hint=hint)
    return {"cost": hint.cost, "position": hint.position, "texts": _texts(rows, ("title", "content"))}


def team_snapshot(team: Team) -> Snapshot:
    return {"name": team.name, "hidden": team.hidden, "banned": team.banned, "bracket_id": team.bracket_id}


def challenge_label(challenge: Challenge) -> str:
    rows = dict(ChallengeTranslation.objects.filter(challenge=challenge).values_list("language_code", "title"))
    title = rows.get("en") or next(iter(rows.values()), "")
    return f"{challenge.category} / {title}" if title else f"{challenge.category} #{challenge.pk}"


def record(
    *,
    action: Action,
    actor: Actor,
    target: Any,
    event_id: int | None,
    label: str = "",
    before: Snapshot | None = None,
    after: Snapshot | None = None,
) -> None:
    """Records a change of ``target`` (a model instance: its type and id are taken from it)."""
    audit.record(
        action=action,
        actor=actor,
        target_type=target._meta.model_name,
        target_id=target.pk,
        target_label=label or str(target),
        event_id=event_id,
        before=before,
        after=after,
    )
