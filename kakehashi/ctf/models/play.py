from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kakehashi.ctf.choices import SubmissionResult
from kakehashi.ctf.models.challenges import Challenge, Hint
from kakehashi.ctf.models.events import Event
from kakehashi.ctf.models.teams import Team


class Submission(models.Model):
    """Every attempt, whatever its outcome: who, which team, when, from where, what was sent."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("event"))
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("challenge")
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("user")
    )
    provided = models.CharField(_("submitted text"), max_length=1000)
    result = models.CharField(_("result"), max_length=32, choices=SubmissionResult.choices)
    source_address = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    shared_from = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("flag generated for"),
        help_text=_("Set when the text is another team's generated flag: suspected flag sharing."),
    )
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "event", "result", "created_at"], name="ctf_submission_rate"),
            models.Index(fields=["team", "challenge", "result"], name="ctf_submission_attempts"),
            models.Index(fields=["event", "created_at"], name="ctf_submission_log"),
        ]

    def __str__(self) -> str:
        return f"{self.result} by {self.team_id} on {self.challenge_id}"


class Solve(models.Model):
    """A correct submission that counts. One per team and challenge, enforced by the database."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="solves", verbose_name=_("challenge")
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="solves", verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="solves", verbose_name=_("user")
    )
    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="solve", verbose_name=_("submission")
    )
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("solve")
        verbose_name_plural = _("solves")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["challenge", "team"], name="ctf_solve_once_per_team")]
        indexes = [models.Index(fields=["challenge", "created_at"], name="ctf_solve_order")]

    def __str__(self) -> str:
        return f"{self.team_id} solved {self.challenge_id}"


class HintUnlock(models.Model):
    """A team paid for a hint. One per team and hint, enforced by the database."""

    hint = models.ForeignKey(Hint, on_delete=models.CASCADE, related_name="unlocks", verbose_name=_("hint"))
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="hint_unlocks", verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hint_unlocks", verbose_name=_("user")
    )
    cost = models.PositiveIntegerField(_("cost"))
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("hint unlock")
        verbose_name_plural = _("hint unlocks")
        constraints = [models.UniqueConstraint(fields=["hint", "team"], name="ctf_hint_unlock_once_per_team")]

    def __str__(self) -> str:
        return f"{self.team_id} unlocked hint {self.hint_id}"


class Award(models.Model):
    """Points given or taken by an organiser, with the reason."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="awards", verbose_name=_("event"))
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="awards", verbose_name=_("team"))
    value = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("given by")
    )
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(value=0), name="ctf_award_not_zero")]

    def __str__(self) -> str:
        return f"{self.value:+d} to {self.team_id}"
