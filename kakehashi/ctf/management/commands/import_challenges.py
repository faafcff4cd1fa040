"""``kakehashi import-challenges DIR [--event SLUG]``: every ctfcli ``challenge.yml`` under DIR, into an event."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kakehashi.ctf.interop.challenge_yml import ChallengeYmlError, import_challenges
from kakehashi.ctf.models import Event

BAR_WIDTH = 30


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = "Import every ctfcli challenge.yml under a folder into an event (the default event unless told)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="The folder holding the challenges (searched for challenge.yml).")
        parser.add_argument("--event", default="", help="Short name of the event (default: the default event).")

    def _event(self, slug: str) -> Event:
        if slug:
            event = Event.objects.filter(slug=slug).first()
            if event is None:
                raise CommandError(_("There is no event with the short name %(slug)s.") % {"slug": slug})
            return event
        event = Event.objects.filter(is_default=True).first()
        if event is None:
            raise CommandError(_("This instance has no default event: name one with --event."))
        return event

    def _progress(self, done: int, total: int, name: str) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "=" * max(filled - 1, 0) + (">" if filled else "") + " " * (BAR_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} {name[:40]:<40}", style_func=_plain, ending="")
        if done >= total:
            self.stderr.write("", style_func=_plain)
        self.stderr.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        event = self._event(options["event"])
        try:
            summary = import_challenges(directory=options["directory"], event=event, progress=self._progress)
        except ChallengeYmlError as error:
            raise CommandError(_("Nothing was imported. %(reason)s") % {"reason": error}) from None
        message = _("Imported %(created)d challenges into %(event)s; %(skipped)d already there.")
        counts = {"created": len(summary.created), "skipped": len(summary.skipped), "event": event.slug}
        self.stdout.write(self.style.SUCCESS(message % counts))
        for name in summary.created:
            self.stdout.write(f"  + {name}")
        for name in summary.skipped:
            self.stdout.write(_("  skipped (already in the event): %(name)s") % {"name": name})
