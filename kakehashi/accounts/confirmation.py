"""The rules of confirm-first sign-up, without I/O: the confirmation token, when it expires, and
whether one more sign-up mail may go to an address."""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

MAIL_WINDOW = timedelta(hours=1)


def new_token() -> str:
    """A confirmation token: 256 bits of randomness, safe in a URL path. Only its digest is stored."""
    return secrets.token_urlsafe(32)


def expires_at(created_at: datetime, *, hours: int) -> datetime:
    return created_at + timedelta(hours=hours)


def address_key(email: str) -> str:
    """The form of an address that the mail cap counts by: addresses differing only in case are one."""
    return email.strip().lower()


def may_mail(sent: Sequence[datetime], *, limit: int, now: datetime, window: timedelta = MAIL_WINDOW) -> bool:
    """Whether another mail may go to an address that was sent mails at the times ``sent``: fewer
    than ``limit`` of them inside the window ending ``now``. A limit of 0 or less means no cap."""
    if limit <= 0:
        return True
    return sum(1 for moment in sent if now - moment < window) < limit
