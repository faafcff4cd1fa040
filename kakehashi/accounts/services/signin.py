"""Password checks that brute force cannot outrun, however many processes and addresses it uses.

django-axes counts failures per user name in the database and refuses once the limit is reached.
Its check (before the password) and its count (after) are separate statements, so guesses sent in
parallel would all pass the check before the first failure is counted. Here the attempts against
one account take turns: the account's row is locked while its password is checked and the
failure recorded, so at most ``AXES_FAILURE_LIMIT`` guesses ever reach the password.
"""

import unicodedata
from typing import Any

from django.contrib.auth import authenticate as django_authenticate
from django.db import transaction
from django.http import HttpRequest

from kakehashi.accounts.models import User


def throttle_key(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """The user name axes counts failures under (``AXES_USERNAME_CALLABLE``).

    Sign-in matches user names without regard to case, so ``Target`` and ``TARGET`` are the same
    account and must share one count.
    """
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    if not value:
        return None
    return unicodedata.normalize("NFKC", str(value)).casefold()


def authenticate(request: HttpRequest, *, username: str, password: str) -> Any:
    """``django.contrib.auth.authenticate``, one attempt per account at a time across processes."""
    with transaction.atomic():
        list(User.objects.select_for_update().filter(username__iexact=username).values_list("pk", flat=True))
        return django_authenticate(request, username=username, password=password)
