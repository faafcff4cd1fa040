"""Lossless event archives: one zip holding an event, its content in every language and its history.

Layout::

    kakehashi.json     {"format": "kakehashi-event", "version": 1, "event": …, "challenges": …, …}
    files/<sha256>     each attachment's bytes, once per content

Database ids never appear: challenges, hints, teams and submissions are referenced as ``c1``,
``c1/h2``, ``t3``, ``s4`` (their order in the archive), brackets by short name and users by user
name. Password hashes and e-mail addresses are written only when asked (``include_accounts``).
"""

import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.audit.choices import Action
from kakehashi.core.models import Translatable
from kakehashi.ctf.models import (
    Announcement,
    Attachment,
    Award,
    Bracket,
    Challenge,
    ChallengeTag,
    ChallengeTranslation,
    Event,
    EventStaff,
    Flag,
    Hint,
    HintUnlock,
    Participant,
    Solve,
    Submission,
    Team,
)
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.challenges import DEFAULT_MAX_ATTACHMENT_BYTES
from kakehashi.ctf.services.standings import board_changed, standings_changed

FORMAT = "kakehashi-event"
VERSION = 1
MANIFEST = "kakehashi.json"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
# What reading one member of a zip may raise besides a short read: a bad CRC or header (BadZipFile),
# a damaged deflate stream (zlib.error), encryption (RuntimeError), an unknown method (NotImplementedError).
MEMBER_READ_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    EOFError,
    OSError,
)
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
FILE_MEMBER = re.compile(r"files/[0-9a-f]{64}")

PROFILE_FIELDS = ("display_name", "preferred_language", "country", "time_zone")
EVENT_FIELDS = (
    "languages",
    "paused",
    "mode",
    "team_size_limit",
    "registration",
    "invite_code",
    "allowed_email_domains",
    "scoreboard_visibility",
    "wrong_attempts_per_minute",
    "blood_bonuses",
    "flag_secret",
    "generated_flag_format",
)
CHALLENGE_FIELDS = (
    "category",
    "difficulty",
    "author",
    "state",
    "function",
    "value",
    "minimum",
    "decay",
    "max_attempts",
    "position",
    "publish_override_reason",
)


# --- Export ------------------------------------------------------------------------------------


def _time(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _texts(item: Translatable) -> dict[str, dict[str, str]]:
    """Every language of an object's authored text."""
    rows = sorted(item.translation_map().items())
    return {code: {name: str(getattr(row, name)) for name in item.translated_fields} for code, row in rows}


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


@dataclass
class _Refs:
    """Stable references of one archive, and the users it mentions."""

    challenges: dict[int, str] = field(default_factory=dict)
    hints: dict[int, str] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)
    submissions: dict[int, str] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def user(self, user: User | None) -> str | None:
        if user is not None:
            self.users[user.username] = user
        return _username(user)


def _challenge_document(challenge: Challenge, refs: _Refs, files: dict[str, Attachment]) -> dict[str, Any]:
    document: dict[str, Any] = {"ref": refs.challenges[challenge.pk]}
    document.update({name: getattr(challenge, name) for name in CHALLENGE_FIELDS})
    document["release_at"] = _time(challenge.release_at)
    document["created_at"] = _time(challenge.created_at)
    document["updated_at"] = _time(challenge.updated_at)
    document["translations"] = _texts(challenge)
    document["flags"] = [
        {"kind": flag.kind, "content": flag.content, "case_insensitive": flag.case_insensitive}
        for flag in sorted(challenge.flags.all(), key=lambda flag: flag.pk)
    ]
    document["hints"] = [
        {"ref": refs.hints[hint.pk], "cost": hint.cost, "position": hint.position, "translations": _texts(hint)}
        for hint in sorted(challenge.hints.all(), key=lambda hint: hint.pk)
    ]
    document["tags"] = [tag.value for tag in sorted(challenge.tags.all(), key=lambda tag: tag.pk)]
    document["prerequisites"] = sorted(refs.challenges[pre.pk] for pre in challenge.prerequisites.all())
    attachments = sorted(challenge.attachments.all(), key=lambda attachment: attachment.pk)
    for attachment in attachments:
        files.setdefault(attachment.sha256, attachment)
    document["attachments"] = [
        {"name": a.name, "sha256": a.sha256, "size": a.size, "created_at": _time(a.created_at)} for a in attachments
    ]
    return document


