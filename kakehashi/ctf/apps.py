from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CtfConfig(AppConfig):
    """Exercises: bilingual capture-the-flag events, teams, challenges, scoring and scoreboards."""

    name = "kakehashi.ctf"
    label = "ctf"
    verbose_name = _("Exercises")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from kakehashi.accounts.models import ApiToken, User
        from kakehashi.ctf import shortcut
        from kakehashi.ctf.known_events import on_event_write
        from kakehashi.ctf.models import Event, EventStaff, EventTranslation, Participant, Team

        # Every write to an event, by any path, makes processes read it again (see known_events).
        for model in (Event, EventTranslation):
            post_save.connect(on_event_write, sender=model, dispatch_uid=f"known_events:save:{model.__name__}")
            post_delete.connect(on_event_write, sender=model, dispatch_uid=f"known_events:delete:{model.__name__}")

        # Grants of the challenge-list shortcut are made again when what they read changes (see shortcut).
        receivers: tuple[tuple[type, Any], ...] = (
            (User, shortcut.on_account_write),
            (ApiToken, shortcut.on_user_row_write),
            (EventStaff, shortcut.on_user_row_write),
            (Participant, shortcut.on_event_row_write),
            (Team, shortcut.on_event_row_write),
        )
        for sender, receiver in receivers:
            post_save.connect(receiver, sender=sender, dispatch_uid=f"shortcut:save:{sender.__name__}")
            post_delete.connect(receiver, sender=sender, dispatch_uid=f"shortcut:delete:{sender.__name__}")
