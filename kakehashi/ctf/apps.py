from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CtfConfig(AppConfig):
    """Exercises: bilingual capture-the-flag events, teams, challenges, scoring and scoreboards."""

    name = "kakehashi.ctf"
    label = "ctf"
    verbose_name = _("Exercises")
