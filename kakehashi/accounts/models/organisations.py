from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import Country, MembershipRole, OrganisationKind
from kakehashi.core.models import Translatable, TranslationRow


class Organisation(Translatable):
    """A government body, company, university, ISAC or cyber cluster; its name is stored per language."""

    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations", verbose_name=_("members")
    )

    translated_fields = ("name", "description")
    required_translated_fields = ("name",)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="accounts_org_kind_valid"
            ),
            models.CheckConstraint(condition=models.Q(country__in=Country.values), name="accounts_org_country_valid"),
        ]

    def __str__(self) -> str:
        return self.text("name", "en") or self.slug


class OrganisationTranslation(TranslationRow):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="translations", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("organisation translation")
        verbose_name_plural = _("organisation translations")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "language_code"], name="accounts_org_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language_code}]"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("user"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="accounts_membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values), name="accounts_membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"
