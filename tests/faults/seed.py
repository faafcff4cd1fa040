"""Migrate the database named by ``KAKEHASHI_DATABASE_URL`` and seed an event for a fault test.

Run as ``python -m tests.faults.seed TEAMS CHALLENGES``; prints the seeded event as JSON. The fault
tests use it for databases they start themselves, outside pytest-django's test database.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kakehashi.settings.development")
    import django

    django.setup()
    from django.core.management import call_command

    from tests.faults.support import seed

    call_command("migrate", verbosity=0, interactive=False)
    teams, challenges = int(sys.argv[1]), int(sys.argv[2])
    sys.stdout.write(seed(teams=teams, challenges=challenges).to_json() + "\n")


if __name__ == "__main__":
    main()
