"""``kakehashi createadmin --username U --email E``; the password comes from
``KAKEHASHI_ADMIN_PASSWORD`` or, when a terminal is attached, a prompt."""

import getpass
import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kakehashi.accounts import services


class Command(BaseCommand):
    help = "Create a platform administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("KAKEHASHI_ADMIN_PASSWORD", "")
        if not password:
            if not sys.stdin.isatty():
                raise CommandError("Set KAKEHASHI_ADMIN_PASSWORD, or run in a terminal to be asked for the password.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords do not match.")
        try:
            user = services.admin_create(username=options["username"], email=options["email"], password=password)
        except ValidationError as error:
            lines = [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
            raise CommandError("Could not create the administrator:\n  " + "\n  ".join(lines)) from None
        self.stdout.write(self.style.SUCCESS(f"Administrator {user.username} created."))
