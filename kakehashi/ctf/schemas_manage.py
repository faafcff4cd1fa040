"""Shapes of the organisers' and judges' API.

Optional keys of an input are passed on to the service only when the request sends them, so what a
request leaves out takes the service's default (when creating) or stays as it is (when changing):
the defaults live in one place. An absent key and an explicit ``null`` are told apart: ``null`` is
accepted only where it is a value the setting can take (no freeze, no team size limit); elsewhere it
is a validation error.
"""

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AwareDatetime

from kakehashi.ctf.choices import (
    ChallengeState,
    EventMode,
    EventRole,
    FlagKind,
    ParticipantStatus,
    RegistrationMode,
    ScoreboardVisibility,
    SubmissionResult,
    ValueFunction,
)
from kakehashi.ctf.schemas import AttachmentOut, ChallengeText, EventOut

LANGUAGES_LIMIT = 10  # languages named in one request
LIST_LIMIT = 200  # items of one list (tags, domains, prerequisites)
TEXT_LIMIT = 100_000  # characters of one authored text

# An id sent in a body or a query: within the database's integer range, so that a lookup of a list of
# them cannot overflow (an id of nothing is then reported like any other unknown id).
ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]


# The default of an optional key that may not be null. It is typed ``Any`` so that the field keeps
# its real type (and OpenAPI says it cannot be null); endpoints read such inputs only through ``given``.
OMITTED: Any = None


class PartialIn(Schema):
    def given(self) -> dict[str, Any]:
        """The keys the request sent, nested inputs as plain dictionaries of the keys they sent."""
        return self.dict(exclude_unset=True)


# --- events ------------------------------------------------------------------------------


class EventCreateIn(PartialIn):
    """Settings left out take their defaults: English and Japanese, teams, open registration."""

    slug: str = Field(..., max_length=64)
    names: dict[str, str] = Field(..., max_length=LANGUAGES_LIMIT, description="Name by language code.")
    descriptions: dict[str, str] = Field(OMITTED, max_length=LANGUAGES_LIMIT, description="Markdown by language.")
    languages: list[str] = Field(OMITTED, max_length=LANGUAGES_LIMIT)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    freeze_at: AwareDatetime | None = None
    mode: EventMode = OMITTED
    team_size_limit: int | None = None
    registration: RegistrationMode = OMITTED
    invite_code: str = Field(OMITTED, max_length=64)
    allowed_email_domains: list[str] = Field(OMITTED, max_length=LIST_LIMIT)
    scoreboard_visibility: ScoreboardVisibility = OMITTED
    wrong_attempts_per_minute: int = OMITTED
    blood_bonuses: list[int] = Field(OMITTED, max_length=3)
    generated_flag_format: str = Field(OMITTED, max_length=64)


class EventUpdateIn(PartialIn):
    """Only the settings sent change. ``names`` and ``descriptions`` replace the languages they
    mention; a blank name removes its language."""

    slug: str = Field(OMITTED, max_length=64)
    names: dict[str, str] = Field(OMITTED, max_length=LANGUAGES_LIMIT)
    descriptions: dict[str, str] = Field(OMITTED, max_length=LANGUAGES_LIMIT)
    languages: list[str] = Field(OMITTED, max_length=LANGUAGES_LIMIT)
    starts_at: AwareDatetime = OMITTED
    ends_at: AwareDatetime = OMITTED
    freeze_at: AwareDatetime | None = Field(None, description="null removes the freeze.")
    mode: EventMode = OMITTED
    team_size_limit: int | None = Field(None, description="null means no limit.")
    registration: RegistrationMode = OMITTED
    invite_code: str = Field(OMITTED, max_length=64)
    allowed_email_domains: list[str] = Field(OMITTED, max_length=LIST_LIMIT)
    scoreboard_visibility: ScoreboardVisibility = OMITTED
    wrong_attempts_per_minute: int = OMITTED
    blood_bonuses: list[int] = Field(OMITTED, max_length=3)
    generated_flag_format: str = Field(OMITTED, max_length=64)


class ManagedEventOut(EventOut):
    """The event as its organisers see it: every setting and every language's texts."""

    descriptions: dict[str, str]
    complete_languages: list[str]
    invite_code: str
    allowed_email_domains: list[str]
    wrong_attempts_per_minute: int
    blood_bonuses: list[int]
    generated_flag_format: str


class PauseIn(Schema):
    paused: bool


class StaffIn(Schema):
    role: EventRole


class StaffOut(Schema):
    user_id: int
    username: str
    role: str


class BracketIn(PartialIn):
    slug: str = Field(..., max_length=64)
    names: dict[str, str] = Field(..., max_length=LANGUAGES_LIMIT)
    descriptions: dict[str, str] = Field(OMITTED, max_length=LANGUAGES_LIMIT)


class BracketOut(Schema):
    id: int
    slug: str
    names: dict[str, str]
    descriptions: dict[str, str]


# --- challenges --------------------------------------------------------------------------


class ChallengeTextIn(PartialIn):
    title: str = Field(..., max_length=200)
    description: str = Field(OMITTED, max_length=TEXT_LIMIT, description="Markdown.")
    connection_info: str = Field(OMITTED, max_length=TEXT_LIMIT)


