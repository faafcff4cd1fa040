from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kakehashi.core.models import Translatable, TranslationRow
from kakehashi.ctf.choices import ChallengeState, FlagKind, ValueFunction
from kakehashi.ctf.models.events import Event

_Row = TypeVar("_Row", bound=models.Model)


class _JudgedQuerySet(models.QuerySet[_Row]):
    """Bulk updates of what judging a flag reads make processes read those challenges again too,
    as saves do (see ``known_challenges``). ``challenge_field``: where the challenge's id is."""

    challenge_field = "challenge_id"

    def update(self, **kwargs: Any) -> int:
        from kakehashi.ctf.known_challenges import challenges_changed

        ids = list(self.values_list(self.challenge_field, flat=True))
        count = super().update(**kwargs)
        if count:
            challenges_changed(ids)
        return count


class ChallengeQuerySet(_JudgedQuerySet["Challenge"]):
    challenge_field = "pk"


class ChallengeTranslationQuerySet(_JudgedQuerySet["ChallengeTranslation"]):
    pass


class FlagQuerySet(_JudgedQuerySet["Flag"]):
    pass


class Challenge(Translatable):
    objects = ChallengeQuerySet.as_manager()

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="challenges", verbose_name=_("event"))
    category = models.CharField(_("category"), max_length=64)
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), default=1, help_text=_("From 1 (easy) to 5."))
    author = models.CharField(_("author"), max_length=120, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=ChallengeState.choices, default=ChallengeState.HIDDEN)
    release_at = models.DateTimeField(_("released at"), null=True, blank=True)
    function = models.CharField(
        _("scoring"), max_length=16, choices=ValueFunction.choices, default=ValueFunction.STATIC
    )
    value = models.PositiveIntegerField(_("points"), help_text=_("The fixed value, or the initial value if it decays."))
    minimum = models.PositiveIntegerField(_("minimum points"), null=True, blank=True)
    decay = models.PositiveIntegerField(_("decay"), null=True, blank=True)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=0, help_text=_("0 means unlimited."))
    position = models.PositiveIntegerField(_("position"), default=0)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="unlocks", verbose_name=_("prerequisites")
    )
    publish_override_reason = models.TextField(_("reason for publishing without every language"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    translated_fields = ("title", "description", "connection_info")
    required_translated_fields = ("title", "description")

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(difficulty__gte=1, difficulty__lte=5), name="ctf_challenge_difficulty"),
            models.CheckConstraint(condition=Q(state__in=ChallengeState.values), name="ctf_challenge_state_valid"),
            models.CheckConstraint(
                condition=Q(function="static") | (Q(minimum__isnull=False) & Q(decay__isnull=False)),
                name="ctf_challenge_decay_parameters",
                violation_error_message=_("A decaying value needs a minimum and a decay."),
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True) | Q(minimum__lte=models.F("value")),
                name="ctf_challenge_minimum_not_above_value",
                violation_error_message=_("The minimum cannot be higher than the initial value."),
            ),
        ]
        indexes = [models.Index(fields=["event", "state"], name="ctf_challenge_event_state")]

    def __str__(self) -> str:
        return self.text("title", "en") or f"challenge {self.pk}"

    def required_languages(self) -> Sequence[str]:
        return list(self.event.languages)


class ChallengeTranslation(TranslationRow):
    objects = ChallengeTranslationQuerySet.as_manager()

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="translations", verbose_name=_("challenge")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    connection_info = models.TextField(_("connection info"), blank=True)

    class Meta:
        verbose_name = _("challenge translation")
        verbose_name_plural = _("challenge translations")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "language_code"], name="ctf_challenge_translation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language_code}]"


class ChallengeTag(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="tags", verbose_name=_("challenge"))
    value = models.CharField(_("tag"), max_length=64)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.value


class ChallengeTopic(models.Model):
    """An organisers' classification (e.g. "SQL injection"); unlike tags, never shown to players."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="topics", verbose_name=_("challenge")
    )
    value = models.CharField(_("topic"), max_length=255)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.value


class Hint(Translatable):
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="hints", verbose_name=_("challenge")
    )
    cost = models.PositiveIntegerField(_("cost"), default=0)
    position = models.PositiveIntegerField(_("position"), default=0)

    translated_fields = ("title", "content")
    required_translated_fields = ("content",)

    class Meta:
        verbose_name = _("hint")
        verbose_name_plural = _("hints")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"hint {self.pk} of {self.challenge_id}"

    def required_languages(self) -> Sequence[str]:
        return list(self.challenge.event.languages)


class HintTranslation(TranslationRow):
    hint = models.ForeignKey(Hint, on_delete=models.CASCADE, related_name="translations", verbose_name=_("hint"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    content = models.TextField(_("content"))

    class Meta:
        verbose_name = _("hint translation")
        verbose_name_plural = _("hint translations")
        constraints = [models.UniqueConstraint(fields=["hint", "language_code"], name="ctf_hint_translation_unique")]

    def __str__(self) -> str:
        return f"hint {self.hint_id} [{self.language_code}]"


class Flag(models.Model):
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="flags", verbose_name=_("challenge")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FlagKind.choices, default=FlagKind.STATIC)
    content = models.TextField(_("content"), blank=True, help_text=_("Empty for generated flags."))
    case_insensitive = models.BooleanField(_("ignore case"), default=False)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="ctf_flag_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="generated") | ~Q(content=""),
                name="ctf_flag_content_required",
                violation_error_message=_("A flag needs its text or pattern."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} flag of {self.challenge_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"challenges/{instance.challenge_id}/{instance.sha256[:16]}/{filename}"


class Attachment(models.Model):
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("challenge")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