def _history(event: Event, refs: _Refs) -> dict[str, Any]:
    submissions = Submission.objects.filter(event=event).select_related("user").order_by("id")
    refs.submissions = {row.pk: f"s{index}" for index, row in enumerate(submissions, start=1)}
    return {
        "submissions": [
            {
                "ref": refs.submissions[row.pk],
                "challenge": refs.challenges[row.challenge_id],
                "team": refs.teams[row.team_id],
                "user": refs.user(row.user),
                "provided": row.provided,
                "result": row.result,
                "source_address": row.source_address,
                "shared_from": refs.teams.get(row.shared_from_id) if row.shared_from_id else None,
                "created_at": _time(row.created_at),
            }
            for row in submissions
        ],
        "solves": [
            {
                "submission": refs.submissions[row.submission_id],
                "challenge": refs.challenges[row.challenge_id],
                "team": refs.teams[row.team_id],
                "user": refs.user(row.user),
                "created_at": _time(row.created_at),
            }
            for row in Solve.objects.filter(challenge__event=event).select_related("user").order_by("id")
        ],
        "hint_unlocks": [
            {
                "hint": refs.hints[row.hint_id],
                "team": refs.teams[row.team_id],
                "user": refs.user(row.user),
                "cost": row.cost,
                "created_at": _time(row.created_at),
            }
            for row in HintUnlock.objects.filter(hint__challenge__event=event).select_related("user").order_by("id")
        ],
        "awards": [
            {
                "team": refs.teams[row.team_id],
                "value": row.value,
                "reason": row.reason,
                "created_by": refs.user(row.created_by),
                "created_at": _time(row.created_at),
            }
            for row in Award.objects.filter(event=event).select_related("created_by").order_by("id")
        ],
        "announcements": [
            {"author": refs.user(row.author), "created_at": _time(row.created_at), "translations": _texts(row)}
            for row in Announcement.objects.filter(event=event)
            .select_related("author")
            .prefetch_related("translations")
            .order_by("id")
        ],
    }


def _user_document(user: User, *, include_accounts: bool) -> dict[str, Any]:
    document: dict[str, Any] = {"username": user.username}
    document.update({name: getattr(user, name) for name in PROFILE_FIELDS})
    if include_accounts:
        document.update(email=user.email, password=user.password, is_active=user.is_active)
    return document


def export_document(event: Event, *, include_accounts: bool = False) -> tuple[dict[str, Any], dict[str, Attachment]]:
    """The archive's JSON document and the attachments whose files go with it, by SHA-256."""
    refs = _Refs()
    challenges = list(
        Challenge.objects.filter(event=event)
        .prefetch_related("translations", "flags", "hints__translations", "tags", "prerequisites", "attachments")
        .order_by("id")
    )
    refs.challenges = {challenge.pk: f"c{index}" for index, challenge in enumerate(challenges, start=1)}
    for challenge in challenges:
        for index, hint in enumerate(sorted(challenge.hints.all(), key=lambda hint: hint.pk), start=1):
            refs.hints[hint.pk] = f"{refs.challenges[challenge.pk]}/h{index}"
    teams = list(Team.objects.filter(event=event).select_related("captain", "bracket").order_by("id"))
    refs.teams = {team.pk: f"t{index}" for index, team in enumerate(teams, start=1)}
    files: dict[str, Attachment] = {}
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    document["event"] = {
        "slug": event.slug,
        **{name: getattr(event, name) for name in EVENT_FIELDS},
        "starts_at": _time(event.starts_at),
        "ends_at": _time(event.ends_at),
        "freeze_at": _time(event.freeze_at),
        "created_at": _time(event.created_at),
        "translations": _texts(event),
    }
    document["staff"] = [
        {"user": refs.user(row.user), "role": row.role}
        for row in EventStaff.objects.filter(event=event).select_related("user").order_by("user__username")
    ]
    document["brackets"] = [
        {"slug": bracket.slug, "translations": _texts(bracket)}
        for bracket in Bracket.objects.filter(event=event).prefetch_related("translations").order_by("slug")
    ]
    document["challenges"] = [_challenge_document(challenge, refs, files) for challenge in challenges]
    document["teams"] = [
        {
            "ref": refs.teams[team.pk],
            "name": team.name,
            "invite_code": team.invite_code,
            "captain": refs.user(team.captain),
            "country_bracket": team.country_bracket,
            "bracket": team.bracket.slug if team.bracket is not None else None,
            "solo": team.solo,
            "hidden": team.hidden,
            "banned": team.banned,
            "created_at": _time(team.created_at),
        }
        for team in teams
    ]
    document["participants"] = [
        {
            "user": refs.user(row.user),
            "team": refs.teams[row.team_id] if row.team_id else None,
            "status": row.status,
            "joined_at": _time(row.joined_at),
        }
        for row in Participant.objects.filter(event=event).select_related("user").order_by("user__username")
    ]
    document.update(_history(event, refs))
    document["users"] = [
        _user_document(user, include_accounts=include_accounts) for _name, user in sorted(refs.users.items())
    ]
    return document, files


