from django.db import models
from django.utils.translation import gettext_lazy as _


class DisplayMode(models.TextChoices):
    """How a reader wants text shown: one language, or both side by side."""

    ENGLISH = "en", _("English")
    JAPANESE = "ja", _("Japanese")
    BOTH = "both", _("English and Japanese side by side")
