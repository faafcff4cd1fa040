"""``kakehashi import FILE [--slug S] [--merge-into EVENT]``: restore an event archive."""  # noqa: N999 -- the command must be called "import"

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kakehashi.ctf.interop.archive import import_archive
from kakehashi.ctf.models import Event


class Command(BaseCommand):
    help = "Import an event archive as a new event, or add its challenges to an existing event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The archive written by 'kakehashi export'.")
        parser.add_argument("--slug", default=None, help="Short name of the new event (default: the archive's).")
        parser.add_argument("--merge-into", default=None, help="Add only the challenges to this existing event.")

    def handle(self, *args: Any, **options: Any) -> None:
        target = None
        if options["merge_into"]:
            target = Event.objects.filter(slug=options["merge_into"]).first()
            if target is None:
                raise CommandError(_("No event has the short name %(slug)s.") % {"slug": options["merge_into"]})
        try:
            result = import_archive(Path(options["file"]).read_bytes(), slug=options["slug"], merge_into=target)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        for title in result.skipped:
            self.stdout.write(_("Skipped %(title)s: a challenge with this title already exists.") % {"title": title})
        message = _("Imported %(count)s challenges into %(slug)s.")
        self.stdout.write(self.style.SUCCESS(message % {"count": len(result.created), "slug": result.event.slug}))