def export_event(event: Event, *, include_accounts: bool = False) -> bytes:
    """The event as a zip archive (see the module's description)."""
    document, files = export_document(event, include_accounts=include_accounts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        manifest = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
        archive.writestr(MANIFEST, manifest.encode())
        for digest, attachment in sorted(files.items()):
            with attachment.file.open("rb") as content, archive.open(f"files/{digest}", "w") as target:
                while chunk := content.read(1024 * 1024):
                    target.write(chunk)
    data = buffer.getvalue()
    recording.record(
        action=Action.EXPORT_ARCHIVE, actor=None, target=event, event_id=event.pk,
        after={"include_accounts": include_accounts, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
    )  # fmt: skip
    return data


# --- Reading an archive safely ------------------------------------------------------------------


def _damaged(message: str, code: str = "invalid_archive") -> ValidationError:
    return ValidationError(message, code=code)


def read_archive(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and the files of an archive, after every safety check; nothing is stored."""
    manifest, files = _unpack(data)
    try:
        document = json.loads(manifest)
    except ValueError:
        raise _damaged(_("The archive's kakehashi.json is not valid JSON.")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _damaged(_("This is not a Kakehashi event archive."))
    if document.get("version") != VERSION:
        raise _damaged(_("This archive's format version is not supported."), "unsupported_version")
    return document, files


def _unpack(data: bytes) -> tuple[bytes, dict[str, bytes]]:
    """The manifest's bytes and the files by SHA-256; checks paths, sizes and checksums."""
    file_limit: int = getattr(settings, "KAKEHASHI_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _damaged(_("This is not a zip archive.")) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS or sum(member.file_size for member in members) > MAX_TOTAL_BYTES:
            raise _damaged(_("The archive is too large."), "archive_too_large")
        if len({member.filename for member in members}) != len(members):
            raise _damaged(_("The archive contains the same file twice."), "duplicate_member")
        files: dict[str, bytes] = {}
        manifest: bytes | None = None
        for member in members:
            name = member.filename
            if name.startswith(("/", "\\")) or ".." in name.split("/") or "\\" in name or ":" in name:
                raise _damaged(_("The archive contains an unsafe path."), "unsafe_path")
            if member.is_dir():
                continue
            if name == MANIFEST:
                manifest = _read_member(archive, member, MAX_MANIFEST_BYTES)
            elif FILE_MEMBER.fullmatch(name):
                content = _read_member(archive, member, file_limit)
                if hashlib.sha256(content).hexdigest() != name.removeprefix("files/"):
                    raise _damaged(_("A file in the archive does not match its checksum."), "checksum_mismatch")
                files[name.removeprefix("files/")] = content
            else:
                raise _damaged(_("The archive contains an unexpected file."), "unexpected_member")
    if manifest is None:
        raise _damaged(_("The archive has no kakehashi.json."))
    return manifest, files


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, refusing more than ``limit`` whatever its header claims."""
    if member.file_size > limit:
        raise _damaged(_("A file in the archive is larger than the limit."), "archive_too_large")
    try:
        with archive.open(member) as source:
            content = source.read(limit + 1)
    except MEMBER_READ_ERRORS:
        message = _(
            "A file in the archive cannot be read: it is damaged, encrypted or compressed in an unsupported way."
        )
        raise _damaged(message, "damaged_member") from None
    if len(content) > limit:
        raise _damaged(_("A file in the archive is larger than the limit."), "archive_too_large")
    return content


# --- Import --------------------------------------------------------------------------------------


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment


def _required_moment(value: Any) -> datetime:
    moment = _moment(value)
    if moment is None:
        raise ValueError("missing datetime")
    return moment


def _write_texts(item: Translatable, texts: dict[str, dict[str, str]], parent: str) -> None:
    manager = item.translations  # type: ignore[attr-defined]
    for language_code, values in sorted(texts.items()):
        row = manager.model(**{parent: item}, language_code=language_code, **values)
        row.full_clean()
        row.save()


def _restamp(model: type[models.Model], pk: int, **moments: Any) -> None:
    """Restore times that ``auto_now``/``auto_now_add`` would overwrite on save."""
    values = {name: _moment(value) for name, value in moments.items() if value is not None}
    if values:
        model._default_manager.filter(pk=pk).update(**values)


@dataclass
class ImportResult:
    event: Event
    created: list[str] = field(default_factory=list)  # English titles of the challenges added
    skipped: list[str] = field(default_factory=list)  # already present (merge) and left alone


@dataclass
class _Restorer:
    event: Event
    files: dict[str, bytes]
    profiles: dict[str, dict[str, Any]]
    stored: list[str]
    users: dict[str, User] = field(default_factory=dict)
    challenges: dict[str, Challenge] = field(default_factory=dict)
    hints: dict[str, Hint] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    brackets: dict[str, Bracket] = field(default_factory=dict)

    def user(self, username: str | None) -> User | None:
        """The account named ``username``; created inactive, without a usable password, if missing."""
        if username is None:
            return None
        if username not in self.users:
            found = User.objects.filter(username__iexact=username).first()
            self.users[username] = found or self._create_user(username)
        return self.users[username]

    def required_user(self, username: str) -> User:
        user = self.user(username)
        assert user is not None
        return user

    def _create_user(self, username: str) -> User:
        profile = self.profiles.get(username, {})
        user = User(username=username, is_active=False)
        for name in PROFILE_FIELDS:
            if name in profile:
                setattr(user, name, profile[name])
        email = profile.get("email") or ""
        if email and not User.objects.filter(email__iexact=email).exists():
            user.email = email
        user.password = profile.get("password") or make_password(None)
        user.is_active = bool(profile.get("is_active", False)) and user.has_usable_password()
        user.full_clean(exclude=["password"])
        user.save()
        return user

    def challenge(self, document: dict[str, Any], *, state: str | None = None) -> Challenge:
        challenge = Challenge(event=self.event, release_at=_moment(document["release_at"]))
        for name in CHALLENGE_FIELDS:
            setattr(challenge, name, document[name])
        if state is not None:
            challenge.state = state
        challenge.full_clean()
        challenge.save()
        _write_texts(challenge, document["translations"], "challenge")
        for values in document["flags"]:
            flag = Flag(challenge=challenge, **values)
            flag.full_clean()
            flag.save()
        for values in document["hints"]:
            hint = Hint(challenge=challenge, cost=values["cost"], position=values["position"])
            hint.full_clean()
            hint.save()
            _write_texts(hint, values["translations"], "hint")
            self.hints[values["ref"]] = hint
        for value in document["tags"]:
            tag = ChallengeTag(challenge=challenge, value=value)
            tag.full_clean()
            tag.save()
        for values in document["attachments"]:
            self._attachment(challenge, values)
        _restamp(Challenge, challenge.pk, created_at=document["created_at"], updated_at=document["updated_at"])
        self.challenges[document["ref"]] = challenge
        return challenge

    def _attachment(self, challenge: Challenge, values: dict[str, Any]) -> None:
        name = values["name"]
        if not isinstance(name, str) or not name.strip(". ") or "/" in name or "\\" in name or "\0" in name:
            raise _damaged(_("The archive contains an unsafe path."), "unsafe_path")
        content = self.files.get(values["sha256"])
        if content is None or len(content) != values["size"]:
            raise _damaged(_("A file listed in the archive is missing or has the wrong size."), "missing_file")
        attachment = Attachment(challenge=challenge, name=values["name"], sha256=values["sha256"], size=values["size"])
        attachment.full_clean(exclude=["file"])
        attachment.file.save(values["name"], ContentFile(content), save=False)
        self.stored.append(attachment.file.name or "")
        attachment.save()
        _restamp(Attachment, attachment.pk, created_at=values["created_at"])

    def prerequisites(self, documents: Iterable[dict[str, Any]], known: Callable[[str], Challenge | None]) -> None:
        for document in documents:
            challenge = self.challenges.get(document["ref"])
            if challenge is None:
                continue
            required = [known(ref) for ref in document["prerequisites"]]
            challenge.prerequisites.set([pre for pre in required if pre is not None])


def _english_title(document: dict[str, Any]) -> str:
    texts: dict[str, dict[str, str]] = document["translations"]
    for code in ("en", *sorted(texts)):
        if code in texts:
            return texts[code].get("title", "")
    return ""


def _restore_event(document: dict[str, Any], restorer: _Restorer) -> None:
    event = restorer.event
    for values in document["staff"]:
        staff = EventStaff(event=event, user=restorer.required_user(values["user"]), role=values["role"])
        staff.full_clean()
        staff.save()
    for values in document["brackets"]:
        bracket = Bracket(event=event, slug=values["slug"])
        bracket.full_clean()
        bracket.save()
        _write_texts(bracket, values["translations"], "bracket")
        restorer.brackets[values["slug"]] = bracket
    for values in document["challenges"]:
        restorer.challenge(values)
    restorer.prerequisites(document["challenges"], restorer.challenges.get)
    for values in document["teams"]:
        team = Team(
            event=event,
            name=values["name"],
            captain=restorer.user(values["captain"]),
            country_bracket=values["country_bracket"],
            bracket=restorer.brackets[values["bracket"]] if values["bracket"] else None,
            solo=values["solo"],
            hidden=values["hidden"],
            banned=values["banned"],
        )
        if not Team.objects.filter(invite_code=values["invite_code"]).exists():
            team.invite_code = values["invite_code"]
        team.full_clean()
        team.save()
        _restamp(Team, team.pk, created_at=values["created_at"])
        restorer.teams[values["ref"]] = team
    for values in document["participants"]:
        participant = Participant(
            event=event,
            user=restorer.required_user(values["user"]),
            team=restorer.teams[values["team"]] if values["team"] else None,
            status=values["status"],
        )
        participant.full_clean()
        participant.save()
        _restamp(Participant, participant.pk, joined_at=values["joined_at"])
    _restore_history(document, restorer)


def _restore_history(document: dict[str, Any], restorer: _Restorer) -> None:
    """History rows are written in bulk; their references were all resolved above or fail here."""
    event, teams, challenges = restorer.event, restorer.teams, restorer.challenges
    submissions = Submission.objects.bulk_create(
        Submission(
            event=event,
            challenge=challenges[values["challenge"]],
            team=teams[values["team"]],
            user=restorer.required_user(values["user"]),
            provided=values["provided"],
            result=values["result"],
            source_address=values["source_address"],
            shared_from=teams[values["shared_from"]] if values["shared_from"] else None,
            created_at=_required_moment(values["created_at"]),
        )
        for values in document["submissions"]
    )
    by_ref = {values["ref"]: row for values, row in zip(document["submissions"], submissions, strict=True)}
    Solve.objects.bulk_create(
        Solve(
            challenge=challenges[values["challenge"]],
            team=teams[values["team"]],
            user=restorer.required_user(values["user"]),
            submission=by_ref[values["submission"]],
            created_at=_required_moment(values["created_at"]),
        )
        for values in document["solves"]
    )
    HintUnlock.objects.bulk_create(
        HintUnlock(
            hint=restorer.hints[values["hint"]],
            team=teams[values["team"]],
            user=restorer.required_user(values["user"]),
            cost=values["cost"],
            created_at=_required_moment(values["created_at"]),
        )
        for values in document["hint_unlocks"]
    )
    Award.objects.bulk_create(
        Award(
            event=event,
            team=teams[values["team"]],
            value=values["value"],
            reason=values["reason"],
            created_by=restorer.user(values["created_by"]),
            created_at=_required_moment(values["created_at"]),
        )
        for values in document["awards"]
    )
    for values in document["announcements"]:
        announcement = Announcement(
            event=event, author=restorer.user(values["author"]), created_at=_required_moment(values["created_at"])
        )
        announcement.full_clean()
        announcement.save()
        _write_texts(announcement, values["translations"], "announcement")


def _new_event(document: dict[str, Any], slug: str | None) -> Event:
    values = document["event"]
    event = Event(
        slug=slug or values["slug"],
        starts_at=_required_moment(values["starts_at"]),
        ends_at=_required_moment(values["ends_at"]),
        freeze_at=_moment(values["freeze_at"]),
    )
    for name in EVENT_FIELDS:
        setattr(event, name, values[name])
    if Event.objects.filter(slug=event.slug).exists():
        message = _("An event with the short name %(slug)s already exists.")
        raise ValidationError(message, code="slug_taken", params={"slug": event.slug})
    event.full_clean()
    event.save()
    _write_texts(event, values["translations"], "event")
    _restamp(Event, event.pk, created_at=values["created_at"])
    event.refresh_from_db(fields=["created_at"])
    return event


def _merge(document: dict[str, Any], restorer: _Restorer, result: ImportResult) -> None:
    """Only challenges, hidden until an organiser publishes them; titles already present are skipped."""
    english = ChallengeTranslation.objects.filter(challenge__event=restorer.event, language_code="en")
    existing = {row.title: row.challenge for row in english.select_related("challenge")}
    present: dict[str, Challenge] = {}
    for values in document["challenges"]:
        title = _english_title(values)
        if title in existing:
            present[values["ref"]] = existing[title]
            result.skipped.append(title)
            continue
        restorer.challenge(values, state="hidden")
        result.created.append(title)
    restorer.prerequisites(document["challenges"], lambda ref: restorer.challenges.get(ref) or present.get(ref))


def import_archive(data: bytes, *, slug: str | None = None, merge_into: Event | None = None) -> ImportResult:
    """Restore an archive into a new event, or add its challenges to ``merge_into``; all or nothing."""
    document, files = read_archive(data)
    stored: list[str] = []
    try:
        with transaction.atomic():
            profiles = {values["username"]: values for values in document["users"]}
            if merge_into is not None:
                restorer = _Restorer(event=merge_into, files=files, profiles=profiles, stored=stored)
                result = ImportResult(event=merge_into)
                _merge(document, restorer, result)
            else:
                event = _new_event(document, slug)
                restorer = _Restorer(event=event, files=files, profiles=profiles, stored=stored)
                result = ImportResult(event=event)
                _restore_event(document, restorer)
                result.created = [_english_title(values) for values in document["challenges"]]
            recording.record(
                action=Action.IMPORT_ARCHIVE, actor=None, target=result.event, event_id=result.event.pk,
                after={"merged": merge_into is not None, "created": result.created, "skipped": result.skipped},
            )  # fmt: skip
            transaction.on_commit(lambda: _announce(result.event.pk))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        _delete_stored(stored)
        raise _damaged(_("The archive's kakehashi.json is incomplete or malformed.")) from error
    except BaseException:
        _delete_stored(stored)
        raise
    return result


def _announce(event_id: int) -> None:
    standings_changed(event_id)
    board_changed(event_id)


def _delete_stored(names: Sequence[str]) -> None:
    """Files saved before the transaction was rolled back belong to no row: remove them."""
    for name in names:
        default_storage.delete(name)


def import_event(data: bytes, *, slug: str | None = None, merge_into: Event | None = None) -> Event:
    """Like :func:`import_archive`, returning only the event."""
    return import_archive(data, slug=slug, merge_into=merge_into).event
