from typing import TypedDict, Unpack

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import Country, LanguagePreference, PlatformRole
from kakehashi.accounts.models import User
from kakehashi.audit import services as audit
from kakehashi.audit.choices import Action
from kakehashi.core import names

PROFILE_FIELDS = ("display_name", "preferred_language", "country", "time_zone")


def _name(field: str, value: str) -> str:
    """The name as stored, or a validation error in the field (see ``kakehashi.core.names``); blank
    and too long names are left to the model, which reports them with Django's codes."""
    try:
        return names.clean(value, required=False)
    except names.NameProblem as problem:
        raise names.name_error(field, problem) from None


def _username_taken(username: str, *, exclude: int | None = None) -> bool:
    query = User.objects.filter(username__iexact=username)
    if exclude is not None:
        query = query.exclude(pk=exclude)
    return query.exists()


def email_taken(email: str) -> bool:
    return bool(email) and User.objects.filter(email__iexact=email).exists()


class Profile(TypedDict, total=False):
    """The optional profile fields of a new account, as the sign-up form and API give them."""

    display_name: str
    preferred_language: str
    country: str
    time_zone: str


ACCOUNT_FIELDS = ("username", "email", "display_name", "preferred_language", "country", "time_zone")


def new_participant(*, username: str, email: str, **profile: Unpack[Profile]) -> User:
    """An unsaved participant account with its names and address normalised."""
    return User(
        username=User.normalize_username(_name("username", username)),
        email=User.objects.normalize_email(email.strip()),
        display_name=_name("display_name", profile.get("display_name", "")),
        preferred_language=profile.get("preferred_language", LanguagePreference.UNSET),
        country=profile.get("country", Country.OTHER),
        time_zone=profile.get("time_zone", "").strip(),
        role=PlatformRole.PARTICIPANT,
    )


def new_account_problems(user: User, password: str) -> dict[str, list[str]]:
    """Everything wrong with a new account and its password, except an e-mail address in use: the
    sign-up must not tell that (see ``services.signup``); the other ways in check it themselves."""
    errors: dict[str, list[str]] = {}
    if not user.email:
        errors["email"] = [_("An e-mail address is required, so that you can reset your password.")]
    if _username_taken(user.username):
        errors["username"] = [_("This user name is already taken.")]
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    try:
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    return errors


def _save_new(user: User, password: str) -> User:
    """Validate everything, then store; a race on the unique name is reported like any other conflict."""
    errors = new_account_problems(user, password)
    if email_taken(user.email):
        errors["email"] = [_("An account with this e-mail address already exists.")]
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError({"username": [_("This user name is already taken.")]}, code="unique") from None
    return user


@transaction.atomic
def user_create(
    *, actor: User | AnonymousUser | None, username: str, email: str, password: str, **profile: Unpack[Profile]
) -> User:
    """A participant account made by an organiser, an administrator or the demo loader for someone,
    without a confirmation mail; recorded in the audit log."""
    user = _save_new(new_participant(username=username, email=email, **profile), password)
    _record_created(user, actor)
    return user


def _record_created(user: User, actor: User | AnonymousUser | None) -> None:
    after = {"username": user.username, "email": user.email, "role": user.role, "is_superuser": user.is_superuser}
    audit.record(
        action=Action.USER_CREATE, actor=actor, target_type="user", target_id=user.pk, target_label=user.username,
        after=after,
    )  # fmt: skip


@transaction.atomic
def admin_create(*, username: str, email: str, password: str, actor: User | AnonymousUser | None = None) -> User:
    """An administrator account (``kakehashi createadmin``); recorded in the audit log."""
    user = User(
        username=User.normalize_username(_name("username", username)),
        email=User.objects.normalize_email(email.strip()),
        role=PlatformRole.ADMIN,
        is_staff=True,
        is_superuser=True,
    )
    _save_new(user, password)
    _record_created(user, actor)
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    display_name: str | None = None,
    preferred_language: str | None = None,
    country: str | None = None,
    time_zone: str | None = None,
) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    changes = {
        "display_name": _name("display_name", display_name) if display_name is not None else None,
        "preferred_language": preferred_language,
        "country": country,
        "time_zone": time_zone.strip() if time_zone is not None else None,
    }
    changed = [name for name, value in changes.items() if value is not None]
    for name in changed:
        setattr(locked, name, changes[name])
    locked.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    locked.save(update_fields=changed)
    for name in changed:
        setattr(user, name, getattr(locked, name))
    return locked


@transaction.atomic
def user_set_role(*, user: User, role: str, actor: User | AnonymousUser | None = None) -> User:
    if role not in PlatformRole.values:
        raise ValidationError({"role": [_("This is not a platform role.")]}, code="invalid_choice")
    previous = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit.record(
        action=Action.USER_SET_ROLE, actor=actor, target_type="user", target_id=user.pk, target_label=user.username,
        before={"role": previous}, after={"role": role},
    )  # fmt: skip
    return user
