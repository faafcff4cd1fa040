from django.db import models
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    UK = "GB", _("United Kingdom")
    JAPAN = "JP", _("Japan")
    OTHER = "XX", _("Other")


class PlatformRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    ORGANISER = "organiser", _("Organiser")
    JUDGE = "judge", _("Judge")
    ADMIN = "admin", _("Administrator")


class LanguagePreference(models.TextChoices):
    UNSET = "", _("Follow my browser")
    ENGLISH = "en", "English"
    JAPANESE = "ja", "日本語"
    BOTH = "both", _("English and Japanese side by side")


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    COMPANY = "company", _("Company")
    ACADEMIA = "academia", _("University or research")
    ISAC = "isac", _("ISAC")
    CLUSTER = "cluster", _("Cyber cluster")
    OTHER = "other", _("Other")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MANAGER = "manager", _("Manager")
