from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kakehashi.accounts.models import User
from kakehashi.accounts.services.mail import send_translated

RESET_SUBJECT = gettext_lazy("Reset your Kakehashi password")


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


def password_reset_send(*, email: str, base_url: str) -> None:
    """Mail a reset link to every active account with this address. Says nothing about whether one exists."""
    email = email.strip()
    if not email:
        return
    for user in User.objects.filter(email__iexact=email, is_active=True):
        if not user.has_usable_password():
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
