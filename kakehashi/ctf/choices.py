from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventMode(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    TEAM = "team", _("Teams")


class RegistrationMode(models.TextChoices):
    OPEN = "open", _("Open to everyone")
    INVITE = "invite", _("With an invitation code")
    DOMAIN = "domain", _("E-mail domains on a list")
    APPROVAL = "approval", _("Approved by an organiser")


class ScoreboardVisibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTICIPANTS = "participants", _("Participants only")


class ParticipantStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    BANNED = "banned", _("Banned")


class EventRole(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    JUDGE = "judge", _("Judge")


class CountryBracket(models.TextChoices):
    UK = "uk", _("UK")
    JAPAN = "jp", _("Japan")
    MIXED = "mixed", _("Mixed UK–Japan")
    OTHER = "other", _("International")


class ChallengeState(models.TextChoices):
    HIDDEN = "hidden", _("Hidden")
    VISIBLE = "visible", _("Visible")
    LOCKED = "locked", pgettext_lazy("challenge state", "Locked")


class ValueFunction(models.TextChoices):
    STATIC = "static", _("Static")
    LINEAR = "linear", _("Linear decay")
    LOGARITHMIC = "logarithmic", _("Logarithmic decay (CTFd's default)")


class FlagKind(models.TextChoices):
    STATIC = "static", _("Exact text")
    REGEX = "regex", _("Regular expression")
    GENERATED = "generated", _("Generated per team")


class SubmissionResult(models.TextChoices):
    CORRECT = "correct", _("Correct")
    INCORRECT = "incorrect", _("Incorrect")
    ALREADY_SOLVED = "already_solved", _("Already solved")
    RATE_LIMITED = "rate_limited", _("Too many attempts")
    NOT_STARTED = "not_started", _("Not started")
    ENDED = "ended", _("Ended")
    PAUSED = "paused", _("Paused")
    LOCKED = "locked", pgettext_lazy("submission result", "Locked")
    PREREQUISITES_MISSING = "prerequisites_missing", _("Prerequisites missing")
    ATTEMPTS_EXHAUSTED = "attempts_exhausted", _("No attempts left")
