"""``kakehashi export EVENT FILE [--include-accounts]``: write an event archive (a zip)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kakehashi.ctf.interop.archive import export_event
from kakehashi.ctf.models import Event


class Command(BaseCommand):
    help = "Export an event, its content in every language and its history, as a zip archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event", help="The event's short name.")
        parser.add_argument("file", help="Where to write the archive.")
        parser.add_argument(
            "--include-accounts",
            action="store_true",
            help="Also write e-mail addresses and password hashes of the users involved.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(_("No event has the short name %(slug)s.") % {"slug": options["event"]})
        data = export_event(event, include_accounts=options["include_accounts"])
        Path(options["file"]).write_bytes(data)
        self.stdout.write(self.style.SUCCESS(_("Exported %(slug)s.") % {"slug": event.slug}))
