from django.db import models
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import Country, LanguagePreference


class PendingRegistration(models.Model):
    """A sign-up waiting for its e-mail address to be confirmed. The account is made from it when
    the link in the confirmation mail is followed; the password is kept hashed, the token as a
    SHA-256 digest only. Neither the user name nor the address is reserved while it waits."""

    username = models.CharField(_("user name"), max_length=150)
    email = models.EmailField(_("e-mail address"), max_length=254, db_index=True)
    password = models.CharField(_("password"), max_length=128)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=4, choices=LanguagePreference.choices, blank=True, default=LanguagePreference.UNSET
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.OTHER)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("pending registration")
        verbose_name_plural = _("pending registrations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.username


class SignupMail(models.Model):
    """One sign-up mail sent (a confirmation link or a notice to the owner of a taken address),
    kept for an hour so that mails to one address can be capped. The address is kept as a keyed
    digest only."""

    address_digest = models.CharField(_("address digest"), max_length=64, db_index=True)
    sent_at = models.DateTimeField(_("sent"), db_index=True)

    class Meta:
        verbose_name = _("sign-up mail")
        verbose_name_plural = _("sign-up mails")

    def __str__(self) -> str:
        return f"{self.address_digest[:12]}… {self.sent_at:%Y-%m-%d %H:%M}"
