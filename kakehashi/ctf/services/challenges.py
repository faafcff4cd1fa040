"""Writes of challenges and what belongs to them: texts, flags, hints, attachments, tags, prerequisites.

A challenge is shown to participants (visible or locked) only when every language of its event has
its title and description and every hint's content, or when an organiser gives a reason for showing
it anyway; the reason is stored with the challenge. Every path that shows a challenge or changes
its texts goes through :func:`_publish_reason`, so the rule is checked in one place.
"""

import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from kakehashi.audit.choices import Action
from kakehashi.core.translations import completeness
from kakehashi.ctf import flags
from kakehashi.ctf.choices import ChallengeState, FlagKind, ValueFunction
from kakehashi.ctf.models import (
    Attachment,
    Challenge,
    ChallengeTag,
    ChallengeTranslation,
    Event,
    Flag,
    Hint,
    HintTranslation,
    HintUnlock,
)
from kakehashi.ctf.prerequisites import creates_cycle
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.recording import Actor

SHOWN_STATES = frozenset({ChallengeState.VISIBLE, ChallengeState.LOCKED})
SCORING_FIELDS = frozenset({"value", "function", "minimum", "decay", "state", "release_at"})
DEFAULT_MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024
ATTACHMENT_NAME_LIMIT = 200  # characters, as the model stores it
STORED_NAME_LIMIT = 200  # UTF-8 bytes of the stored file name: file systems allow 255 per name
TAG_LIMIT = 64
CHUNK_BYTES = 64 * 1024


class ChallengeChanges(TypedDict, total=False):
    category: str
    value: int
    function: str
    minimum: int | None
    decay: int | None
    difficulty: int
    author: str
    max_attempts: int
    position: int
    release_at: datetime | None
    state: str
    translations: Mapping[str, Mapping[str, str]]
    tags: Sequence[str]


class FlagChanges(TypedDict, total=False):
    kind: str
    content: str
    case_insensitive: bool


class HintChanges(TypedDict, total=False):
    cost: int
    position: int
    translations: Mapping[str, Mapping[str, str]]


def _invalid(field: str, message: str, code: str, params: dict[str, Any] | None = None) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code, params=params)]})


def _refuse_unknown(changes: Mapping[str, object], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(unknown)}")


@contextmanager
def _restored_on_error(instance: models.Model, names: Iterable[str]) -> Iterator[None]:
    """Leave the caller's object as it was when the change is refused (the transaction undoes the rows)."""
    saved = {name: getattr(instance, name) for name in names}
    try:
        yield
    except BaseException:
        for name, value in saved.items():
            setattr(instance, name, value)
        raise


def _announce(event_id: int, *, standings: bool) -> None:
    """After the commit, tell readers that the board (and, for scoring changes, the standings) changed."""

    def send() -> None:
        try:
            from kakehashi.ctf.services.standings import board_changed, standings_changed
        except ImportError:  # the standings service is not part of every build stage
            return
        if standings:
            standings_changed(event_id)
        board_changed(event_id)

    transaction.on_commit(send, robust=True)


def _record_challenge(action: Action, actor: Actor, challenge: Challenge, before: dict[str, Any] | None) -> None:
    """Records a change of the challenge: ``before`` is its snapshot before the change (None for a new one)."""
    recording.record(
        action=action,
        actor=actor,
        target=challenge,
        event_id=challenge.event_id,
        label=recording.challenge_label(challenge),
        before=before,
        after=recording.challenge_snapshot(challenge),
    )


# --- Challenges ------------------------------------------------------------------------------


def _check_challenge(challenge: Challenge) -> None:
    errors: dict[str, list[ValidationError]] = {}
    if not 1 <= challenge.difficulty <= 5:
        errors["difficulty"] = [ValidationError(_("Choose a difficulty from 1 to 5."), code="invalid_difficulty")]
    if challenge.function != ValueFunction.STATIC:
        for name in ("minimum", "decay"):
            if getattr(challenge, name) is None:
                errors[name] = [ValidationError(_("A decaying value needs a minimum and a decay."), code="required")]
    if challenge.minimum is not None and challenge.value is not None and challenge.minimum > challenge.value:
        message = _("The minimum cannot be higher than the initial value.")
        errors["minimum"] = [ValidationError(message, code="minimum_above_value")]
    try:
        challenge.full_clean(validate_constraints=not errors)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _require_event_language(event: Event, language_code: str, field: str) -> None:
    if language_code not in event.languages:
        message = _("%(code)s is not one of this event's languages.")
        raise _invalid(field, message, "language_not_in_event", {"code": language_code})


