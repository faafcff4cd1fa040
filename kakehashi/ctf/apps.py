from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CtfConfig(AppConfig):
    """Exercises: bilingual capture-the-flag events, teams, challenges, scoring and scoreboards."""

    name = "kakehashi.ctf"
    label = "ctf"
    verbose_name = _("Exercises")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from kakehashi.accounts.models import ApiToken, User
        from kakehashi.ctf import known_challenges, shortcut
        from kakehashi.ctf.known_events import on_event_write
        from kakehashi.ctf.models import (
            Challenge,
            ChallengeTranslation,
            Event,
            EventStaff,
            EventTranslation,
            Flag,
            Participant,
            Team,
        )

        # Copies kept in each process are read again when what they were made from changes, by
        # any path (services, imports, the admin): events (see known_events), what judging a flag
        # reads (see known_challenges), and the grants of the shortcut (see shortcut).
        receivers: tuple[tuple[str, type, Any], ...] = (
            ("known_events", Event, on_event_write),
            ("known_events", EventTranslation, on_event_write),
            ("known_challenges", Challenge, known_challenges.on_challenge_write),
            ("known_challenges", ChallengeTranslation, known_challenges.on_challenge_row_write),
            ("known_challenges", Flag, known_challenges.on_challenge_row_write),
            ("shortcut", User, shortcut.on_account_write),
            ("shortcut", ApiToken, shortcut.on_user_row_write),
            ("shortcut", EventStaff, shortcut.on_user_row_write),
            ("shortcut", Participant, shortcut.on_event_row_write),
            ("shortcut", Team, shortcut.on_event_row_write),
        )
        for owner, sender, receiver in receivers:
            post_save.connect(receiver, sender=sender, dispatch_uid=f"{owner}:save:{sender.__name__}")
            post_delete.connect(receiver, sender=sender, dispatch_uid=f"{owner}:delete:{sender.__name__}")
        m2m_changed.connect(
            known_challenges.on_prerequisites_changed,
            sender=Challenge.prerequisites.through,
            dispatch_uid="known_challenges:prerequisites",
        )
