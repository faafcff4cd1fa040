"""``kakehashi import_ctfd EXPORT.zip [--event SLUG] [--organiser USERNAME]``: a CTFd 3.x export as a new event."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kakehashi.accounts.models import User
from kakehashi.ctf.interop.ctfd_import import CTFdImportError, ctfd_import

COUNT_LABELS = {
    "brackets": gettext_lazy("brackets"),
    "users": gettext_lazy("users"),
    "teams": gettext_lazy("teams"),
    "challenges": gettext_lazy("challenges"),
    "flags": gettext_lazy("flags"),
    "hints": gettext_lazy("hints"),
    "files": gettext_lazy("files"),
    "prerequisites": gettext_lazy("prerequisites"),
    "submissions": gettext_lazy("submissions"),
    "solves": gettext_lazy("solves"),
    "awards": gettext_lazy("awards"),
    "hint unlocks": gettext_lazy("hint unlocks"),
    "announcements": gettext_lazy("announcements"),
    "pages": gettext_lazy("pages"),
    "topics": gettext_lazy("topics"),
}
BAR_WIDTH = 30


def _progress(stage: str, done: int, total: int) -> None:
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    label = COUNT_LABELS.get(stage, stage)
    sys.stderr.write(f"\r{label:<14} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _organiser(username: str | None) -> User:
    if username:
        user = User.objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %(name)s.") % {"name": username})
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError(_("Name the organiser with --organiser: there is no administrator to default to."))
    return user


class Command(BaseCommand):
    help = "Import a CTFd 3.x export zip as a new event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("export", help="The zip written by CTFd's export.")
        parser.add_argument("--event", default="", help="Short name of the new event (default: from the CTF name).")
        parser.add_argument("--organiser", default=None, help="User name of the event's organiser.")

    def handle(self, *args: Any, **options: Any) -> None:
        organiser = _organiser(options["organiser"])
        try:
            summary = ctfd_import(
                path=options["export"], organiser=organiser, slug=options["event"], progress=_progress
            )
        except CTFdImportError as error:
            raise CommandError(_("Nothing was imported. %(reason)s") % {"reason": error}) from None
        assert summary.event is not None
        self.stdout.write(self.style.SUCCESS(_("Imported as event %(slug)s.") % {"slug": summary.event.slug}))
        for key, count in summary.counts.items():
            self.stdout.write(f"  {COUNT_LABELS.get(key, key)}: {count}")
        for reason, count in summary.skipped.items():
            self.stdout.write(_("  not imported or changed: %(what)s: %(count)d") % {"what": reason, "count": count})
        for table, count in sorted(summary.tables_not_imported.items()):
            self.stdout.write(_("  table not imported: %(table)s (%(count)d rows)") % {"table": table, "count": count})
        for warning in summary.warnings:
            self.stdout.write(self.style.WARNING("  " + warning))
