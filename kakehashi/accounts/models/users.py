from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import Country, LanguagePreference, PlatformRole
from kakehashi.core.timezones import is_valid_zone


def validate_time_zone(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value and not is_valid_zone(value):
        raise ValidationError(_("%(zone)s is not a known time zone."), code="invalid_time_zone", params={"zone": value})


class CaseInsensitiveUserManager(UserManager["User"]):
    """Sign-in finds ``Alice`` when ``alice`` is typed, matching the case-insensitive uniqueness."""

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(username__iexact=username)


class User(AbstractUser):
    """An account. Names are unique regardless of case; e-mail addresses too, when given."""

    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=4, choices=LanguagePreference.choices, blank=True, default=LanguagePreference.UNSET
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.OTHER)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, validators=[validate_time_zone])
    role = models.CharField(
        _("platform role"), max_length=16, choices=PlatformRole.choices, default=PlatformRole.PARTICIPANT
    )

    objects: ClassVar[CaseInsensitiveUserManager] = CaseInsensitiveUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("An account with this e-mail address already exists."),
            ),
            models.CheckConstraint(condition=models.Q(role__in=PlatformRole.values), name="accounts_user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or self.role == PlatformRole.ADMIN

    @property
    def is_organiser(self) -> bool:
        return self.is_platform_admin or self.role == PlatformRole.ORGANISER
