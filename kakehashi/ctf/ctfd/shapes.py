"""Kakehashi's objects in the JSON shapes of CTFd's API v1."""

import hashlib
from typing import Any

from django.core.cache import cache
from django.urls import reverse

from kakehashi.ctf.choices import ChallengeState, FlagKind, ValueFunction
from kakehashi.ctf.models import Attachment, Challenge, ChallengeTag, Flag, Hint

CASE_INSENSITIVE = "case_insensitive"
SHA1_SECONDS = 7 * 24 * 60 * 60
CHUNK_BYTES = 64 * 1024


def ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def challenge_type(challenge: Challenge) -> str:
    return "standard" if challenge.function == ValueFunction.STATIC else "dynamic"


def ctfd_state(challenge: Challenge) -> str:
    return "hidden" if challenge.state == ChallengeState.HIDDEN else "visible"


def text(obj: Challenge | Hint, field: str, language: str) -> str:
    return obj.text(field, language)


def file_url(attachment: Attachment) -> str:
    """Ends in ``<dir>/<basename>``, as ctfcli expects; the directory is the attachment's id."""
    return reverse("ctf:attachment", kwargs={"attachment_id": attachment.pk, "name": attachment.name})


def file_location(attachment: Attachment) -> str:
    return f"{attachment.pk}/{attachment.name}"


def sha1sum(attachment: Attachment) -> str:
    """CTFd lists files with their SHA-1; computed once per content (known by its SHA-256) and cached."""
    key = f"ctfd:sha1:{attachment.sha256}"
    found = cache.get(key)
    if isinstance(found, str):
        return found
    digest = hashlib.sha1(usedforsecurity=False)
    with attachment.file.open("rb") as stored:
        for chunk in stored.chunks(CHUNK_BYTES):
            digest.update(chunk)
    cache.set(key, digest.hexdigest(), SHA1_SECONDS)
    return digest.hexdigest()


def file_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "type": "challenge",
        "location": file_location(attachment),
        "sha1sum": sha1sum(attachment),
        "challenge_id": attachment.challenge_id,
    }


def flag_out(flag: Flag) -> dict[str, Any]:
    return {
        "id": flag.pk,
        "challenge_id": flag.challenge_id,
        "challenge": flag.challenge_id,
        "type": flag.kind,
        "content": flag.content,
        "data": CASE_INSENSITIVE if flag.case_insensitive else "",
    }


def flag_kind(ctfd_type: str) -> str | None:
    """Kakehashi's flag kind for a CTFd flag type, or ``None`` for a type Kakehashi does not have."""
    return {"static": FlagKind.STATIC, "regex": FlagKind.REGEX}.get(ctfd_type)


def tag_out(tag: ChallengeTag) -> dict[str, Any]:
    return {"id": tag.pk, "challenge_id": tag.challenge_id, "challenge": tag.challenge_id, "value": tag.value}


def hint_out(hint: Hint, language: str) -> dict[str, Any]:
    """The organisers' view of a hint, with its content."""
    return {
        "id": hint.pk,
        "type": "standard",
        "challenge_id": hint.challenge_id,
        "challenge": hint.challenge_id,
        "title": text(hint, "title", language),
        "content": text(hint, "content", language),
        "cost": hint.cost,
        "requirements": None,
    }


def requirements_out(challenge: Challenge) -> dict[str, Any] | None:
    required = sorted(other.pk for other in challenge.prerequisites.all())
    return {"prerequisites": required, "anonymize": False} if required else None


def admin_summary(challenge: Challenge, language: str) -> dict[str, Any]:
    return {
        "id": challenge.pk,
        "name": text(challenge, "title", language),
        "category": challenge.category,
        "value": challenge.value,
        "type": challenge_type(challenge),
        "state": ctfd_state(challenge),
        "max_attempts": challenge.max_attempts,
    }


def admin_challenge(challenge: Challenge, language: str) -> dict[str, Any]:
    """The organisers' view. ``initial``, ``decay`` and ``minimum`` only for a decaying value:
    ctfcli compares them whenever they are present."""
    data = {
        **admin_summary(challenge, language),
        "description": text(challenge, "description", language),
        "attribution": challenge.author,
        "connection_info": text(challenge, "connection_info", language) or None,
        "next_id": None,
        "logic": "any",
        "type_data": {
            "id": challenge_type(challenge),
            "name": challenge_type(challenge),
            "templates": {},
            "scripts": {},
        },
        "requirements": requirements_out(challenge),
        "files": [file_url(attachment) for attachment in challenge.attachments.all()],
        "tags": [tag.value for tag in challenge.tags.all()],
        "hints": [
            {"id": hint.pk, "cost": hint.cost, "title": text(hint, "title", language)} for hint in challenge.hints.all()
        ],
    }
    if challenge.function != ValueFunction.STATIC:
        data |= {
            "initial": challenge.value,
            "decay": challenge.decay,
            "minimum": challenge.minimum,
            "function": challenge.function,
        }
    return data


def player_summary(challenge: Challenge, *, value: int, solves: int, solved: bool, language: str) -> dict[str, Any]:
    return {
        "id": challenge.pk,
        "type": challenge_type(challenge),
        "name": text(challenge, "title", language),
        "value": value,
        "solves": solves,
        "solved_by_me": solved,
        "category": challenge.category,
        "tags": [{"value": tag.value} for tag in challenge.tags.all()],
        "template": "",
        "script": "",
    }
