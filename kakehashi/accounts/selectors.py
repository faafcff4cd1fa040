"""Reads with rules in them."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from kakehashi.accounts import tokens
from kakehashi.accounts.models import ApiToken, Organisation, User
from kakehashi.core.queries import only_row


@dataclass(frozen=True)
class TokenCheck:
    user: User | None
    reason: str  # "ok", "unknown", "expired", "revoked", "inactive"
    token_id: int | None = None
    stale_use: bool = False  # the stored "last used" time is more than a minute old


LAST_USED_PRECISION = 60  # seconds: a token's "last used" time is kept to about a minute


def token_check(raw: str, *, now: datetime | None = None) -> TokenCheck:
    """Who a presented token belongs to, or why it is refused."""
    now = now or timezone.now()
    row = only_row(ApiToken.objects.select_related("user").filter(digest=tokens.digest(raw)))
    if row is None:
        return TokenCheck(user=None, reason="unknown")
    if row.revoked_at is not None:
        return TokenCheck(user=None, reason="revoked")
    if row.expires_at <= now:
        return TokenCheck(user=None, reason="expired")
    if not row.user.is_active:
        return TokenCheck(user=None, reason="inactive")
    stale = row.last_used_at is None or (now - row.last_used_at).total_seconds() > LAST_USED_PRECISION
    return TokenCheck(user=row.user, reason="ok", token_id=row.pk, stale_use=stale)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.prefetch_related("translations").order_by("slug")


def organisation_members(organisation: Organisation) -> QuerySet[User]:
    return organisation.members.filter(is_active=True).order_by("username")


def active_user(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def active_user_by_name(username: str) -> User | None:
    return User.objects.filter(username__iexact=username, is_active=True).first()
