import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from kakehashi.ctf.choices import CountryBracket, ParticipantStatus
from kakehashi.ctf.models.events import Bracket, Event


def new_invite_code() -> str:
    return secrets.token_urlsafe(9)


class Team(models.Model):
    """What scores: a team, or in an individual event the one-person team of each participant."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="teams", verbose_name=_("event"))
    name = models.CharField(_("name"), max_length=80)
    invite_code = models.CharField(_("invitation code"), max_length=32, default=new_invite_code, unique=True)
    captain = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="captained_teams",
        verbose_name=_("captain"),
    )
    country_bracket = models.CharField(
        _("country bracket"), max_length=8, choices=CountryBracket.choices, default=CountryBracket.OTHER
    )
    bracket = models.ForeignKey(
        Bracket, on_delete=models.SET_NULL, null=True, blank=True, related_name="teams", verbose_name=_("bracket")
    )
    solo = models.BooleanField(_("one-person team"), default=False)
    hidden = models.BooleanField(_("hidden from the scoreboard"), default=False)
    banned = models.BooleanField(_("banned"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "event",
                Lower("name"),
                name="ctf_team_name_unique",
                violation_error_message=_("A team with this name already exists in this event."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ranked(self) -> bool:
        return not (self.hidden or self.banned)


class Participant(models.Model):
    """A user's registration for one event, and the team they play in."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations", verbose_name=_("user")
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ParticipantStatus.choices, default=ParticipantStatus.APPROVED
    )
    joined_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="ctf_participant_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=ParticipantStatus.values), name="ctf_participant_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.event}"
