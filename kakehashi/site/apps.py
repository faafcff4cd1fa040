from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site as a whole: home page, language switch, demo data, serving."""

    name = "kakehashi.site"
    label = "site"
    verbose_name = _("Site")
