"""Import of a ctfcli repository: every ``challenge.yml`` under a folder, in one transaction.

Each file is read and checked before anything is written, so a file with a mistake stops the import
with its name and nothing is stored. Challenges are written only through the challenge services.
Other languages come from ``translations: {ja: {name, description, connection_info, hints}}``, at the
top level or under ``extra`` (as ctfcli sends it to the CTFd-compatible API); hints match by position.
A challenge whose English name is already in the event is left as it is and reported.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from kakehashi.audit.choices import Action
from kakehashi.ctf.choices import ChallengeState, FlagKind, ValueFunction
from kakehashi.ctf.ctfd.context import SOURCE
from kakehashi.ctf.ctfd.inputs import HintText, TranslationIn
from kakehashi.ctf.models import Attachment, Challenge, ChallengeTranslation, Event
from kakehashi.ctf.services import challenges as services
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.topics import topic_add

FILE_NAME = "challenge.yml"
OVERRIDE_REASON = "Imported from challenge.yml"
FLAG_KINDS = {"static": FlagKind.STATIC, "regex": FlagKind.REGEX}
DYNAMIC_FUNCTIONS = {"linear": ValueFunction.LINEAR, "logarithmic": ValueFunction.LOGARITHMIC}

Progress = Callable[[int, int, str], None]
Texts = dict[str, dict[str, str]]  # by language code


class ChallengeYmlError(Exception):
    """The repository cannot be imported; the message names the file and says why."""


class _Problem(Exception):
    """A mistake in one file, reported with the file's name."""


@dataclass(frozen=True)
class FlagSpec:
    kind: str
    content: str
    case_insensitive: bool


@dataclass(frozen=True)
class HintSpec:
    cost: int
    texts: Texts


@dataclass
class ChallengeSpec:
    """One ``challenge.yml``, checked and ready to be written."""

    source: str  # the file, relative to the repository
    name: str
    category: str
    author: str
    value: int
    function: str
    minimum: int | None
    decay: int | None
    max_attempts: int
    visible: bool
    texts: Texts
    flags: list[FlagSpec] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    hints: list[HintSpec] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def load_yaml(path: Path) -> Any:
    """The file's content as PyYAML's safe loader reads it."""
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise _Problem(_("This is not valid YAML: %(error)s") % {"error": error}) from None


# --- Reading one file ------------------------------------------------------------------------


def _text(data: Mapping[str, Any], key: str, default: str = "", *, label: str | None = None) -> str:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _Problem(_("%(field)s must be text.") % {"field": label or key})
    return str(value).strip()


def _number(data: Mapping[str, Any], key: str, default: int | None = None, *, label: str | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Problem(_("%(field)s must be a whole number of 0 or more.") % {"field": label or key})
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Problem(_("%(field)s must be a list.") % {"field": key})
    return value


def _mapping(value: Any, label: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _Problem(_("%(field)s must be a mapping of fields.") % {"field": label})
    return value


def _flags(data: Mapping[str, Any]) -> list[FlagSpec]:
    result = []
    for number, item in enumerate(_list(data, "flags"), start=1):
        label = f"flags[{number}]"
        if isinstance(item, str):
            result.append(FlagSpec(FlagKind.STATIC, item, case_insensitive=False))
            continue
        entry = _mapping(item, label)
        kind = _text(entry, "type", "static", label=f"{label}.type")
        if kind not in FLAG_KINDS:
            raise _Problem(_("%(field)s must be static or regex.") % {"field": f"{label}.type"})
        case = _text(entry, "data", label=f"{label}.data") == "case_insensitive"
        content = entry.get("content")
        if not isinstance(content, str):
            raise _Problem(_("%(field)s must be text.") % {"field": f"{label}.content"})
        result.append(FlagSpec(FLAG_KINDS[kind], content, case_insensitive=case))
    return result


def _hints(data: Mapping[str, Any]) -> list[HintSpec]:
    result = []
    for number, item in enumerate(_list(data, "hints"), start=1):
        label = f"hints[{number}]"
        if isinstance(item, str):
            result.append(HintSpec(0, {SOURCE: {"title": "", "content": item}}))
            continue
        entry = _mapping(item, label)
        texts = {
            "title": _text(entry, "title", label=f"{label}.title"),
            "content": _text(entry, "content", label=f"{label}.content"),
        }
        result.append(HintSpec(_number(entry, "cost", 0, label=f"{label}.cost"), {SOURCE: texts}))
    return result


def _translations(data: Mapping[str, Any]) -> dict[str, TranslationIn]:
    """``extra.translations`` then top-level ``translations`` (which wins for a language in both)."""
    blocks: dict[str, Any] = {}
    blocks |= _mapping(_mapping(data.get("extra"), "extra").get("translations"), "extra.translations")
    blocks |= _mapping(data.get("translations"), "translations")
    result = {}
    for code, block in blocks.items():
        try:
            result[str(code)] = TranslationIn.model_validate(_mapping(block, f"translations.{code}"))
        except pydantic.ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, item['loc']))}: {item['msg']}" for item in error.errors())
            raise _Problem(f"translations.{code}: {problems}") from None
    return result


