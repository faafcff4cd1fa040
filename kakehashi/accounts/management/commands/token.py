"""``kakehashi token create --user U [--expires-days N] [--name NAME]``: print a new personal API token."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kakehashi.accounts import selectors, services


class Command(BaseCommand):
    help = "Manage personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token and print it (it is shown only once).")
        create.add_argument("--user", required=True, help="User name of the token's owner.")
        create.add_argument("--expires-days", type=int, default=None, help="Days until it expires (default 30).")
        create.add_argument("--name", default="", help="A label to recognise the token by.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = selectors.active_user_by_name(options["user"])
        if user is None:
            raise CommandError(f"No active user named {options['user']!r}.")
        try:
            _row, raw = services.api_token_create(
                user=user, name=options["name"] or "cli", expires_days=options["expires_days"]
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(raw)
