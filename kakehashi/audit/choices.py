from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What was done. The code is stable (exports and filters use it); the label is for readers."""

    EVENT_CREATE = "event.create", _("Event created")
    EVENT_UPDATE = "event.update", _("Event settings changed")
    EVENT_PAUSE = "event.pause", _("Event paused")
    EVENT_RESUME = "event.resume", _("Event resumed")
    EVENT_SET_DEFAULT = "event.set_default", _("Default event chosen")
    STAFF_SET = "staff.set", _("Staff role given")
    STAFF_REMOVE = "staff.remove", _("Staff role taken away")
    BRACKET_CREATE = "bracket.create", _("Bracket created")
    CHALLENGE_CREATE = "challenge.create", _("Challenge created")
    CHALLENGE_UPDATE = "challenge.update", _("Challenge changed")
    CHALLENGE_DELETE = "challenge.delete", _("Challenge deleted")
    FLAG_CREATE = "flag.create", _("Flag added")
    FLAG_UPDATE = "flag.update", _("Flag changed")
    FLAG_DELETE = "flag.delete", _("Flag deleted")
    HINT_CREATE = "hint.create", _("Hint added")
    HINT_UPDATE = "hint.update", _("Hint changed")
    HINT_DELETE = "hint.delete", _("Hint deleted")
    ATTACHMENT_CREATE = "attachment.create", _("File attached")
    ATTACHMENT_DELETE = "attachment.delete", _("Attached file deleted")
    TOPIC_CREATE = "topic.create", _("Topic added")
    TOPIC_DELETE = "topic.delete", _("Topic deleted")
    AWARD_CREATE = "award.create", _("Points given or taken")
    AWARD_DELETE = "award.delete", _("Award deleted")
    PARTICIPANT_APPROVE = "participant.approve", _("Registration approved")
    PARTICIPANT_BAN = "participant.ban", _("Participant banned")
    PARTICIPANT_MOVE = "participant.move", _("Participant moved to another team")
    TEAM_BAN = "team.ban", _("Team banned")
    TEAM_UNBAN = "team.unban", _("Team ban lifted")
    TEAM_HIDE = "team.hide", _("Team hidden from the scoreboard")
    TEAM_SHOW = "team.show", _("Team shown on the scoreboard")
    TEAM_UPDATE = "team.update", _("Team changed")
    ANNOUNCEMENT_CREATE = "announcement.create", _("Announcement published")
    ANNOUNCEMENT_DELETE = "announcement.delete", _("Announcement deleted")
    PAGE_CREATE = "page.create", _("Event page created")
    USER_CREATE = "user.create", _("Account created by an organiser or administrator")
    USER_SIGN_UP = "user.sign_up", _("Account created by signing up")
    USER_SET_ROLE = "user.set_role", _("Platform role changed")
    TOKEN_CREATE = "token.create", _("API token created for another user")
    IMPORT_CTFD = "import.ctfd", _("CTFd export imported")
    IMPORT_CHALLENGES = "import.challenges", _("Challenge repository imported")
    IMPORT_ARCHIVE = "import.archive", _("Event archive imported")
    EXPORT_ARCHIVE = "export.archive", _("Event archive exported")
    AUDIT_EXPORT = "audit.export", _("Audit log exported")


class Channel(models.TextChoices):
    """The way in through which the change was made."""

    WEB = "web", _("Web page")
    API = "api", _("Native API")
    CTFD = "ctfd", _("CTFd-compatible API")
    CLI = "cli", _("Command line")