def _apply_translations(spec: ChallengeSpec, translations: Mapping[str, TranslationIn]) -> None:
    for code, block in translations.items():
        if code == SOURCE:
            continue  # English comes from the top-level fields, as in the CTFd-compatible API
        if block.name.strip():
            spec.texts[code] = {
                "title": block.name,
                "description": block.description,
                "connection_info": block.connection_info or "",
            }
        if len(block.hints) > len(spec.hints):
            message = _("translations.%(code)s has %(given)d hints; the challenge has %(hints)d.")
            raise _Problem(message % {"code": code, "given": len(block.hints), "hints": len(spec.hints)})
        for hint, item in zip(spec.hints, block.hints, strict=False):
            texts = {"title": "", "content": item} if isinstance(item, str) else _hint_text(item)
            if texts["content"].strip():
                hint.texts[code] = texts


def _hint_text(item: HintText) -> dict[str, str]:
    return {"title": item.title, "content": item.content}


def _value(spec_fields: dict[str, Any], data: Mapping[str, Any]) -> None:
    kind = _text(data, "type", "standard")
    extra = _mapping(data.get("extra"), "extra")
    if kind == "standard":
        spec_fields |= {"value": _number(data, "value"), "function": ValueFunction.STATIC}
        spec_fields |= {"minimum": None, "decay": None}
        return
    if kind != "dynamic":
        raise _Problem(_("%(field)s must be standard or dynamic.") % {"field": "type"})
    initial = extra.get("initial", data.get("value"))
    function = _text(extra, "function", "logarithmic", label="extra.function")
    if function not in DYNAMIC_FUNCTIONS:
        raise _Problem(_("%(field)s must be linear or logarithmic.") % {"field": "extra.function"})
    spec_fields |= {
        "value": _number({"initial": initial}, "initial", label="extra.initial"),
        "function": DYNAMIC_FUNCTIONS[function],
        "minimum": _number(extra, "minimum", label="extra.minimum"),
        "decay": _number(extra, "decay", label="extra.decay"),
    }


def _files(data: Mapping[str, Any], folder: Path, root: Path) -> list[Path]:
    result = []
    for item in _list(data, "files"):
        if not isinstance(item, str) or not item.strip():
            raise _Problem(_("%(field)s must be text.") % {"field": "files"})
        path = (folder / item).resolve()
        if not path.is_relative_to(root):
            raise _Problem(_("The file %(name)s is outside the repository.") % {"name": item})
        if not path.is_file():
            raise _Problem(_("The file %(name)s does not exist.") % {"name": item})
        result.append(path)
    return result


def _requirements(data: Mapping[str, Any]) -> list[str]:
    raw = data.get("requirements")
    if isinstance(raw, Mapping):
        raw = raw.get("prerequisites")
    names = _list({"requirements": raw}, "requirements")
    if not all(isinstance(name, str) and name.strip() for name in names):
        raise _Problem(_("requirements must list the names of challenges."))
    return [name.strip() for name in names]


def _spec(path: Path, root: Path) -> ChallengeSpec:
    data = _mapping(load_yaml(path), FILE_NAME)
    name = _text(data, "name")
    if not name:
        raise _Problem(_("Give the challenge a name."))
    state = _text(data, "state", "hidden")
    if state not in ("hidden", "visible"):
        raise _Problem(_("%(field)s must be hidden or visible.") % {"field": "state"})
    fields: dict[str, Any] = {}
    _value(fields, data)
    tags = _list(data, "tags")
    if not all(isinstance(tag, str) for tag in tags):
        raise _Problem(_("%(field)s must be text.") % {"field": "tags"})
    topics = _list(data, "topics")
    if not all(isinstance(topic, str) for topic in topics):
        raise _Problem(_("%(field)s must be text.") % {"field": "topics"})
    english = {
        "title": name,
        "description": _text(data, "description"),
        "connection_info": _text(data, "connection_info"),
    }
    spec = ChallengeSpec(
        source=path.relative_to(root).as_posix(),
        name=name,
        category=_text(data, "category"),
        author=_text(data, "attribution") or _text(data, "author"),
        max_attempts=_number(data, "attempts", 0),
        visible=state == "visible",
        texts={SOURCE: english},
        flags=_flags(data),
        tags=tags,
        topics=[str(topic) for topic in topics],
        hints=_hints(data),
        files=_files(data, path.parent, root),
        requirements=_requirements(data),
        **fields,
    )
    _apply_translations(spec, _translations(data))
    return spec


