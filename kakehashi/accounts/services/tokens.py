from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts import tokens
from kakehashi.accounts.models import ApiToken, User
from kakehashi.audit import services as audit
from kakehashi.audit.choices import Action

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