def _write_challenge_text(challenge: Challenge, language_code: str, texts: Mapping[str, str], field: str) -> None:
    _require_event_language(challenge.event, language_code, field)
    row = ChallengeTranslation.objects.filter(challenge=challenge, language_code=language_code).first()
    row = row or ChallengeTranslation(challenge=challenge, language_code=language_code)
    row.title = texts.get("title", "").strip()
    row.description = texts.get("description", "").strip()
    row.connection_info = texts.get("connection_info", "").strip()
    row.full_clean()
    row.save()


def _missing_languages(challenge: Challenge) -> list[str]:
    """The event's languages in which the challenge's or any hint's required text is absent."""
    languages = list(challenge.event.languages)
    rows = {row.language_code: row for row in ChallengeTranslation.objects.filter(challenge=challenge)}
    missing = set(completeness(rows, languages=languages, fields=Challenge.required_translated_fields).missing)
    for hint in Hint.objects.filter(challenge=challenge).prefetch_related("translations"):
        hint_rows = hint.translation_map()
        missing |= set(completeness(hint_rows, languages=languages, fields=Hint.required_translated_fields).missing)
    return [code for code in languages if code in missing]


def _publish_reason(challenge: Challenge, override_reason: str) -> str:
    """The override reason to store for showing the challenge, or a refusal when texts are missing."""
    missing = _missing_languages(challenge)
    if not missing:
        return ""
    reason = override_reason.strip()
    if not reason:
        message = _(
            "Every language of the event needs the challenge's title and description and each hint's content "
            "before the challenge is shown. Missing: %(languages)s."
        )
        raise _invalid("state", message, "translations_incomplete", {"languages": ", ".join(missing)})
    return reason


def _recheck_shown(challenge: Challenge) -> None:
    """A shown challenge must stay complete unless it was shown with a reason."""
    if challenge.state in SHOWN_STATES and not challenge.publish_override_reason:
        _publish_reason(challenge, "")


def _tag_values(values: Sequence[str]) -> list[str]:
    if isinstance(values, str):
        raise TypeError("tags must be a sequence of strings, not one string")
    cleaned = list(dict.fromkeys(value.strip() for value in values if value.strip()))
    if any(len(value) > TAG_LIMIT for value in cleaned):
        message = _("A tag can have at most %(limit)d characters.")
        raise _invalid("tags", message, "tag_too_long", {"limit": TAG_LIMIT})
    return cleaned


def _write_tags(challenge: Challenge, values: Sequence[str]) -> None:
    cleaned = _tag_values(values)
    ChallengeTag.objects.filter(challenge=challenge).delete()
    ChallengeTag.objects.bulk_create([ChallengeTag(challenge=challenge, value=value) for value in cleaned])


def _delete_files_on_commit(names: Sequence[str]) -> None:
    """Attachments are kept in Django's default storage; remove their files once the deletion commits."""

    def delete() -> None:
        still_used = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
        for name in names:
            if name not in still_used:
                default_storage.delete(name)

    if names:
        transaction.on_commit(delete, robust=True)


@transaction.atomic
def challenge_create(
    *,
    event: Event,
    category: str,
    value: int,
    translations: Mapping[str, Mapping[str, str]],
    function: str = ValueFunction.STATIC,
    minimum: int | None = None,
    decay: int | None = None,
    difficulty: int = 1,
    author: str = "",
    tags: Sequence[str] = (),
    max_attempts: int = 0,
    position: int | None = None,
    release_at: datetime | None = None,
    state: str = ChallengeState.HIDDEN,
    actor: Actor = None,
) -> Challenge:
    """A challenge with its texts; shown at once only if ``state`` asks for it and every language is complete."""
    if not translations:
        message = _("Give the challenge's title in at least one language.")
        raise _invalid("translations", message, "required")
    if position is None:
        last = Challenge.objects.filter(event=event).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    challenge = Challenge(
        event=event,
        category=category.strip(),
        value=value,
        function=function,
        minimum=minimum,
        decay=decay,
        difficulty=difficulty,
        author=author.strip(),
        max_attempts=max_attempts,
        position=position,
        release_at=release_at,
        state=state,
    )
    _check_challenge(challenge)
    challenge.state = ChallengeState.HIDDEN
    challenge.save()
    for language_code, texts in translations.items():
        _write_challenge_text(challenge, language_code, texts, "translations")
    _write_tags(challenge, tags)
    if state in SHOWN_STATES:
        challenge.publish_override_reason = _publish_reason(challenge, "")
        challenge.state = state
        challenge.save(update_fields=["state", "publish_override_reason", "updated_at"])
    _record_challenge(Action.CHALLENGE_CREATE, actor, challenge, None)
    _announce(event.pk, standings=challenge.state in SHOWN_STATES)
    return challenge


