"""The ``kakehashi`` console script: Django's management commands with Kakehashi's defaults."""

import os
import sys

SETTINGS_BY_ENVIRONMENT = {
    "development": "kakehashi.settings.development",
    "production": "kakehashi.settings.production",
}


def default_settings_module() -> str:
    """Settings chosen by ``KAKEHASHI_ENV`` (development unless told otherwise)."""
    environment = os.environ.get("KAKEHASHI_ENV", "development").strip().lower()
    try:
        return SETTINGS_BY_ENVIRONMENT[environment]
    except KeyError:
        choices = ", ".join(sorted(SETTINGS_BY_ENVIRONMENT))
        raise SystemExit(f"KAKEHASHI_ENV must be one of: {choices} (got {environment!r})") from None


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())
    from django.core.management import execute_from_command_line

    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and not arguments[0].startswith("-"):
        arguments[0] = arguments[0].replace("-", "_")  # `kakehashi import-ctfd` runs `import_ctfd`
    execute_from_command_line(["kakehashi", *arguments])
    return 0
