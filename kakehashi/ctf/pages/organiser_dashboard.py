"""The organisers' dashboard and the judges' live view."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kakehashi.core.templatetags.kakehashi import LANGUAGE_NAMES
from kakehashi.core.translations import completeness
from kakehashi.ctf import selectors
from kakehashi.ctf.choices import ChallengeState, ParticipantStatus
from kakehashi.ctf.models import Challenge, ChallengeTranslation, Event, Hint
from kakehashi.ctf.pages import organiser_charts as charts
from kakehashi.ctf.pages import organiser_reads as reads
from kakehashi.ctf.pages.forms import label
from kakehashi.ctf.pages.organiser_common import judged_event, managed_event, page, staff_page

HOURS_PER_BUCKET = (1, 2, 3, 6, 12, 24, 48, 168)
MAX_BUCKETS = 48
RANKED_CHALLENGES = 5
LATEST_SUBMISSIONS = 25


@dataclass(frozen=True)
class LanguageState:
    code: str
    name: str
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class ChallengeRow:
    challenge: Challenge
    solves: int
    value: int
    languages: tuple[LanguageState, ...]

    @property
    def complete(self) -> bool:
        return all(state.complete for state in self.languages)


def language_states(challenge: Challenge, languages: Sequence[str]) -> tuple[LanguageState, ...]:
    """For each language of the event, the texts a participant would miss."""
    missing: dict[str, list[str]] = {code: [] for code in languages}
    found = completeness(challenge.translation_map(), languages=languages, fields=Challenge.required_translated_fields)
    for code, fields in found.missing.items():
        missing[code] += [str(label(ChallengeTranslation, name)) for name in fields]
    for number, hint in enumerate(challenge.hints.all(), start=1):
        hint_found = completeness(hint.translation_map(), languages=languages, fields=Hint.required_translated_fields)
        for code in hint_found.missing:
            missing[code].append(_("content of hint %(number)d") % {"number": number})
    return tuple(
        LanguageState(code=code, name=str(LANGUAGE_NAMES.get(code, code)), missing=tuple(missing[code]))
        for code in languages
    )


def _challenge_rows(event: Event, board: selectors.Board) -> list[ChallengeRow]:
    rows = []
    for challenge in selectors.playable_challenges(event, staff=True):
        challenge.event = event  # the event is known: its languages need no query per challenge
        rows.append(
            ChallengeRow(
                challenge=challenge,
                solves=board.snapshot.solve_counts.get(challenge.pk, 0),
                value=board.snapshot.values.get(challenge.pk, challenge.value),
                languages=language_states(challenge, list(event.languages)),
            )
        )
    return rows


@dataclass(frozen=True)
class Chart:
    caption_id: str
    svg: SafeString
    peak: int
    rows: tuple[tuple[datetime, int, int], ...]  # start, count, second figure (correct or running total)


def _minute_chart(event: Event, now: datetime) -> Chart:
    buckets = reads.submissions_per_minute(event, now=now)
    bars = []
    for bucket in buckets:
        numbers = {"total": bucket.total, "correct": bucket.correct}
        time = timezone.localtime(bucket.start).strftime("%H:%M")
        title = _("%(time)s: %(total)s submitted, %(correct)s correct") % {"time": time, **numbers}
        bars.append(charts.Bar(total=bucket.total, part=bucket.correct, title=title))
    return Chart(
        caption_id="chart-minutes",
        svg=charts.bar_chart(bars, caption_id="chart-minutes"),
        peak=max((bucket.total for bucket in buckets), default=0),
        rows=tuple((b.start, b.total, b.correct) for b in buckets if b.total),
    )


def _solve_chart(event: Event, now: datetime) -> Chart:
    start = event.starts_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    end = min(now, event.ends_at)
    hours = max(1, int((end - start).total_seconds() // 3600) + 1) if end > start else 1
    size = next((s for s in HOURS_PER_BUCKET if hours / s <= MAX_BUCKETS), HOURS_PER_BUCKET[-1])
    counts = [0] * max(1, -(-hours // size))
    for hour, n in reads.solves_per_hour(event).items():
        index = int((hour - start).total_seconds() // 3600) // size
        if 0 <= index < len(counts):
            counts[index] += n
    running, totals = 0, []
    for n in counts:
        running += n
        totals.append(running)
    starts = [start + timedelta(hours=index * size) for index in range(len(counts))]
    return Chart(
        caption_id="chart-solves",
        svg=charts.step_chart(totals, caption_id="chart-solves"),
        peak=running,
        rows=tuple((moment, n, total) for moment, n, total in zip(starts, counts, totals, strict=True) if n),
    )


@staff_page
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    staff = managed_event(request, slug)
    event = staff.event
    now = timezone.now()
    board = selectors.scoreboard(event, view="live")
    rows = _challenge_rows(event, board)
    shown = sorted((row for row in rows if row.challenge.state != ChallengeState.HIDDEN), key=lambda r: -r.solves)
    counts = reads.participant_counts(event)
    members = selectors.team_members_count(event)
    context = {
        "section": "dashboard",
        "participants": sum(counts.values()),
        "pending": counts.get(ParticipantStatus.PENDING, 0),
        "banned": counts.get(ParticipantStatus.BANNED, 0),
        "teams": len(members),
        "ranked_teams": len(board.entries),
        "rows": rows,
        "incomplete": sum(1 for row in rows if not row.complete),
        "most_solved": shown[:RANKED_CHALLENGES],
        "least_solved": list(reversed(shown[-RANKED_CHALLENGES:])) if len(shown) > RANKED_CHALLENGES else [],
        "minutes": _minute_chart(event, now),
        "solves": _solve_chart(event, now),
        "sharing": reads.with_challenge_texts(selectors.flag_sharing(event)[:50]),
        "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in event.languages],
    }
    return page(request, "ctf/manage/dashboard.html", context, staff=staff)


@staff_page
@require_GET
def judge_view(request: HttpRequest, slug: str) -> HttpResponse:
    staff = judged_event(request, slug)
    event = staff.event
    board = selectors.scoreboard(event, view="live")
    latest = reads.with_challenge_texts(selectors.submission_log(event, limit=LATEST_SUBMISSIONS))
    context = {"section": "judge", "board": board, "submissions": latest}
    return page(request, "ctf/manage/judge.html", context, staff=staff)