class ChallengeCreateIn(PartialIn):
    """A new challenge is hidden unless ``state`` asks otherwise and every language is complete."""

    category: str = Field(..., max_length=64)
    value: int
    translations: dict[str, ChallengeTextIn] = Field(..., max_length=LANGUAGES_LIMIT)
    function: ValueFunction = OMITTED
    minimum: int | None = None
    decay: int | None = None
    difficulty: int = OMITTED
    author: str = Field(OMITTED, max_length=120)
    tags: list[str] = Field(OMITTED, max_length=LIST_LIMIT)
    max_attempts: int = Field(OMITTED, description="0 means unlimited.")
    position: int | None = None
    release_at: AwareDatetime | None = None
    state: ChallengeState = OMITTED


class ChallengeUpdateIn(PartialIn):
    category: str = Field(OMITTED, max_length=64)
    value: int = OMITTED
    function: ValueFunction = OMITTED
    minimum: int | None = None
    decay: int | None = None
    difficulty: int = OMITTED
    author: str = Field(OMITTED, max_length=120)
    max_attempts: int = OMITTED
    position: int = OMITTED
    release_at: AwareDatetime | None = None
    state: ChallengeState = OMITTED
    translations: dict[str, ChallengeTextIn] = Field(OMITTED, max_length=LANGUAGES_LIMIT)
    tags: list[str] = Field(OMITTED, max_length=LIST_LIMIT)


class PublishIn(PartialIn):
    state: ChallengeState = Field(OMITTED, description="visible (the default) or locked.")
    override_reason: str = Field(OMITTED, max_length=2000, description="Required while a language is incomplete.")


class PrerequisitesIn(Schema):
    challenge_ids: list[ObjectId] = Field(..., max_length=LIST_LIMIT)


class TagsIn(Schema):
    values: list[str] = Field(..., max_length=LIST_LIMIT)


class TranslationStatusOut(Schema):
    complete: bool
    missing_fields: list[str]


class FlagIn(PartialIn):
    kind: FlagKind
    content: str = Field(OMITTED, max_length=TEXT_LIMIT, description="Empty for generated flags.")
    case_insensitive: bool = OMITTED


class FlagUpdateIn(PartialIn):
    kind: FlagKind = OMITTED
    content: str = Field(OMITTED, max_length=TEXT_LIMIT)
    case_insensitive: bool = OMITTED


class FlagOut(Schema):
    id: int
    kind: str
    content: str
    case_insensitive: bool


class HintTextIn(PartialIn):
    title: str = Field(OMITTED, max_length=200)
    content: str = Field(..., max_length=TEXT_LIMIT)


class HintIn(PartialIn):
    translations: dict[str, HintTextIn] = Field(..., max_length=LANGUAGES_LIMIT)
    cost: int = OMITTED
    position: int | None = None


class HintUpdateIn(PartialIn):
    cost: int = OMITTED
    position: int = OMITTED
    translations: dict[str, HintTextIn] = Field(OMITTED, max_length=LANGUAGES_LIMIT)


class ManagedHintOut(Schema):
    id: int
    cost: int
    position: int
    texts: dict[str, dict[str, str]] = Field(..., description="title and content by language.")
    completeness: dict[str, TranslationStatusOut]


class ManagedChallengeSummaryOut(Schema):
    id: int
    category: str
    state: str
    publish_override_reason: str
    release_at: datetime | None
    function: str
    value: int
    minimum: int | None
    decay: int | None
    difficulty: int
    author: str
    max_attempts: int
    position: int
    texts: dict[str, ChallengeText]
    completeness: dict[str, TranslationStatusOut] = Field(..., description="Each language of the event.")
    tags: list[str]
    flags_count: int
    hints: list[ManagedHintOut]


class ManagedChallengeOut(ManagedChallengeSummaryOut):
    flags: list[FlagOut]
    attachments: list[AttachmentOut]
    prerequisite_ids: list[int]


# --- participants and teams --------------------------------------------------------------


class ManagedParticipantOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    country: str
    status: str
    team_id: int | None
    team_name: str | None
    joined_at: datetime


class ParticipantStatusIn(Schema):
    status: ParticipantStatus


class ParticipantMoveIn(Schema):
    team_id: ObjectId


class TeamVisibilityIn(Schema):
    hidden: bool | None = None
    banned: bool | None = None


class TeamBracketIn(Schema):
    bracket_id: ObjectId | None


class ManagedTeamOut(Schema):
    id: int
    name: str
    country_bracket: str
    bracket_id: int | None
    captain_id: int | None
    solo: bool
    hidden: bool
    banned: bool


# --- judging -----------------------------------------------------------------------------


class SubmissionFilter(Schema):
    result: SubmissionResult | None = None
    team_id: ObjectId | None = None
    challenge_id: ObjectId | None = None
    user_id: ObjectId | None = None
    before_id: ObjectId | None = Field(None, description="Older than this submission: the next page.")
    limit: int = Field(200, ge=1, le=1000)


class SubmissionOut(Schema):
    id: int
    challenge_id: int
    team_id: int
    team_name: str
    user_id: int
    username: str
    provided: str
    result: str
    source_address: str | None
    shared_from_team_id: int | None = Field(..., description="Whose generated flag was sent, if another team's.")
    shared_from_team_name: str | None
    created_at: datetime


class AwardIn(Schema):
    team_id: ObjectId
    value: int
    reason: str = Field(..., max_length=300)


class AwardOut(Schema):
    id: int
    team_id: int
    value: int
    reason: str
    created_by_id: int | None
    created_at: datetime


class AnnouncementTextIn(PartialIn):
    title: str = Field(OMITTED, max_length=200)
    body: str = Field(OMITTED, max_length=TEXT_LIMIT)


class AnnouncementIn(PartialIn):
    translations: dict[str, AnnouncementTextIn] = Field(..., max_length=LANGUAGES_LIMIT)
