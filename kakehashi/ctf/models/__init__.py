from kakehashi.ctf.models.announcements import Announcement, AnnouncementTranslation
from kakehashi.ctf.models.challenges import (
    Attachment,
    Challenge,
    ChallengeTag,
    ChallengeTopic,
    ChallengeTranslation,
    Flag,
    Hint,
    HintTranslation,
)
from kakehashi.ctf.models.events import Bracket, BracketTranslation, Event, EventStaff, EventTranslation
from kakehashi.ctf.models.pages import Page, PageFormat, PageTranslation
from kakehashi.ctf.models.play import Award, HintUnlock, Solve, Submission
from kakehashi.ctf.models.teams import Participant, Team

__all__ = [
    "Announcement",
    "AnnouncementTranslation",
    "Attachment",
    "Award",
    "Bracket",
    "BracketTranslation",
    "Challenge",
    "ChallengeTag",
    "ChallengeTopic",
    "ChallengeTranslation",
    "Event",
    "EventStaff",
    "EventTranslation",
    "Flag",
    "Hint",
    "HintTranslation",
    "HintUnlock",
    "Page",
    "PageFormat",
    "PageTranslation",
    "Participant",
    "Solve",
    "Submission",
    "Team",
]
