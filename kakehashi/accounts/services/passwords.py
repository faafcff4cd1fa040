import time

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kakehashi.accounts.models import User
from kakehashi.accounts.services.mail import send_translated

RESET_SUBJECT = gettext_lazy("Reset your Kakehashi password")
RESET_WINDOW = 3600  # seconds: the cap on reset mails counts per clock hour


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("Your current password is not correct.")]}, code="password_incorrect")
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": list(error.messages)}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


def _may_mail_reset(user_id: int) -> bool:
    """Counts one more reset mail to the account in this clock hour; whether it is within the cap.

    The count lives in the shared cache (Redis when set), so it holds across processes; without
    Redis each process counts for itself. Someone who asks for reset links to another person's
    address over and over can so send them at most a few mails an hour."""
    key = f"kakehashi:reset-mails:{user_id}:{int(time.time() // RESET_WINDOW)}"
    cache.add(key, 0, timeout=2 * RESET_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=2 * RESET_WINDOW)
        count = 1
    return count <= settings.KAKEHASHI_RESET_MAILS_PER_HOUR


def password_reset_send(*, email: str, base_url: str) -> None:
    """Mail a reset link to every active account with this address, at most
    ``KAKEHASHI_RESET_MAILS_PER_HOUR`` an hour each. Says nothing about whether one exists."""
    email = email.strip()
    if not email:
        return
    for user in User.objects.filter(email__iexact=email, is_active=True):
        if not user.has_usable_password() or not _may_mail_reset(user.pk):
            continue
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        send_translated(
            to=user.email,
            preference=user.preferred_language,
            subject=RESET_SUBJECT,
            template="accounts/email/password_reset.txt",
            context={"user": user, "link": f"{base_url.rstrip('/')}/accounts/reset/{uid}/{token}/"},
        )


def _user_from_uid(uid: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@transaction.atomic
def password_reset_complete(*, uid: str, token: str, new_password: str) -> User:
    user = _user_from_uid(uid)
    if user is None or not default_token_generator.check_token(user, token):
        raise ValidationError(
            {"token": [_("This password reset link is invalid or has expired.")]}, code="invalid_token"
        )
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": list(error.messages)}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user
