"""The one write of the audit log: :func:`record`, called by other apps' services inside their
transaction, so that a change and its entry are committed (or undone) together."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from kakehashi.accounts.models import User
from kakehashi.audit import origins
from kakehashi.audit.changes import diff, jsonable, redact
from kakehashi.audit.choices import Action
from kakehashi.audit.models import Entry

TARGET_LABEL_LIMIT = 300


def actor_name(actor: User) -> str:
    return actor.username


@transaction.atomic
def record(
    *,
    action: Action,
    actor: User | AnonymousUser | None,
    target_type: str,
    target_id: object = "",
    target_label: str = "",
    event_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> Entry | None:
    """Writes one entry. When both ``before`` and ``after`` are given (an update), only the values
    that differ are kept, and nothing is written if nothing differs. Secret-named keys are redacted.
    The time is taken now; the channel and address come from the request being served."""
    old, new = redact(jsonable(dict(before or {}))), redact(jsonable(dict(after or {})))
    if before is not None and after is not None:
        old, new = diff(old, new)
        if not old and not new:
            return None
    account = actor if isinstance(actor, User) and actor.is_authenticated else None
    origin = origins.current()
    entry = Entry(
        at=timezone.now(),
        actor=account,
        actor_name=actor_name(account) if account else "",
        action=action,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        target_label=target_label[:TARGET_LABEL_LIMIT],
        event_id=event_id,
        before=old,
        after=new,
        channel=origin.channel,
        source_address=origin.source_address,
    )
    entry.full_clean(exclude=["actor", "event"])  # both were just read by the caller
    entry.save()
    return entry


def fingerprint(secret: str) -> str:
    """A keyed SHA-256 (HMAC with the site's secret key) of a secret value such as a flag: two
    entries show whether the value changed, but a guessed value cannot be checked against an export."""
    if not secret:
        return ""
    return salted_hmac("kakehashi.audit.fingerprint", secret, algorithm="sha256").hexdigest()
