"""Import of a CTFd 3.x export zip into a new event, in one transaction: all of it or nothing.

The standings afterwards are the ones CTFd showed: the same accounts excluded (hidden, banned), the
same challenge values (dynamic parameters from ``dynamic_challenge``, never the cached ``value``), the
same awards (hint costs once, as unlocks), the same times to the microsecond for the tie-breaks.
"""

import io
import json
import re
import stat
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email, validate_ipv46_address
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import Country
from kakehashi.accounts.hashers import CTFdBcryptSHA256PasswordHasher
from kakehashi.accounts.models import User
from kakehashi.audit.choices import Action
from kakehashi.ctf.brackets import country_bracket
from kakehashi.ctf.choices import ChallengeState, EventMode, FlagKind, ParticipantStatus, SubmissionResult
from kakehashi.ctf.interop.archive import MEMBER_READ_ERRORS
from kakehashi.ctf.models import (
    Announcement,
    AnnouncementTranslation,
    Award,
    Bracket,
    Challenge,
    Event,
    Hint,
    HintUnlock,
    Participant,
    Solve,
    Submission,
    Team,
)
from kakehashi.ctf.services import challenges as challenge_services
from kakehashi.ctf.services import events as event_services
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.pages import page_create
from kakehashi.ctf.services.topics import topic_add

Row = dict[str, Any]
Progress = Callable[[str, int, int], None]

MiB = 1024 * 1024
IMPORTED_TABLES = frozenset(
    {
        "alembic_version", "config", "brackets", "users", "teams", "challenges", "dynamic_challenge", "flags",
        "hints", "tags", "files", "submissions", "solves", "awards", "unlocks", "notifications", "pages",
        "topics", "challenge_topics",
    }
)  # fmt: skip
SKIPPED_TABLES = frozenset({"tokens", "tracking", "comments", "solutions"})
SUBMISSION_RESULTS = {
    "correct": SubmissionResult.CORRECT,
    "incorrect": SubmissionResult.INCORRECT,
    "ratelimited": SubmissionResult.RATE_LIMITED,
}
STATES = {"visible": ChallengeState.VISIBLE, "locked": ChallengeState.LOCKED}
VALUE_FUNCTIONS = frozenset({"static", "linear", "logarithmic"})
HINT_AWARD_WINDOW = timedelta(seconds=60)  # an unlock and the award CTFd makes for it share one request
BATCH = 1000


class CTFdImportError(Exception):
    """The export cannot be imported; the message says why, for the person running the import."""


@dataclass(frozen=True)
class ZipLimits:
    member_bytes: int = 200 * MiB
    total_bytes: int = 2048 * MiB
    members: int = 100_000


@dataclass
class ImportSummary:
    event: Event | None = None
    counts: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    tables_not_imported: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# --- the archive -----------------------------------------------------------------------------


def _unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
        return True
    return ".." in re.split(r"[\\/]", name)


