"""``kakehashi demo``: migrate, load the bilingual demo, print its logins, then serve."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kakehashi.site.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Migrate, load the bilingual demo data, print the demo logins and serve on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Load the demo and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        logins = load_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo loaded. Sign in with any of these (password for all: {DEMO_PASSWORD}):")
        )
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role:<14} language: {login.language}")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
