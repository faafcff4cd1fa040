import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kakehashi.core.models import Translatable, TranslationRow, validate_language_code
from kakehashi.ctf.choices import EventMode, EventRole, RegistrationMode, ScoreboardVisibility


def default_languages() -> list[str]:
    return ["en", "ja"]


def new_flag_secret() -> str:
    return secrets.token_hex(32)


def validate_languages(value: object) -> None:
    if not isinstance(value, list) or not value or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Choose at least one language."), code="invalid_languages")
    if len(set(value)) != len(value):
        raise ValidationError(_("Each language may appear only once."), code="duplicate_languages")
    for code in value:
        validate_language_code(code)


def validate_domains(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(domain, str) and "." in domain for domain in value):
        raise ValidationError(_("Give e-mail domains such as example.ac.jp."), code="invalid_domains")


def validate_blood_bonuses(value: object) -> None:
    if not isinstance(value, list) or len(value) > 3 or not all(isinstance(b, int) and b >= 0 for b in value):
        raise ValidationError(_("Give up to three bonuses of zero or more points."), code="invalid_bonuses")


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: object) -> int:
        """Bulk updates make processes read events again too, as saves do (see ``known_events``)."""
        from kakehashi.ctf.known_events import events_changed

        count = super().update(**kwargs)
        if count:
            events_changed()
        return count


class Event(Translatable):
    """A capture-the-flag event: a competition or a training, run in one or more languages."""

    objects = EventQuerySet.as_manager()

    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    languages = models.JSONField(_("languages"), default=default_languages, validators=[validate_languages])
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    freeze_at = models.DateTimeField(_("scoreboard freezes"), null=True, blank=True)
    paused = models.BooleanField(_("paused"), default=False)
    mode = models.CharField(_("mode"), max_length=16, choices=EventMode.choices, default=EventMode.TEAM)
    team_size_limit = models.PositiveSmallIntegerField(_("team size limit"), null=True, blank=True)
    registration = models.CharField(
        _("registration"), max_length=16, choices=RegistrationMode.choices, default=RegistrationMode.OPEN
    )
    invite_code = models.CharField(_("invitation code"), max_length=64, blank=True)
    allowed_email_domains = models.JSONField(
        _("allowed e-mail domains"), default=list, blank=True, validators=[validate_domains]
    )
    scoreboard_visibility = models.CharField(
        _("scoreboard visibility"),
        max_length=16,
        choices=ScoreboardVisibility.choices,
        default=ScoreboardVisibility.PUBLIC,
    )
    wrong_attempts_per_minute = models.PositiveSmallIntegerField(_("wrong attempts allowed per minute"), default=10)
    blood_bonuses = models.JSONField(
        _("first, second and third blood bonuses"), default=list, blank=True, validators=[validate_blood_bonuses]
    )
    flag_secret = models.CharField(_("secret for generated flags"), max_length=64, default=new_flag_secret)
    generated_flag_format = models.CharField(_("format of generated flags"), max_length=64, default="flag{%s}")
    is_default = models.BooleanField(_("default event"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    translated_fields = ("name", "description")
    required_translated_fields = ("name",)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="ctf_event_ends_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(freeze_at__isnull=True)
                | (Q(freeze_at__gte=F("starts_at")) & Q(freeze_at__lte=F("ends_at"))),
                name="ctf_event_freeze_within",
                violation_error_message=_("The freeze must fall between the start and the end."),
            ),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="ctf_one_default_event"),
            models.CheckConstraint(condition=Q(mode__in=EventMode.values), name="ctf_event_mode_valid"),
            models.CheckConstraint(
                condition=Q(registration__in=RegistrationMode.values), name="ctf_event_registration_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    def required_languages(self) -> Sequence[str]:
        return list(self.languages)

    @property
    def is_team_mode(self) -> bool:
        return self.mode == EventMode.TEAM


class EventTranslation(TranslationRow):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="translations", verbose_name=_("event"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("event translation")
        verbose_name_plural = _("event translations")
        constraints = [models.UniqueConstraint(fields=["event", "language_code"], name="ctf_event_translation_unique")]

    def __str__(self) -> str:
        return f"{self.name} [{self.language_code}]"


class EventStaff(models.Model):
    """Organisers and judges of one event. Platform administrators may act on every event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="staff", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=EventRole.choices)

    class Meta:
        verbose_name = _("event staff member")
        verbose_name_plural = _("event staff")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="ctf_event_staff_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) @ {self.event}"


class Bracket(Translatable):
    """A custom bracket of an event (students, professionals, ...). Country brackets are derived."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="brackets", verbose_name=_("event"))
    slug = models.SlugField(_("short name"), max_length=64)

    translated_fields = ("name", "description")
    required_translated_fields = ("name",)

    class Meta:
        verbose_name = _("bracket")
        verbose_name_plural = _("brackets")
        ordering = ["slug"]
        constraints = [models.UniqueConstraint(fields=["event", "slug"], name="ctf_bracket_slug_unique")]

    def __str__(self) -> str:
        return self.slug


class BracketTranslation(TranslationRow):
    bracket = models.ForeignKey(
        Bracket, on_delete=models.CASCADE, related_name="translations", verbose_name=_("bracket")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("bracket translation")
        verbose_name_plural = _("bracket translations")
        constraints = [
            models.UniqueConstraint(fields=["bracket", "language_code"], name="ctf_bracket_translation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language_code}]"
