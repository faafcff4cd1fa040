"""Configuration checks run by ``kakehashi check`` (Django's system-check framework)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.compatibility)
def check_catalogs(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    for locale_dir in settings.LOCALE_PATHS:
        po = Path(locale_dir) / "ja" / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if po.exists() and not mo.exists():
            problems.append(Error("The Japanese catalog is not compiled.", hint=f"Compile {po}.", id="kakehashi.E001"))
    return problems


@register(Tags.database)
def check_data_dir(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    data_dir = Path(settings.DATA_DIR)
    if data_dir.exists() and not data_dir.is_dir():
        return [Error(f"KAKEHASHI_DATA_DIR ({data_dir}) is not a directory.", id="kakehashi.E002")]
    return []


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "REDIS_URL", ""):
        return [
            Warning(
                "KAKEHASHI_REDIS_URL is not set: caches and live updates are per process.",
                hint="Set KAKEHASHI_REDIS_URL when running more than one server process.",
                id="kakehashi.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_mail_delivery(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "EMAIL_HOST", ""):
        return [
            Warning(
                "KAKEHASHI_EMAIL_HOST is not set: mails (sign-up confirmations, password resets) are only "
                "written to files in the data directory and reach nobody.",
                hint="Set KAKEHASHI_EMAIL_HOST (and KAKEHASHI_EMAIL_USER, KAKEHASHI_EMAIL_PASSWORD) to an SMTP server.",
                id="kakehashi.W002",
            )
        ]
    return []