@transaction.atomic
def challenge_update(*, challenge: Challenge, actor: Actor = None, **changes: Unpack[ChallengeChanges]) -> Challenge:
    """Change fields, texts (by language) or tags. Showing the challenge is checked as in :func:`challenge_publish`."""
    _refuse_unknown(changes, ChallengeChanges.__optional_keys__)
    fields: dict[str, Any] = dict(changes)
    translations = fields.pop("translations", None)
    tags = fields.pop("tags", None)
    previous_state = challenge.state
    before = recording.challenge_snapshot(challenge)
    with _restored_on_error(challenge, [*fields, "publish_override_reason"]):
        for name, value in fields.items():
            setattr(challenge, name, value.strip() if name in ("category", "author") else value)
        _check_challenge(challenge)
        for language_code, texts in (translations or {}).items():
            _write_challenge_text(challenge, language_code, texts, "translations")
        if tags is not None:
            _write_tags(challenge, tags)
        if challenge.state not in SHOWN_STATES:
            challenge.publish_override_reason = ""
        elif challenge.state != previous_state:
            # A change between visible and locked keeps the reason already given; hiding clears it.
            challenge.publish_override_reason = _publish_reason(challenge, challenge.publish_override_reason)
        else:
            _recheck_shown(challenge)
        challenge.save()
    _record_challenge(Action.CHALLENGE_UPDATE, actor, challenge, before)
    _announce(challenge.event_id, standings=bool(SCORING_FIELDS & set(fields)))
    return challenge


@transaction.atomic
def challenge_set_translation(
    *,
    challenge: Challenge,
    language_code: str,
    title: str,
    description: str = "",
    connection_info: str = "",
    actor: Actor = None,
) -> ChallengeTranslation:
    """Write the texts of one language (one of the event's languages), replacing what was there."""
    texts = {"title": title, "description": description, "connection_info": connection_info}
    before = recording.challenge_snapshot(challenge)
    _write_challenge_text(challenge, language_code, texts, "language_code")
    _recheck_shown(challenge)
    _record_challenge(Action.CHALLENGE_UPDATE, actor, challenge, before)
    _announce(challenge.event_id, standings=False)
    return ChallengeTranslation.objects.get(challenge=challenge, language_code=language_code)


@transaction.atomic
def challenge_publish(
    *, challenge: Challenge, state: str = ChallengeState.VISIBLE, override_reason: str = "", actor: Actor = None
) -> Challenge:
    """Show the challenge (visible or locked). Missing languages need ``override_reason``, which is stored."""
    if state not in SHOWN_STATES:
        raise _invalid("state", _("Choose visible or locked."), "invalid_state")
    before = recording.challenge_snapshot(challenge)
    challenge.publish_override_reason = _publish_reason(challenge, override_reason)
    challenge.state = state
    challenge.save(update_fields=["state", "publish_override_reason", "updated_at"])
    _record_challenge(Action.CHALLENGE_UPDATE, actor, challenge, before)
    _announce(challenge.event_id, standings=True)
    return challenge


@transaction.atomic
def challenge_hide(*, challenge: Challenge, actor: Actor = None) -> Challenge:
    before = recording.challenge_snapshot(challenge)
    challenge.state = ChallengeState.HIDDEN
    challenge.publish_override_reason = ""
    challenge.save(update_fields=["state", "publish_override_reason", "updated_at"])
    _record_challenge(Action.CHALLENGE_UPDATE, actor, challenge, before)
    _announce(challenge.event_id, standings=True)
    return challenge


@transaction.atomic
def challenge_delete(*, challenge: Challenge, actor: Actor = None) -> None:
    """Delete the challenge with everything that belongs to it; its stored files go once the deletion commits."""
    event_id = challenge.event_id
    recording.record(
        action=Action.CHALLENGE_DELETE, actor=actor, target=challenge, event_id=event_id,
        label=recording.challenge_label(challenge), before=recording.challenge_snapshot(challenge), after={},
    )  # fmt: skip
    names = list(Attachment.objects.filter(challenge=challenge).values_list("file", flat=True))
    challenge.delete()
    _delete_files_on_commit(names)
    _announce(event_id, standings=True)


