"""Organiser announcements in the event's languages, pushed live to open pages."""

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.audit.choices import Action
from kakehashi.core import live
from kakehashi.ctf.models import Announcement, AnnouncementTranslation, Event
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.recording import Actor


@transaction.atomic
def announcement_create(
    *,
    event: Event,
    author: User,
    translations: Mapping[str, Mapping[str, str]],
    now: datetime | None = None,
) -> Announcement:
    """``translations`` maps a language code to its ``title`` and ``body``. Every language of the
    event must be given, so that nobody at a joint event misses what the other half was told."""
    texts = {
        code: {"title": str(values.get("title", "")).strip(), "body": str(values.get("body", "")).strip()}
        for code, values in translations.items()
    }
    errors: dict[str, list[str]] = {}
    for code in texts:
        if code not in event.languages:
            errors.setdefault("translations", []).append(
                _("%(code)s is not a language of this event.") % {"code": code}
            )
    for code in event.languages:
        values = texts.get(code)
        if values is None or not values["title"] or not values["body"]:
            errors.setdefault("translations", []).append(
                _("Give the title and text in %(code)s as well.") % {"code": code}
            )
    if errors:
        raise ValidationError(errors)
    announcement = Announcement.objects.create(event=event, author=author, created_at=now or timezone.now())
    for code, values in texts.items():
        row = AnnouncementTranslation(announcement=announcement, language_code=code, **values)
        row.full_clean(exclude=["announcement"])
        row.save()
    recording.record(
        action=Action.ANNOUNCEMENT_CREATE, actor=author, target=announcement, event_id=event.pk,
        label=_label(texts), after={"texts": texts},
    )  # fmt: skip
    announcement_id = announcement.pk
    transaction.on_commit(lambda: _push(announcement_id))
    return announcement


def _push(announcement_id: int) -> None:
    announcement = Announcement.objects.prefetch_related("translations").get(pk=announcement_id)
    data = {
        "id": announcement.pk,
        "texts": {row.language_code: {"title": row.title, "body": row.body} for row in announcement.translations.all()},
        "at": announcement.created_at.isoformat(),
    }
    for audience in ("public", "staff"):
        live.publish(f"event:{announcement.event_id}:{audience}", "announcement", data)


@transaction.atomic
def announcement_delete(*, announcement: Announcement, actor: Actor = None) -> None:
    texts = {row.language_code: {"title": row.title, "body": row.body} for row in announcement.translations.all()}
    recording.record(
        action=Action.ANNOUNCEMENT_DELETE, actor=actor, target=announcement, event_id=announcement.event_id,
        label=_label(texts), before={"texts": texts}, after={},
    )  # fmt: skip
    announcement.delete()


def _label(texts: Mapping[str, Mapping[str, str]]) -> str:
    chosen = texts.get("en") or next(iter(texts.values()), {})
    return chosen.get("title", "")
