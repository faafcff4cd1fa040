from collections.abc import Sequence

from django.db import models
from django.utils.translation import gettext_lazy as _

from kakehashi.core.models import Translatable, TranslationRow
from kakehashi.ctf.models.events import Event


class PageFormat(models.TextChoices):
    MARKDOWN = "markdown", "Markdown"
    HTML = "html", "HTML"


class Page(Translatable):
    """A page of an event's site: rules, prizes, sponsors — in each of the event's languages."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="pages", verbose_name=_("event"))
    route = models.SlugField(_("address"), max_length=128)
    format = models.CharField(_("format"), max_length=16, choices=PageFormat.choices, default=PageFormat.MARKDOWN)
    hidden = models.BooleanField(_("hidden"), default=False)
    auth_required = models.BooleanField(_("only for signed-in users"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    translated_fields = ("title", "content")
    required_translated_fields = ("title", "content")

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["route"]
        constraints = [models.UniqueConstraint(fields=["event", "route"], name="ctf_page_route_unique")]

    def __str__(self) -> str:
        return self.route

    def required_languages(self) -> Sequence[str]:
        return list(self.event.languages)


class PageTranslation(TranslationRow):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="translations", verbose_name=_("page"))
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), blank=True)

    class Meta:
        verbose_name = _("page translation")
        verbose_name_plural = _("page translations")
        constraints = [models.UniqueConstraint(fields=["page", "language_code"], name="ctf_page_translation_unique")]

    def __str__(self) -> str:
        return f"{self.title} [{self.language_code}]"