@transaction.atomic
def prerequisites_set(*, challenge: Challenge, prerequisites: Sequence[Challenge], actor: Actor = None) -> None:
    """Replace the challenges that must be solved first. They must belong to the same event and form no cycle."""
    # Lock the event so that two concurrent changes cannot close a cycle between them.
    Event.objects.select_for_update().only("pk").get(pk=challenge.event_id)
    if any(other.event_id != challenge.event_id for other in prerequisites):
        message = _("Prerequisites must be challenges of the same event.")
        raise _invalid("prerequisites", message, "other_event")
    wanted = {other.pk for other in prerequisites}
    links = Challenge.prerequisites.through.objects.filter(from_challenge__event_id=challenge.event_id)
    graph: dict[int, list[int]] = {}
    for source, target in links.values_list("from_challenge_id", "to_challenge_id"):
        graph.setdefault(source, []).append(target)
    if creates_cycle(graph, challenge.pk, wanted):
        message = _("These prerequisites would make the challenge depend on itself.")
        raise _invalid("prerequisites", message, "prerequisite_cycle")
    before = recording.challenge_snapshot(challenge)
    challenge.prerequisites.set(wanted)
    _record_challenge(Action.CHALLENGE_UPDATE, actor, challenge, before)
    _announce(challenge.event_id, standings=False)


@transaction.atomic
def tags_set(*, challenge: Challenge, values: Sequence[str], actor: Actor = None) -> list[ChallengeTag]:
    """Replace the tags: trimmed, without blanks or repeats, in the order given."""
    before = recording.challenge_snapshot(challenge)
    _write_tags(challenge, values)
    _record_challenge(Action.CHALLENGE_UPDATE, actor, challenge, before)
    _announce(challenge.event_id, standings=False)
    return list(ChallengeTag.objects.filter(challenge=challenge))


# --- Flags -----------------------------------------------------------------------------------


def _flag_problem(error: flags.FlagError) -> ValidationError:
    """The organiser-facing message for a flag that ``kakehashi.ctf.flags`` refuses, by its code."""
    if error.code == "flag_too_long":
        message = _("A flag can have at most %(limit)d characters.")
        return _invalid("content", message, error.code, {"limit": flags.MAX_SUBMISSION_LENGTH})
    if error.code == "regex_too_long":
        message = _("A pattern can have at most %(limit)d characters.")
        return _invalid("content", message, error.code, {"limit": flags.MAX_PATTERN_LENGTH})
    if error.code == "unsupported_regex":
        message = _("This pattern uses a feature the matcher does not support, such as back-references or look-around.")
        return _invalid("content", message, error.code)
    if error.code == "regex_too_complex":
        return _invalid("content", _("This pattern is too complex for the matcher. Make it simpler."), error.code)
    if error.code == "invalid_regex":
        return _invalid("content", _("This is not a valid regular expression."), error.code)
    return _invalid("content", _("A flag needs its text or pattern."), error.code)


def _check_flag(flag: Flag) -> None:
    if flag.kind == FlagKind.GENERATED:
        if flag.content:
            message = _("A generated flag is made for each team: leave its text empty.")
            raise _invalid("content", message, "not_empty")
    elif flag.kind in (FlagKind.STATIC, FlagKind.REGEX):
        if not flag.content.strip():
            raise _invalid("content", _("A flag needs its text or pattern."), "required")
        kind: flags.FlagKind = "regex" if flag.kind == FlagKind.REGEX else "static"
        try:
            flags.validate_spec(flags.FlagSpec(kind=kind, content=flag.content, case_insensitive=flag.case_insensitive))
        except flags.FlagError as error:
            raise _flag_problem(error) from None
    flag.full_clean()


