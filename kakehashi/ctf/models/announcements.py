from collections.abc import Sequence

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kakehashi.core.models import Translatable, TranslationRow
from kakehashi.ctf.models.events import Event


class Announcement(Translatable):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("event"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("published"))

    translated_fields = ("title", "body")
    required_translated_fields = ("title", "body")

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text("title", "en") or f"announcement {self.pk}"

    def required_languages(self) -> Sequence[str]:
        return list(self.event.languages)


class AnnouncementTranslation(TranslationRow):
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="translations", verbose_name=_("announcement")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("announcement translation")
        verbose_name_plural = _("announcement translations")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "language_code"], name="ctf_announcement_translation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language_code}]"
