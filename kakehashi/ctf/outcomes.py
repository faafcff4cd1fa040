"""What each submission outcome says to the person who sent the flag."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kakehashi.ctf.choices import SubmissionResult

MESSAGES: dict[str, Promise] = {
    SubmissionResult.CORRECT: _("Correct! The flag is accepted."),
    SubmissionResult.INCORRECT: _("That is not the flag. Try again."),
    SubmissionResult.ALREADY_SOLVED: _("Your team has already solved this challenge."),
    SubmissionResult.RATE_LIMITED: _("Too many wrong flags. Wait a moment before trying again."),
    SubmissionResult.NOT_STARTED: _("The event has not started yet."),
    SubmissionResult.ENDED: _("The event has ended: flags are no longer accepted."),
    SubmissionResult.PAUSED: _("The event is paused. Flags are accepted again when it resumes."),
    SubmissionResult.LOCKED: _("This challenge is locked: flags are not accepted for it."),
    SubmissionResult.PREREQUISITES_MISSING: _("Solve the challenges this one depends on first."),
    SubmissionResult.ATTEMPTS_EXHAUSTED: _("Your team has used every attempt for this challenge."),
}


def message(result: str) -> str:
    return str(MESSAGES[result])
