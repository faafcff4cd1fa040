import atexit
import logging
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts import tokens
from kakehashi.accounts.models import ApiToken, User
from kakehashi.audit import services as audit
from kakehashi.audit.choices import Action

logger = logging.getLogger(__name__)

MAX_TOKEN_DAYS = 3650


@transaction.atomic
def api_token_create(
    *, user: User, name: str = "", expires_days: int | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the stored row and the token, which is never stored. When
    ``actor`` (an administrator) makes it for someone else, the audit log records it, without the token."""
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_days is None else expires_days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(
            {"expires_days": [_("A token must expire after between 1 and %(max)d days.") % {"max": MAX_TOKEN_DAYS}]},
            code="invalid_expiry",
        )
    raw = tokens.generate()
    row = ApiToken(
        user=user,
        name=name.strip(),
        prefix=tokens.display_prefix(raw),
        digest=tokens.digest(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    row.full_clean()
    row.save()
    if actor is not None and actor.pk != user.pk:
        audit.record(
            action=Action.TOKEN_CREATE, actor=actor, target_type="user", target_id=user.pk, target_label=user.username,
            after={"name": row.name, "prefix": row.prefix, "expires_at": row.expires_at},
        )  # fmt: skip
    return row, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


class _UseLog:
    """When tokens were last used, written in one statement at most every ``TOKEN_USE_WRITE_SECONDS``.

    Writing a token's time on each use made every API read a write (and on SQLite, a wait for the
    one writer). Uses are collected in this process instead; the request that finds the interval
    passed writes them all, and what is left is written when the process exits. A token's
    "last used" time is therefore late by up to that interval (10 s by default).
    """

    def __init__(self) -> None:
        self._pending: dict[int, datetime] = {}
        self._lock = threading.Lock()
        self._written_at = time.monotonic()

    def note(self, token_id: int, at: datetime) -> None:
        with self._lock:
            self._pending[token_id] = at
            if time.monotonic() - self._written_at < settings.TOKEN_USE_WRITE_SECONDS:
                return
        self.write()

    def write(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._written_at = time.monotonic()
        if not pending:
            return
        # One statement: every token of the batch gets the batch's latest time (within the interval).
        ApiToken.objects.filter(pk__in=pending).update(last_used_at=max(pending.values()))


_uses = _UseLog()


def _write_on_exit() -> None:
    try:
        _uses.write()
    except Exception:  # leaving: the database may already be gone, and only a time would be lost
        logger.warning("token use times not written on exit", exc_info=True)


atexit.register(_write_on_exit)


def api_token_used(*, token_id: int, at: datetime | None = None) -> None:
    """Record that a token was just used (see :class:`_UseLog`)."""
    _uses.note(token_id, at or timezone.now())


def api_token_uses_write() -> None:
    """Write the uses collected so far (tests, shutdown)."""
    _uses.write()
