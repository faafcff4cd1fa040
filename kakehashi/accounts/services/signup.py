"""Confirm-first sign-up: the answer to a sign-up never tells whether its e-mail address has an
account already.

:func:`registration_start` checks the input, hashes the password and answers the same whether the
address is free or taken; only the mail differs. A free address gets a confirmation link and a
:class:`PendingRegistration` waits for it; the owner of a taken address is told that someone tried
it and where to reset the password. :func:`registration_confirm` makes the account from the pending
sign-up when the link is followed. User names are still refused by name when taken: they are public
on every scoreboard (see ``docs/security.md``).
"""

from datetime import datetime
from typing import Unpack

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kakehashi.accounts import confirmation, tokens
from kakehashi.accounts.choices import PlatformRole
from kakehashi.accounts.models import PendingRegistration, SignupMail, User
from kakehashi.accounts.services.mail import send_translated
from kakehashi.accounts.services.users import (
    ACCOUNT_FIELDS,
    Profile,
    email_taken,
    new_account_problems,
    new_participant,
)
from kakehashi.audit import services as audit
from kakehashi.audit.choices import Action

CONFIRM_SUBJECT = gettext_lazy("Confirm your e-mail address for Kakehashi")
ATTEMPT_SUBJECT = gettext_lazy("Someone tried to register with your e-mail address")
MAIL_KEY_SALT = "kakehashi.accounts.signup-mail"


def _address_digest(email: str) -> str:
    return salted_hmac(MAIL_KEY_SALT, confirmation.address_key(email), algorithm="sha256").hexdigest()


def _may_mail(email: str, now: datetime) -> bool:
    """Records one more mail to the address unless the hourly cap is reached; whether it may go."""
    key = _address_digest(email)
    sent = list(SignupMail.objects.filter(address_digest=key).values_list("sent_at", flat=True))
    if not confirmation.may_mail(sent, limit=settings.KAKEHASHI_SIGNUP_MAILS_PER_HOUR, now=now):
        return False
    SignupMail.objects.create(address_digest=key, sent_at=now)
    return True


def registration_start(*, username: str, email: str, password: str, base_url: str, **profile: Unpack[Profile]) -> None:
    """Checks a sign-up and mails the address; ``base_url`` is the site's address, for the links.

    Refuses what is wrong with the input (names, password, choices), never the address being in use.
    The password is hashed in both cases, so that the answer takes as long. Past the hourly cap of
    mails to one address, nothing is stored or sent and the answer is still the same."""
    now = timezone.now()
    candidate = new_participant(username=username, email=email, **profile)
    problems = new_account_problems(candidate, password)
    if problems:
        raise ValidationError(problems)
    hashed = make_password(password)  # the same argon2 work whether or not the address is taken
    taken = email_taken(candidate.email)
    token = confirmation.new_token()
    with transaction.atomic():
        PendingRegistration.objects.filter(expires_at__lte=now).delete()
        SignupMail.objects.filter(sent_at__lte=now - confirmation.MAIL_WINDOW).delete()
        if not _may_mail(candidate.email, now):
            return
        if not taken:
            PendingRegistration.objects.create(
                **{name: getattr(candidate, name) for name in ACCOUNT_FIELDS},
                password=hashed,
                token_digest=tokens.digest(token),
                created_at=now,
                expires_at=confirmation.expires_at(now, hours=settings.KAKEHASHI_SIGNUP_CONFIRMATION_HOURS),
            )
    site = base_url.rstrip("/")
    if taken:
        _notify_owners(candidate.email, site)
        return
    send_translated(
        to=candidate.email,
        preference=candidate.preferred_language,
        subject=CONFIRM_SUBJECT,
        template="accounts/email/registration_confirm.txt",
        context={
            "username": candidate.username,
            "link": site + reverse("accounts:register_confirm", args=[token]),
            "hours": settings.KAKEHASHI_SIGNUP_CONFIRMATION_HOURS,
        },
    )


def _notify_owners(email: str, site: str) -> None:
    """Tell the owner of an address in use that someone tried to sign up with it."""
    for owner in User.objects.filter(email__iexact=email, is_active=True):
        send_translated(
            to=owner.email,
            preference=owner.preferred_language,
            subject=ATTEMPT_SUBJECT,
            template="accounts/email/registration_attempt.txt",
            context={"user": owner, "link": site + reverse("accounts:password_reset")},
        )


def _conflicts(user: User) -> dict[str, list[str]]:
    """What became taken while the sign-up waited: the person confirming owns the address (the
    link reached them there), so saying so tells nobody else anything."""
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=user.username).exists():
        errors["username"] = [
            _("This user name was taken while your sign-up waited for confirmation. Please sign up again.")
        ]
    if email_taken(user.email):
        errors["email"] = [
            _("An account with this e-mail address already exists. Sign in, or reset your password if you need to.")
        ]
    return errors


@transaction.atomic
def registration_confirm(*, token: str) -> User:
    """Makes the account of a pending sign-up and forgets the sign-up; recorded in the audit log.
    A token works once and until it expires; a name or address taken meanwhile is refused."""
    pending = (
        PendingRegistration.objects.select_for_update()
        .filter(token_digest=tokens.digest(token), expires_at__gt=timezone.now())
        .first()
    )
    if pending is None:
        message = _("This confirmation link is invalid or has expired. Please sign up again.")
        raise ValidationError({"token": [ValidationError(message, code="invalid_token")]})
    fields = {name: getattr(pending, name) for name in ACCOUNT_FIELDS}
    user = User(**fields, password=pending.password, role=PlatformRole.PARTICIPANT)
    conflicts = _conflicts(user)
    if conflicts:
        raise ValidationError(conflicts)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # taken between the look and the write
        raise ValidationError(_conflicts(user) or {"username": [_("This user name is already taken.")]}) from None
    PendingRegistration.objects.filter(email__iexact=user.email).delete()
    audit.record(
        action=Action.USER_SIGN_UP, actor=user, target_type="user", target_id=user.pk, target_label=user.username,
        after={"username": user.username, "email": user.email, "role": user.role},
    )  # fmt: skip
    return user
