from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CtfConfig(AppConfig):
    """Exercises: bilingual capture-the-flag events, teams, challenges, scoring and scoreboards."""

    name = "kakehashi.ctf"
    label = "ctf"
    verbose_name = _("Exercises")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from kakehashi.ctf.known_events import on_event_write
        from kakehashi.ctf.models import Event, EventTranslation

        # Every write to an event, by any path, makes processes read it again (see known_events).
        for model in (Event, EventTranslation):
            post_save.connect(on_event_write, sender=model, dispatch_uid=f"known_events:save:{model.__name__}")
            post_delete.connect(on_event_write, sender=model, dispatch_uid=f"known_events:delete:{model.__name__}")