def _record_flag(
    action: Action, actor: Actor, flag: Flag, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    label = f"{recording.challenge_label(flag.challenge)} / {flag.get_kind_display()} #{flag.pk}"
    recording.record(
        action=action, actor=actor, target=flag, event_id=flag.challenge.event_id, label=label, before=before,
        after=after,
    )  # fmt: skip


@transaction.atomic
def flag_create(
    *, challenge: Challenge, kind: str, content: str = "", case_insensitive: bool = False, actor: Actor = None
) -> Flag:
    flag = Flag(challenge=challenge, kind=kind, content=content, case_insensitive=case_insensitive)
    _check_flag(flag)
    flag.save()
    _record_flag(Action.FLAG_CREATE, actor, flag, None, recording.flag_snapshot(flag))
    _announce(challenge.event_id, standings=True)
    return flag


@transaction.atomic
def flag_update(*, flag: Flag, actor: Actor = None, **changes: Unpack[FlagChanges]) -> Flag:
    _refuse_unknown(changes, FlagChanges.__optional_keys__)
    before = recording.flag_snapshot(flag)
    with _restored_on_error(flag, changes):
        for name, value in changes.items():
            setattr(flag, name, value)
        _check_flag(flag)
        flag.save()
    _record_flag(Action.FLAG_UPDATE, actor, flag, before, recording.flag_snapshot(flag))
    _announce(flag.challenge.event_id, standings=True)
    return flag


@transaction.atomic
def flag_delete(*, flag: Flag, actor: Actor = None) -> None:
    event_id = flag.challenge.event_id
    _record_flag(Action.FLAG_DELETE, actor, flag, recording.flag_snapshot(flag), {})
    flag.delete()
    _announce(event_id, standings=True)


# --- Hints -----------------------------------------------------------------------------------


def _write_hint_text(hint: Hint, language_code: str, texts: Mapping[str, str], field: str) -> None:
    _require_event_language(hint.challenge.event, language_code, field)
    row = HintTranslation.objects.filter(hint=hint, language_code=language_code).first()
    row = row or HintTranslation(hint=hint, language_code=language_code)
    row.title = texts.get("title", "").strip()
    row.content = texts.get("content", "").strip()
    row.full_clean()
    row.save()


def _record_hint(
    action: Action, actor: Actor, hint: Hint, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    label = f"{recording.challenge_label(hint.challenge)} / #{hint.pk}"
    recording.record(
        action=action, actor=actor, target=hint, event_id=hint.challenge.event_id, label=label, before=before,
        after=after,
    )  # fmt: skip


@transaction.atomic
def hint_create(
    *,
    challenge: Challenge,
    translations: Mapping[str, Mapping[str, str]],
    cost: int = 0,
    position: int | None = None,
    actor: Actor = None,
) -> Hint:
    """A hint with its texts by language (``title``, ``content``); placed after the last hint unless told."""
    if not translations:
        message = _("Give the hint's content in at least one language.")
        raise _invalid("translations", message, "required")
    if position is None:
        last = Hint.objects.filter(challenge=challenge).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    hint = Hint(challenge=challenge, cost=cost, position=position)
    hint.full_clean()
    hint.save()
    for language_code, texts in translations.items():
        _write_hint_text(hint, language_code, texts, "translations")
    _recheck_shown(challenge)
    _record_hint(Action.HINT_CREATE, actor, hint, None, recording.hint_snapshot(hint))
    _announce(challenge.event_id, standings=True)
    return hint


@transaction.atomic
def hint_update(*, hint: Hint, actor: Actor = None, **changes: Unpack[HintChanges]) -> Hint:
    """Change the cost, the position or texts by language. Teams that unlocked it keep the cost they paid."""
    _refuse_unknown(changes, HintChanges.__optional_keys__)
    before = recording.hint_snapshot(hint)
    fields: dict[str, Any] = dict(changes)
    translations = fields.pop("translations", None)
    with _restored_on_error(hint, fields):
        for name, value in fields.items():
            setattr(hint, name, value)
        hint.full_clean()
        hint.save()
        for language_code, texts in (translations or {}).items():
            _write_hint_text(hint, language_code, texts, "translations")
        _recheck_shown(hint.challenge)
    _record_hint(Action.HINT_UPDATE, actor, hint, before, recording.hint_snapshot(hint))
    _announce(hint.challenge.event_id, standings="cost" in fields)
    return hint


@transaction.atomic
def hint_set_translation(
    *, hint: Hint, language_code: str, content: str, title: str = "", actor: Actor = None
) -> HintTranslation:
    before = recording.hint_snapshot(hint)
    _write_hint_text(hint, language_code, {"title": title, "content": content}, "language_code")
    _recheck_shown(hint.challenge)
    _record_hint(Action.HINT_UPDATE, actor, hint, before, recording.hint_snapshot(hint))
    _announce(hint.challenge.event_id, standings=False)
    return HintTranslation.objects.get(hint=hint, language_code=language_code)


@transaction.atomic
def hint_delete(*, hint: Hint, actor: Actor = None) -> None:
    """Delete a hint no team has unlocked; unlocked hints stay, as part of the teams' history."""
    if HintUnlock.objects.filter(hint=hint).exists():
        message = _("A team has unlocked this hint, so it is kept for the record.")
        raise ValidationError(message, code="hint_unlocked")
    event_id = hint.challenge.event_id
    _record_hint(Action.HINT_DELETE, actor, hint, recording.hint_snapshot(hint), {})
    hint.delete()
    _announce(event_id, standings=True)


# --- Attachments -----------------------------------------------------------------------------


def _fit(name: str, fits: Callable[[str], bool]) -> str:
    """Shorten ``name`` until ``fits(name)``, keeping a short extension."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 16:
        stem, dot, extension = name, "", ""
    while stem and not fits(stem + dot + extension):
        stem = stem[:-1]
    return stem.rstrip() + dot + extension


def _attachment_name(raw: str) -> str:
    """The file's own name: no folders, no control characters (NUL included), no leading dots, ≤ 200 characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(character for character in name if character.isprintable())
    name = name.strip().lstrip(".").strip()
    if len(name) > ATTACHMENT_NAME_LIMIT:
        name = _fit(name, lambda candidate: len(candidate) <= ATTACHMENT_NAME_LIMIT)
    try:
        valid = bool(name) and bool(get_valid_filename(name))
    except SuspiciousFileOperation:
        valid = False
    if not valid:
        raise _invalid("name", _("Give the file a name with letters or digits."), "invalid_name")
    return name


def _chunks(content: IO[bytes]) -> Iterator[bytes]:
    if isinstance(content, File):
        yield from content.chunks(CHUNK_BYTES)
        return
    while chunk := content.read(CHUNK_BYTES):
        yield chunk


@transaction.atomic
def attachment_add(*, challenge: Challenge, name: str, content: IO[bytes], actor: Actor = None) -> Attachment:
    """Store a file for the challenge, with its SHA-256 and size, unless it is larger than the limit."""
    name = _attachment_name(name)
    limit: int = getattr(settings, "KAKEHASHI_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES)
    digest = hashlib.sha256()
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES * 16) as buffer:
        for chunk in _chunks(content):
            size += len(chunk)
            if size > limit:
                message = _("The file is larger than the limit of %(limit)s.")
                raise _invalid("content", message, "file_too_large", {"limit": filesizeformat(limit)})
            digest.update(chunk)
            buffer.write(chunk)
        buffer.seek(0)
        attachment = Attachment(challenge=challenge, name=name, sha256=digest.hexdigest(), size=size)
        attachment.full_clean(exclude=["file"])
        stored_name = _fit(name, lambda candidate: len(candidate.encode()) <= STORED_NAME_LIMIT)
        attachment.file.save(stored_name, File(buffer), save=False)
    try:
        attachment.save()
    except BaseException:
        if attachment.file.name:  # the row is not stored: neither may its file be
            default_storage.delete(attachment.file.name)
        raise
    recording.record(
        action=Action.ATTACHMENT_CREATE, actor=actor, target=attachment, event_id=challenge.event_id,
        label=f"{recording.challenge_label(challenge)} / {attachment.name}",
        after={"name": attachment.name, "sha256": attachment.sha256, "size": attachment.size},
    )  # fmt: skip
    _announce(challenge.event_id, standings=False)
    return attachment


@transaction.atomic
def attachments_add(
    *, challenge: Challenge, files: Sequence[tuple[str, IO[bytes]]], actor: Actor = None
) -> list[Attachment]:
    """Store several files for the challenge: all of them or none (rows and stored files alike)."""
    added: list[Attachment] = []
    try:
        for name, content in files:
            added.append(attachment_add(challenge=challenge, name=name, content=content, actor=actor))
    except BaseException:
        for attachment in added:  # their rows are rolled back with this transaction; their files go now
            if attachment.file.name:
                default_storage.delete(attachment.file.name)
        raise
    return added


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor: Actor = None) -> None:
    """Delete the attachment; the stored file goes once the deletion commits."""
    event_id = attachment.challenge.event_id
    recording.record(
        action=Action.ATTACHMENT_DELETE, actor=actor, target=attachment, event_id=event_id,
        label=f"{recording.challenge_label(attachment.challenge)} / {attachment.name}",
        before={"name": attachment.name, "sha256": attachment.sha256, "size": attachment.size}, after={},
    )  # fmt: skip
    name = attachment.file.name
    attachment.delete()
    _delete_files_on_commit([name] if name else [])
    _announce(event_id, standings=False)