def read_repository(directory: str | Path) -> list[ChallengeSpec]:
    """Every ``challenge.yml`` under ``directory``, in the order of their paths, checked."""
    root = Path(directory).resolve()
    if not root.is_dir():
        raise ChallengeYmlError(_("%(path)s is not a folder.") % {"path": directory})
    paths = sorted(root.rglob(FILE_NAME))
    if not paths:
        raise ChallengeYmlError(_("There is no challenge.yml under %(path)s.") % {"path": directory})
    specs: list[ChallengeSpec] = []
    seen: dict[str, str] = {}
    for path in paths:
        source = path.relative_to(root).as_posix()
        try:
            spec = _spec(path, root)
        except _Problem as problem:
            raise ChallengeYmlError(_("%(file)s: %(problem)s") % {"file": source, "problem": problem}) from None
        if spec.name in seen:
            message = _("%(file)s: %(other)s already has the name %(name)s.")
            raise ChallengeYmlError(message % {"file": source, "other": seen[spec.name], "name": spec.name})
        seen[spec.name] = source
        specs.append(spec)
    return specs


# --- Writing ---------------------------------------------------------------------------------


def _errors(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)


def _create(spec: ChallengeSpec, event: Event, stored: list[str]) -> Challenge:
    challenge = services.challenge_create(
        event=event,
        category=spec.category,
        value=spec.value,
        function=spec.function,
        minimum=spec.minimum,
        decay=spec.decay,
        author=spec.author,
        max_attempts=spec.max_attempts,
        translations={SOURCE: spec.texts[SOURCE]},
    )
    for code, texts in spec.texts.items():
        if code != SOURCE:
            services.challenge_set_translation(
                challenge=challenge,
                language_code=code,
                title=texts.get("title", ""),
                description=texts.get("description", ""),
                connection_info=texts.get("connection_info", ""),
            )
    services.tags_set(challenge=challenge, values=spec.tags)
    for topic in spec.topics:
        topic_add(challenge=challenge, value=topic)
    for flag in spec.flags:
        services.flag_create(
            challenge=challenge, kind=flag.kind, content=flag.content, case_insensitive=flag.case_insensitive
        )
    for hint in spec.hints:
        services.hint_create(challenge=challenge, translations=hint.texts, cost=hint.cost)
    for path in spec.files:
        with path.open("rb") as content:
            attachment: Attachment = services.attachment_add(challenge=challenge, name=path.name, content=content)
        if attachment.file.name:
            stored.append(attachment.file.name)
    return challenge


def _prerequisites(spec: ChallengeSpec, challenge: Challenge, by_name: Mapping[str, Challenge]) -> None:
    missing = [name for name in spec.requirements if name not in by_name]
    if missing:
        message = _("requirements: no challenge named %(name)s in this repository or the event.")
        raise _Problem(message % {"name": missing[0]})
    services.prerequisites_set(challenge=challenge, prerequisites=[by_name[name] for name in spec.requirements])


def import_challenges(*, directory: str | Path, event: Event, progress: Progress | None = None) -> ImportSummary:
    """Create the repository's challenges in ``event``; raises ChallengeYmlError and stores nothing then."""
    specs = read_repository(directory)
    summary = ImportSummary()
    stored: list[str] = []
    spec: ChallengeSpec | None = None
    try:
        with transaction.atomic():
            rows = ChallengeTranslation.objects.filter(challenge__event=event, language_code=SOURCE)
            by_name = {row.title: row.challenge for row in rows.select_related("challenge")}
            created: list[tuple[ChallengeSpec, Challenge]] = []
            for index, spec in enumerate(specs, start=1):
                if spec.name in by_name:
                    summary.skipped.append(spec.name)
                else:
                    by_name[spec.name] = _create(spec, event, stored)
                    created.append((spec, by_name[spec.name]))
                    summary.created.append(spec.name)
                if progress:
                    progress(index, len(specs), spec.name)
            for spec, challenge in created:
                _prerequisites(spec, challenge, by_name)
            for spec, challenge in created:
                if spec.visible:
                    services.challenge_publish(
                        challenge=challenge, state=ChallengeState.VISIBLE, override_reason=OVERRIDE_REASON
                    )
            recording.record(
                action=Action.IMPORT_CHALLENGES, actor=None, target=event, event_id=event.pk,
                after={"directory": Path(directory).name, "created": summary.created, "skipped": summary.skipped},
            )  # fmt: skip
    except (ValidationError, _Problem) as error:
        _forget(stored)
        problem = _errors(error) if isinstance(error, ValidationError) else str(error)
        source = spec.source if spec is not None else str(directory)
        raise ChallengeYmlError(_("%(file)s: %(problem)s") % {"file": source, "problem": problem}) from None
    except BaseException:
        _forget(stored)
        raise
    return summary


def _forget(names: list[str]) -> None:
    """Attachments are written to storage as the import goes: remove them when it is rolled back."""
    for name in names:
        default_storage.delete(name)
