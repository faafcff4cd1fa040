"""Reads of the organiser pages that ``kakehashi.ctf.selectors`` does not offer yet.

Each one is a candidate for the selectors module. None decides a permission: the pages call the
access functions first, and these only keep every lookup inside the event (or challenge) that the
caller was allowed to manage, reporting anything else as not found.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from django.db.models import Count, Model, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import TruncHour, TruncMinute

from kakehashi.core.errors import NotFound
from kakehashi.ctf.choices import SubmissionResult
from kakehashi.ctf.models import (
    Announcement,
    Attachment,
    Award,
    Bracket,
    Challenge,
    Event,
    EventStaff,
    Flag,
    Hint,
    Participant,
    Solve,
    Submission,
    Team,
)


def participants_of(event: Event, *, status: str | None = None) -> QuerySet[Participant]:
    query = Participant.objects.filter(event=event).select_related("user", "team")
    if status:
        query = query.filter(status=status)
    return query.order_by("user__username")


def participant_counts(event: Event) -> dict[str, int]:
    rows = Participant.objects.filter(event=event).values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}


def teams_of(event: Event) -> QuerySet[Team]:
    """Teams with their member count (``member_count``) and custom bracket."""
    return (
        Team.objects.filter(event=event)
        .select_related("bracket")
        .prefetch_related("bracket__translations")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )


def brackets_of(event: Event) -> QuerySet[Bracket]:
    return Bracket.objects.filter(event=event).prefetch_related("translations").order_by("slug")


def staff_of(event: Event) -> QuerySet[EventStaff]:
    return EventStaff.objects.filter(event=event).select_related("user").order_by("role", "user__username")


def awards_of(event: Event) -> QuerySet[Award]:
    return Award.objects.filter(event=event).select_related("team", "created_by").order_by("-created_at", "-id")


def challenge_titles(event: Event, *, exclude: int | None = None) -> QuerySet[Challenge]:
    """The event's challenges with their texts only, for choosing one."""
    query = Challenge.objects.filter(event=event).prefetch_related("translations").order_by("position", "id")
    return query.exclude(pk=exclude) if exclude is not None else query


def flags_of(challenge: Challenge) -> list[Flag]:
    return list(Flag.objects.filter(challenge=challenge).order_by("id"))


def with_challenge_texts(submissions: list[Submission]) -> list[Submission]:
    """Loads the challenges' texts of a page of submissions in one query."""
    prefetch_related_objects(submissions, Prefetch("challenge__translations"))
    return submissions


@dataclass(frozen=True)
class Bucket:
    start: datetime
    total: int
    correct: int = 0


def submissions_per_minute(event: Event, *, now: datetime, minutes: int = 60) -> list[Bucket]:
    """Submissions in each of the last ``minutes`` minutes (oldest first), empty minutes included."""
    end = now.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(minutes=minutes)
    rows = (
        Submission.objects.filter(event=event, created_at__gte=start, created_at__lt=end)
        .annotate(minute=TruncMinute("created_at", tzinfo=UTC))
        .values("minute")
        .annotate(total=Count("pk"), correct=Count("pk", filter=Q(result=SubmissionResult.CORRECT)))
        .order_by("minute")
    )
    found = {row["minute"].astimezone(UTC): (row["total"], row["correct"]) for row in rows}
    buckets = []
    for index in range(minutes):
        moment = start + timedelta(minutes=index)
        total, correct = found.get(moment, (0, 0))
        buckets.append(Bucket(start=moment, total=total, correct=correct))
    return buckets


def solves_per_hour(event: Event) -> dict[datetime, int]:
    """Counted solves (ranked teams only) per UTC hour."""
    rows = (
        Solve.objects.filter(challenge__event=event, team__hidden=False, team__banned=False)
        .annotate(hour=TruncHour("created_at", tzinfo=UTC))
        .values("hour")
        .annotate(n=Count("pk"))
        .order_by("hour")
    )
    return {row["hour"].astimezone(UTC): row["n"] for row in rows}


# --- single objects inside the event ---------------------------------------------------------


M = TypeVar("M", bound=Model)


def _one(query: QuerySet[M]) -> M:
    found = query.first()
    if found is None:
        raise NotFound()
    return found


def participant_in(event: Event, participant_id: int) -> Participant:
    return _one(Participant.objects.select_related("user", "team").filter(event=event, pk=participant_id))


def award_in(event: Event, award_id: int) -> Award:
    return _one(Award.objects.filter(event=event, pk=award_id))


def announcement_in(event: Event, announcement_id: int) -> Announcement:
    return _one(Announcement.objects.filter(event=event, pk=announcement_id))


def bracket_in(event: Event, bracket_id: int) -> Bracket:
    return _one(Bracket.objects.filter(event=event, pk=bracket_id))


def flag_of(challenge: Challenge, flag_id: int) -> Flag:
    flag = _one(Flag.objects.filter(challenge=challenge, pk=flag_id))
    flag.challenge = challenge
    return flag


def hint_of(challenge: Challenge, hint_id: int) -> Hint:
    hint = _one(Hint.objects.filter(challenge=challenge, pk=hint_id).prefetch_related("translations"))
    hint.challenge = challenge
    return hint


def attachment_of(challenge: Challenge, attachment_id: int) -> Attachment:
    attachment = _one(Attachment.objects.filter(challenge=challenge, pk=attachment_id))
    attachment.challenge = challenge
    return attachment