class Export:
    """A checked CTFd export: every member name and size was vetted before anything is read."""

    def __init__(self, archive: zipfile.ZipFile, limits: ZipLimits) -> None:
        self.archive = archive
        self.limits = limits
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise CTFdImportError(
                _("The archive has too many files (more than %(limit)d).") % {"limit": limits.members}
            )
        total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}
        self._tables: dict[str, list[Row]] = {}
        for info in infos:
            if _unsafe_name(info.filename):
                raise CTFdImportError(_("Unsafe path in the archive: %(name)s") % {"name": info.filename})
            if stat.S_ISLNK(info.external_attr >> 16):
                raise CTFdImportError(_("The archive contains a symbolic link: %(name)s") % {"name": info.filename})
            if info.file_size > limits.member_bytes:
                message = _("%(name)s is larger than the limit of %(limit)d MiB.")
                raise CTFdImportError(message % {"name": info.filename, "limit": limits.member_bytes // MiB})
            total += info.file_size
            if total > limits.total_bytes:
                message = _("The archive unpacks to more than the limit of %(limit)d MiB.")
                raise CTFdImportError(message % {"limit": limits.total_bytes // MiB})
            if info.filename in self.members:
                raise CTFdImportError(_("The archive contains %(name)s twice.") % {"name": info.filename})
            if not info.is_dir():
                self.members[info.filename] = info
        if "db/alembic_version.json" not in self.members and "db/challenges.json" not in self.members:
            raise CTFdImportError(_("This is not a CTFd export: db/alembic_version.json is missing."))

    def read(self, name: str) -> bytes:
        info = self.members[name]
        try:
            with self.archive.open(info) as member:
                data = member.read(self.limits.member_bytes + 1)
        except MEMBER_READ_ERRORS:
            message = _("%(name)s cannot be read: it is damaged, encrypted or compressed in an unsupported way.")
            raise CTFdImportError(message % {"name": name}) from None
        if len(data) > self.limits.member_bytes:
            raise CTFdImportError(_("%(name)s is larger than it claims.") % {"name": name})
        return data

    def table_names(self) -> list[str]:
        names = [PurePosixPath(name) for name in self.members if name.startswith("db/") and name.endswith(".json")]
        return sorted(path.stem for path in names if len(path.parts) == 2)

    def table(self, name: str) -> list[Row]:
        """The rows of one table, parsed once."""
        if name not in self._tables:
            self._tables[name] = self._parse(name)
        return self._tables[name]

    def _parse(self, name: str) -> list[Row]:
        member = f"db/{name}.json"
        if member not in self.members:
            return []
        raw = self.read(member)
        if not raw.strip():
            return []  # CTFd writes an empty table as a zero-byte file
        try:
            document = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CTFdImportError(_("%(name)s is not valid JSON.") % {"name": member}) from None
        rows = document.get("results") if isinstance(document, dict) else document
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise CTFdImportError(_("%(name)s does not hold a list of rows.") % {"name": member})
        return rows


# --- values as CTFd writes them ------------------------------------------------------------


def _bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def _int(value: object, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(float(str(value)))
    except ValueError:
        return default


def _text(value: object, limit: int | None = None) -> str:
    text = "" if value is None else str(value)
    return text[:limit] if limit else text


def _date(value: object) -> datetime | None:
    """CTFd's naive UTC ISO dates, with or without microseconds, as aware datetimes."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise CTFdImportError(_("Unreadable date: %(value)s") % {"value": value}) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _unix(value: object) -> datetime | None:
    seconds = _int(value)
    return None if not seconds else datetime.fromtimestamp(seconds, UTC)


def _requirements(value: object) -> list[int]:
    """Prerequisite ids from a JSON object, or from the JSON string older exports hold."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            return []
    if not isinstance(value, dict):
        return []
    ids = (_int(item) for item in value.get("prerequisites") or [])
    return [item for item in ids if item is not None]


def _errors(error: ValidationError) -> str:
    return "; ".join(error.messages)


# --- the import --------------------------------------------------------------------------


@dataclass
class _State:
    export: Export
    event: Event
    organiser: User
    summary: ImportSummary
    progress: Progress
    users: dict[int, User] = field(default_factory=dict)
    user_teams: dict[int, Team] = field(default_factory=dict)  # CTFd user id → the team they score for
    teams: dict[int, Team] = field(default_factory=dict)  # CTFd team id (teams mode)
    brackets: dict[int, Bracket] = field(default_factory=dict)
    challenges: dict[int, Challenge] = field(default_factory=dict)
    hints: dict[int, Hint] = field(default_factory=dict)
    submissions: dict[int, Submission] = field(default_factory=dict)
    stored_files: list[str] = field(default_factory=list)
    team_names: set[str] = field(default_factory=set)

    def account(self, row: Row) -> Team | None:
        team_id, user_id = _int(row.get("team_id")), _int(row.get("user_id"))
        if self.event.is_team_mode and team_id in self.teams:
            return self.teams[team_id]
        return self.user_teams.get(user_id) if user_id is not None else None

    def unique_team_name(self, wanted: str, fallback: str) -> str:
        base = (wanted.strip() or fallback)[:80].strip()
        name, number = base, 1
        while name.lower() in self.team_names:
            number += 1
            name = f"{base[: 80 - len(str(number)) - 1]} {number}"
        self.team_names.add(name.lower())
        return name


def _quiet(done: str, count: int, total: int) -> None:
    return None


def ctfd_import(
    *,
    path: str | Path,
    organiser: User,
    slug: str = "",
    progress: Progress | None = None,
    limits: ZipLimits | None = None,
) -> ImportSummary:
    """Imports the export at ``path`` as a new event organised by ``organiser``; raises CTFdImportError."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise CTFdImportError(_("The file is not a readable zip archive: %(error)s") % {"error": error}) from None
    summary = ImportSummary()
    with archive:
        export = Export(archive, limits or ZipLimits())
        state: _State | None = None
        try:
            with transaction.atomic():
                state = _State(export, _event(export, organiser, slug, summary), organiser, summary, progress or _quiet)
                _run(state)
                recording.record(
                    action=Action.IMPORT_CTFD, actor=None, target=state.event, event_id=state.event.pk,
                    after={"file": Path(path).name, "organiser": organiser.username, "counts": dict(summary.counts)},
                )  # fmt: skip
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
            _forget_files(state)
            raise CTFdImportError(_("The archive is damaged: %(error)s") % {"error": error}) from None
        except ValidationError as error:
            _forget_files(state)
            raise CTFdImportError(_("The export could not be stored: %(error)s") % {"error": _errors(error)}) from None
        except BaseException:
            _forget_files(state)
            raise
    summary.event = state.event
    return summary


def _forget_files(state: "_State | None") -> None:
    """Attachments are written to storage as the import goes: remove them when it is rolled back."""
    for name in state.stored_files if state else []:
        default_storage.delete(name)


def _run(state: _State) -> None:
    known = IMPORTED_TABLES | SKIPPED_TABLES
    for name in state.export.table_names():
        if name not in IMPORTED_TABLES:
            state.summary.tables_not_imported[name] = len(state.export.table(name))
    unknown = sorted(set(state.summary.tables_not_imported) - known)
    if unknown:
        state.summary.warnings.append(_("Unknown tables not imported: %(names)s") % {"names": ", ".join(unknown)})
    _brackets(state)
    _accounts(state)
    _challenges(state)
    _topics(state)
    _play(state)
    _awards_and_unlocks(state)
    _notifications(state)
    _pages(state)


def _config(export: Export) -> dict[str, Any]:
    return {_text(row.get("key")): row.get("value") for row in export.table("config")}


def _activity_times(export: Export) -> list[datetime]:
    times = [_date(row.get("date")) for table in ("submissions", "awards", "unlocks") for row in export.table(table)]
    return [time for time in times if time is not None]


def _event(export: Export, organiser: User, slug: str, summary: ImportSummary) -> Event:
    config = _config(export)
    name = _text(config.get("ctf_name")).strip()[:200] or _("CTFd import")
    slug = slug or slugify(name)[:64] or "ctfd-import"
    if Event.objects.filter(slug=slug).exists():
        message = _("An event with the short name %(slug)s already exists: choose another with --event.")
        raise CTFdImportError(message % {"slug": slug})
    activity = _activity_times(export)
    starts_at = _unix(config.get("start")) or (min(activity) if activity else timezone.now())
    ends_at = _unix(config.get("end")) or max([*activity, starts_at]) + timedelta(seconds=1)
    if ends_at <= starts_at:
        summary.warnings.append(_("The end was not after the start; it was moved to one day after the start."))
        ends_at = starts_at + timedelta(days=1)
    freeze_at = _unix(config.get("freeze"))
    if freeze_at is not None and freeze_at > ends_at:
        summary.warnings.append(_("The freeze came after the end and hid nothing; it was left out."))
        freeze_at = None
    elif freeze_at is not None and freeze_at < starts_at:
        summary.warnings.append(_("The freeze came before the start; it was moved to the start."))
        freeze_at = starts_at
    mode = EventMode.TEAM if _text(config.get("user_mode")) == "teams" else EventMode.INDIVIDUAL
    event = event_services.event_create(
        creator=organiser,
        slug=slug,
        names={"en": name},
        starts_at=starts_at,
        ends_at=ends_at,
        freeze_at=freeze_at,
        mode=mode,
        team_size_limit=_int(config.get("team_size")) or None,
        wrong_attempts_per_minute=min(_int(config.get("incorrect_submissions_per_min"), 10) or 10, 32767),
    )
    if _bool(config.get("paused")):
        event_services.event_set_paused(event=event, paused=True)
    return event


def _brackets(state: _State) -> None:
    taken: set[str] = set()
    for row in state.export.table("brackets"):
        name = _text(row.get("name"), 120).strip() or f"bracket {row.get('id')}"
        slug = slugify(name)[:60] or "bracket"
        while slug in taken:
            slug = f"{slug[:56]}-{len(taken)}"
        taken.add(slug)
        bracket = event_services.bracket_create(
            event=state.event, slug=slug, names={"en": name}, descriptions={"en": _text(row.get("description"))}
        )
        state.brackets[_int(row.get("id"), 0) or 0] = bracket
        state.summary.counts["brackets"] += 1


def _username(name: str, ctfd_id: int, taken: set[str]) -> str:
    base = re.sub(r"[^\w.@+-]", "_", name.strip())[:140] or f"ctfd-user-{ctfd_id}"
    candidate, number = base, 1
    while candidate.lower() in taken or User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate.lower())
    return candidate


def _password(original: object) -> str | None:
    text = _text(original)
    if text.startswith(("$bcrypt-sha256$", "$2a$", "$2b$", "$2y$")):
        return f"{CTFdBcryptSHA256PasswordHasher.algorithm}${text}"
    return None


def _email(state: _State, value: object, seen: set[str]) -> str:
    email = _text(value).strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return ""
    if email in seen or User.objects.filter(email__iexact=email).exists():
        state.summary.skipped[_("e-mail addresses already in use")] += 1
        return ""
    seen.add(email)
    return email


def _accounts(state: _State) -> None:
    rows = state.export.table("users")
    taken: set[str] = set()
    emails: set[str] = set()
    team_rows = {(_int(row.get("id"), 0) or 0): row for row in state.export.table("teams")}
    renamed = 0
    for index, row in enumerate(rows, start=1):
        ctfd_id = _int(row.get("id"), 0) or 0
        name = _text(row.get("name")).strip()
        user = User(
            username=_username(name, ctfd_id, taken),
            display_name=name[:80],
            email=_email(state, row.get("email"), emails),
            country=_text(row.get("country")).upper() if _text(row.get("country")).upper() in Country.values else "XX",
            date_joined=_date(row.get("created")) or timezone.now(),
        )
        renamed += user.username != name
        password = _password(row.get("password"))
        if password is None:
            user.set_unusable_password()
            state.summary.skipped[_("users without a usable password")] += 1
        else:
            user.password = password
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
        user.save()
        state.users[ctfd_id] = user
        if _text(row.get("type")) == "admin":
            state.summary.skipped[_("CTFd administrators imported as participants")] += 1
        banned = _bool(row.get("banned"))
        participant = Participant(
            event=state.event,
            user=user,
            status=ParticipantStatus.BANNED if banned else ParticipantStatus.APPROVED,
        )
        if not state.event.is_team_mode:
            participant.team = _team(state, row, name or user.username, captain=user)
            state.user_teams[ctfd_id] = participant.team
        participant.save()
        state.summary.counts["users"] += 1
        state.progress("users", index, len(rows))
    if renamed:
        message = _("%(count)d user names were changed to fit the allowed characters or to be unique.")
        state.summary.warnings.append(message % {"count": renamed})
    if state.event.is_team_mode:
        _teams(state, team_rows, rows)


def _team(state: _State, row: Row, name: str, *, captain: User | None) -> Team:
    bracket = state.brackets.get(_int(row.get("bracket_id"), 0) or 0)
    team = Team(
        event=state.event,
        name=state.unique_team_name(name, f"team {row.get('id')}"),
        captain=captain,
        solo=not state.event.is_team_mode,
        hidden=_bool(row.get("hidden")),
        banned=_bool(row.get("banned")),
        bracket=bracket,
        country_bracket=country_bracket([captain.country] if captain else []),
    )
    team.full_clean(exclude=["invite_code"], validate_constraints=False)
    team.save()
    state.summary.counts["teams"] += 1
    return team


def _teams(state: _State, team_rows: Mapping[int, Row], user_rows: list[Row]) -> None:
    members: dict[int, list[int]] = defaultdict(list)
    for row in user_rows:
        team_id = _int(row.get("team_id"))
        if team_id is not None and team_id in team_rows:
            members[team_id].append(_int(row.get("id"), 0) or 0)
    for index, (team_id, row) in enumerate(team_rows.items(), start=1):
        captain = state.users.get(_int(row.get("captain_id"), 0) or 0)
        team = _team(state, row, _text(row.get("name")), captain=captain)
        state.teams[team_id] = team
        for user_id in members[team_id]:
            state.user_teams[user_id] = team
        Participant.objects.filter(event=state.event, user_id__in=[state.users[u].pk for u in members[team_id]]).update(
            team=team
        )
        team.country_bracket = country_bracket(state.users[u].country for u in members[team_id])
        team.save(update_fields=["country_bracket"])
        state.progress("teams", index, len(team_rows))


def _dynamic_rule(row: Row, dynamic: Row | None) -> tuple[str, int, int | None, int | None]:
    """(function, initial, minimum, decay): ``dynamic_challenge`` first, then the 3.8 columns, else static."""
    for source, prefix in ((dynamic, "dynamic_"), (dynamic, ""), (row, "")):
        if source is None or _int(source.get(f"{prefix}initial")) is None:
            continue
        function = _text(source.get(f"{prefix}function")) or "logarithmic"
        if function not in VALUE_FUNCTIONS - {"static"}:
            function = "logarithmic"
        initial = _int(source.get(f"{prefix}initial"), 0) or 0
        minimum = min(_int(source.get(f"{prefix}minimum"), 0) or 0, initial)
        return function, initial, minimum, max(_int(source.get(f"{prefix}decay"), 0) or 0, 0)
    return "static", max(_int(row.get("value"), 0) or 0, 0), None, None


def _challenges(state: _State) -> None:
    export = state.export
    dynamic = {_int(row.get("id"), 0): row for row in export.table("dynamic_challenge")}
    rows = sorted(export.table("challenges"), key=lambda row: (_int(row.get("position"), 0), _int(row.get("id"), 0)))
    tags: dict[int, list[str]] = defaultdict(list)
    for tag in export.table("tags"):
        tags[_int(tag.get("challenge_id"), 0) or 0].append(_text(tag.get("value"), 64))
    reason = _("Imported from CTFd, in English only.")
    for index, row in enumerate(rows, start=1):
        ctfd_id = _int(row.get("id"), 0) or 0
        kind = _text(row.get("type")) or "standard"
        if kind == "dynamic" or (kind == "standard" and _text(row.get("function")) in {"linear", "logarithmic"}):
            function, value, minimum, decay = _dynamic_rule(row, dynamic.get(ctfd_id))
        else:
            if kind != "standard":
                state.summary.skipped[_("plugin challenges imported with a fixed value")] += 1
            function, value, minimum, decay = "static", max(_int(row.get("value"), 0) or 0, 0), None, None
        challenge = challenge_services.challenge_create(
            event=state.event,
            category=_text(row.get("category"), 64) or "misc",
            value=value,
            function=function,
            minimum=minimum,
            decay=decay,
            author=_text(row.get("attribution"), 120),
            translations={
                "en": {
                    "title": _text(row.get("name"), 200).strip() or f"challenge {ctfd_id}",
                    "description": _text(row.get("description")),
                    "connection_info": _text(row.get("connection_info")),
                }
            },
            tags=tags[ctfd_id],
            max_attempts=max(_int(row.get("max_attempts"), 0) or 0, 0),
            position=index,
            release_at=_date(row.get("scheduled_at")),
        )
        state.challenges[ctfd_id] = challenge
        _flags_hints_files(state, ctfd_id, challenge)
        state_name = STATES.get(_text(row.get("state")))
        if state_name:
            challenge_services.challenge_publish(challenge=challenge, state=state_name, override_reason=reason)
        state.summary.counts["challenges"] += 1
        state.progress("challenges", index, len(rows))
    for row in rows:
        wanted = [state.challenges[i] for i in _requirements(row.get("requirements")) if i in state.challenges]
        if wanted:
            challenge = state.challenges[_int(row.get("id"), 0) or 0]
            challenge_services.prerequisites_set(challenge=challenge, prerequisites=wanted)
            state.summary.counts["prerequisites"] += len(wanted)


def _rows_of(state: _State, table: str, challenge_id: int) -> Iterator[Row]:
    return (row for row in state.export.table(table) if _int(row.get("challenge_id")) == challenge_id)


def _flags_hints_files(state: _State, ctfd_id: int, challenge: Challenge) -> None:
    for row in _rows_of(state, "flags", ctfd_id):
        kind = FlagKind.REGEX if _text(row.get("type")) == "regex" else FlagKind.STATIC
        try:
            challenge_services.flag_create(
                challenge=challenge,
                kind=kind,
                content=_text(row.get("content")),
                case_insensitive=_text(row.get("data")) == "case_insensitive",
            )
        except ValidationError as error:
            message = _("Flag %(id)s of challenge %(challenge)s: %(error)s")
            raise CTFdImportError(
                message % {"id": row.get("id"), "challenge": ctfd_id, "error": _errors(error)}
            ) from None
        state.summary.counts["flags"] += 1
    for row in sorted(_rows_of(state, "hints", ctfd_id), key=lambda row: _int(row.get("id"), 0) or 0):
        content = _text(row.get("content")).strip() or _text(row.get("title")).strip() or "-"
        hint = challenge_services.hint_create(
            challenge=challenge,
            translations={"en": {"title": _text(row.get("title"), 200), "content": content}},
            cost=max(_int(row.get("cost"), 0) or 0, 0),
        )
        state.hints[_int(row.get("id"), 0) or 0] = hint
        state.summary.counts["hints"] += 1
    for row in _rows_of(state, "files", ctfd_id):
        location = _text(row.get("location"))
        member = f"uploads/{location}"
        if member not in state.export.members:
            state.summary.skipped[_("files missing from the archive")] += 1
            continue
        attachment = challenge_services.attachment_add(
            challenge=challenge, name=PurePosixPath(location).name, content=io.BytesIO(state.export.read(member))
        )
        state.stored_files.append(attachment.file.name or "")
        state.summary.counts["files"] += 1


def _play(state: _State) -> None:
    rows = sorted(state.export.table("submissions"), key=lambda row: _int(row.get("id"), 0) or 0)
    pending: list[tuple[int, Submission]] = []
    for index, row in enumerate(rows, start=1):
        challenge = state.challenges.get(_int(row.get("challenge_id"), 0) or 0)
        team, user = state.account(row), state.users.get(_int(row.get("user_id"), 0) or 0)
        created_at = _date(row.get("date"))
        if challenge is None or team is None or user is None or created_at is None:
            state.summary.skipped[_("submissions without challenge, account or date")] += 1
            continue
        kind = _text(row.get("type"))
        if kind not in SUBMISSION_RESULTS:
            state.summary.skipped[_("submissions of type %(type)s stored as incorrect") % {"type": kind or "?"}] += 1
        address: str | None = _text(row.get("ip")).strip()
        try:
            validate_ipv46_address(address or "")
        except ValidationError:
            address = None
        submission = Submission(
            event=state.event,
            challenge=challenge,
            team=team,
            user=user,
            provided=_text(row.get("provided"), 1000),
            result=SUBMISSION_RESULTS.get(kind, SubmissionResult.INCORRECT),
            source_address=address,
            created_at=created_at,
        )
        pending.append((_int(row.get("id"), 0) or 0, submission))
        if len(pending) >= BATCH:
            _store_submissions(state, pending)
            pending = []
            state.progress("submissions", index, len(rows))
    _store_submissions(state, pending)
    state.progress("submissions", len(rows), len(rows))
    _solves(state)


def _store_submissions(state: _State, pending: list[tuple[int, Submission]]) -> None:
    Submission.objects.bulk_create([submission for _ctfd_id, submission in pending])
    state.submissions.update(pending)
    state.summary.counts["submissions"] += len(pending)


def _solves(state: _State) -> None:
    rows = state.export.table("solves")
    seen: set[tuple[int, int]] = set()
    solves: list[Solve] = []
    for row in rows:
        submission = state.submissions.get(_int(row.get("id"), 0) or 0)
        if submission is None:
            state.summary.skipped[_("solves without their submission")] += 1
            continue
        key = (submission.challenge_id, submission.team_id)
        if key in seen:
            state.summary.skipped[_("repeated solves")] += 1
            continue
        seen.add(key)
        submission.result = SubmissionResult.CORRECT
        submission.save(update_fields=["result"])
        solves.append(
            Solve(
                challenge_id=submission.challenge_id,
                team_id=submission.team_id,
                user_id=submission.user_id,
                submission=submission,
                created_at=submission.created_at,
            )
        )
    Solve.objects.bulk_create(solves, batch_size=BATCH)
    state.summary.counts["solves"] += len(solves)
    state.progress("solves", len(rows), len(rows))


def _awards_and_unlocks(state: _State) -> None:
    hint_awards: dict[int, list[tuple[datetime, int]]] = defaultdict(list)  # team pk → (date, value)
    awards: list[Award] = []
    for row in state.export.table("awards"):
        team, created_at, value = state.account(row), _date(row.get("date")), _int(row.get("value"), 0) or 0
        if team is None or created_at is None:
            state.summary.skipped[_("awards without account or date")] += 1
        elif _text(row.get("type")) == "hint":
            hint_awards[team.pk].append((created_at, value))
        elif value == 0:
            state.summary.skipped[_("awards of zero points")] += 1
        else:
            reason = _text(row.get("name")).strip() or _text(row.get("description")).strip()
            awards.append(
                Award(
                    event=state.event,
                    team=team,
                    value=value,
                    reason=(reason or _("Award imported from CTFd"))[:300],
                    created_by=state.organiser,
                    created_at=created_at,
                )
            )
    unlocks, unmatched = _unlocks(state, hint_awards)
    for team_pk, remaining in hint_awards.items():
        for created_at, value in remaining:  # a hint award whose unlock is gone still counted in CTFd
            if value:
                reason = _("Hint (imported from CTFd)")
                awards.append(
                    Award(event=state.event, team_id=team_pk, value=value, reason=reason, created_at=created_at)
                )
    Award.objects.bulk_create(awards, batch_size=BATCH)
    HintUnlock.objects.bulk_create(unlocks, batch_size=BATCH)
    state.summary.counts["awards"] += len(awards)
    state.summary.counts["hint unlocks"] += len(unlocks)
    if unmatched:
        message = _("%(count)d hint unlocks had no hint award in CTFd; they were charged the hint's cost.")
        state.summary.warnings.append(message % {"count": unmatched})


def _unlocks(state: _State, hint_awards: dict[int, list[tuple[datetime, int]]]) -> tuple[list[HintUnlock], int]:
    """Unlocks of hints, each paying what CTFd's award for it took (its time too), else the hint's cost."""
    unlocks: list[HintUnlock] = []
    seen: set[tuple[int, int]] = set()
    unmatched = 0
    rows = sorted(state.export.table("unlocks"), key=lambda row: (_text(row.get("date")), _int(row.get("id"), 0)))
    for row in rows:
        if _text(row.get("type")) not in ("hints", ""):
            state.summary.skipped[_("unlocks of solutions")] += 1
            continue
        hint, team = state.hints.get(_int(row.get("target"), 0) or 0), state.account(row)
        user = state.users.get(_int(row.get("user_id"), 0) or 0) or (team.captain if team else None)
        unlocked_at = _date(row.get("date"))
        if hint is None or team is None or user is None or unlocked_at is None or (hint.pk, team.pk) in seen:
            state.summary.skipped[_("unlocks without hint, account or date, or repeated")] += 1
            continue
        seen.add((hint.pk, team.pk))
        created_at, cost, candidates = unlocked_at, hint.cost, hint_awards.get(team.pk, [])
        near = [item for item in candidates if abs(item[0] - unlocked_at) <= HINT_AWARD_WINDOW]
        if near:
            match = min(near, key=lambda item: (item[1] != -hint.cost, abs(item[0] - created_at)))
            candidates.remove(match)
            created_at, cost = match[0], max(-match[1], 0)
        else:
            unmatched += 1
        unlocks.append(HintUnlock(hint=hint, team=team, user=user, cost=cost, created_at=created_at))
    return unlocks, unmatched


def _notifications(state: _State) -> None:
    for row in state.export.table("notifications"):
        title = _text(row.get("title"), 200).strip() or _("Announcement")
        body = _text(row.get("content")).strip() or title
        announcement = Announcement.objects.create(
            event=state.event, author=state.organiser, created_at=_date(row.get("date")) or timezone.now()
        )
        text = AnnouncementTranslation(announcement=announcement, language_code="en", title=title, body=body)
        text.full_clean(exclude=["announcement"])
        text.save()
        state.summary.counts["announcements"] += 1


def _pages(state: _State) -> None:
    """CTFd's pages become the event's pages, in English; drafts and hidden ones stay hidden."""
    taken: set[str] = set()
    for row in sorted(state.export.table("pages"), key=lambda r: _int(r.get("id"), 0) or 0):
        route = slugify(_text(row.get("route"))) or f"page-{_int(row.get('id'), 0)}"
        base, number = route[:120], 2
        while route in taken:
            route, number = f"{base}-{number}", number + 1
        taken.add(route)
        title = _text(row.get("title"), 200).strip() or route
        page_create(
            event=state.event,
            route=route,
            translations={"en": {"title": title, "content": _text(row.get("content"))}},
            format="html" if _text(row.get("format")).strip().lower() == "html" else "markdown",
            hidden=_bool(row.get("hidden")) or _bool(row.get("draft")),
            auth_required=_bool(row.get("auth_required")),
        )
        state.summary.counts["pages"] += 1


def _topics(state: _State) -> None:
    """CTFd's topics (organisers' classification of challenges) onto their challenges."""
    values = {_int(row.get("id")): _text(row.get("value"), 255).strip() for row in state.export.table("topics")}
    for row in state.export.table("challenge_topics"):
        challenge = state.challenges.get(_int(row.get("challenge_id"), -1) or -1)
        value = values.get(_int(row.get("topic_id")))
        if challenge is None or not value:
            state.summary.skipped[_("topics without their challenge")] += 1
            continue
        topic_add(challenge=challenge, value=value)
        state.summary.counts["topics"] += 1
