"""Shapes of the exercises API. Authored texts come in every stored language, plus the one chosen
for the requester with an explicit fallback marker."""

from datetime import datetime

from ninja import Field, Schema


class LocalisedText(Schema):
    language: str | None = Field(..., description="The language shown; may differ from the one asked for.")
    fallback: bool = Field(..., description="True when the asked-for language has no text yet.")


class EventOut(Schema):
    id: int
    slug: str
    name: str
    name_language: str | None
    names: dict[str, str]
    description_html: str
    languages: list[str]
    starts_at: datetime
    ends_at: datetime
    freeze_at: datetime | None
    paused: bool
    phase: str
    frozen: bool
    mode: str
    team_size_limit: int | None
    registration: str
    scoreboard_visibility: str


class RegisterIn(Schema):
    invite_code: str = Field("", max_length=64)


class TeamCreateIn(Schema):
    name: str = Field(..., max_length=80)


class TeamJoinIn(Schema):
    invite_code: str = Field(..., max_length=32)


class MemberOut(Schema):
    user_id: int
    name: str
    country: str


class TeamOut(Schema):
    id: int
    name: str
    country_bracket: str
    bracket_id: int | None
    captain_id: int | None
    solo: bool
    members: list[MemberOut]
    invite_code: str | None = Field(None, description="Shown to the team's own members only.")


class ParticipationOut(Schema):
    event_id: int
    status: str
    team: TeamOut | None


class ChallengeText(Schema):
    title: str
    description: str
    description_html: str
    connection_info: str


class HintOut(Schema):
    id: int
    cost: int
    unlocked: bool
    title: str
    content_html: str | None = Field(None, description="Present once unlocked.")
    texts: dict[str, dict[str, str]] | None = None


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    url: str


class ChallengeSummaryOut(Schema):
    id: int
    title: str
    title_language: str | None
    titles: dict[str, str]
    category: str
    tags: list[str]
    difficulty: int
    value: int
    solves: int
    solved: bool
    locked: bool
    prerequisites_met: bool
    release_at: datetime | None


class ChallengeOut(ChallengeSummaryOut):
    author: str
    language: str | None
    fallback: bool
    text: ChallengeText
    texts: dict[str, ChallengeText]
    hints: list[HintOut]
    attachments: list[AttachmentOut]
    max_attempts: int
    attempts_used: int


class AttemptIn(Schema):
    flag: str = Field(..., max_length=1000)


class AttemptOut(Schema):
    result: str
    message: str
    retry_after: int = 0
    blood: int | None = None


class ScoreEntryOut(Schema):
    position: int
    team_id: int
    name: str
    score: int
    solves: int
    last_score_at: datetime
    country_bracket: str
    bracket_id: int | None


class SeriesOut(Schema):
    team_id: int
    points: list[tuple[datetime, int]]


class ScoreboardQuery(Schema):
    bracket: str | None = Field(
        None, description="A country bracket (uk, jp, mixed, other) or a custom bracket's name."
    )
    limit: int | None = Field(None, ge=1, le=100_000, description="At most this many rows (all when absent).")
    offset: int = Field(0, ge=0, description="Rows to skip from the top.")


class ScoreboardOut(Schema):
    frozen: bool
    live: bool = Field(..., description="True for the organisers' unfrozen view.")
    version: int
    total: int = Field(..., description="Teams on this board (or bracket) before paging with limit and offset.")
    entries: list[ScoreEntryOut]
    series: list[SeriesOut]
    solve_counts: dict[int, int] = Field(..., description="Counted solves per challenge id.")
    bloods: dict[int, list[int]] = Field(..., description="Per challenge id, the first three solving teams.")


class AnnouncementOut(Schema):
    id: int
    title: str
    body_html: str
    language: str | None
    fallback: bool
    texts: dict[str, dict[str, str]]
    created_at: datetime
