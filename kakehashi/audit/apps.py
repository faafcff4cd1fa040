from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log: what organisers and administrators changed, by whom, when, before and after."""

    name = "kakehashi.audit"
    label = "audit"
    verbose_name = _("Audit log")
