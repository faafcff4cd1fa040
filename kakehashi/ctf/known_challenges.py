"""What judging a flag needs of a challenge, kept by this process while it is current.

Every flag submission needs the challenge's row, its flags and its prerequisites, and a solve's
announcement needs its titles: four reads per attempt that change only when an organiser edits the
challenge. Each process keeps them per challenge (:class:`Rules`), and one small shared-cache read
(made together with the caller's other reads, ``known``) tells it whether they are still current:

- Any write to a challenge, its texts, its flags or its prerequisites (``save``, ``delete`` and
  prerequisite changes, through any path: services, imports, the admin) changes the challenge's
  shared version, once at once and once more when the transaction commits, so that no process keeps
  what it read in between (signals, connected in :mod:`kakehashi.ctf.apps`). Bulk ``update()`` of
  these rows and raw SQL go unseen; :data:`MAX_AGE` bounds how long.
- A missing version (the cache was cleared) is made anew, which makes every process read again; an
  unreachable shared cache means reading the database every time.
- The kept :class:`Rules` are shared by every request of the process, so they are read only: the
  challenge row in them must not be changed (callers that need to set something copy it).
"""

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from kakehashi.core import versions
from kakehashi.core.memo import Memo
from kakehashi.core.queries import only_row
from kakehashi.ctf.models import Challenge, Flag

MAX_AGE = 600.0  # seconds; bounds a change made by bulk update or raw SQL
MAX_ENTRIES = 4096


@dataclass(frozen=True)
class FlagRule:
    kind: str
    content: str
    case_insensitive: bool


@dataclass(frozen=True)
class Rules:
    """A challenge as judging reads it. Read only: shared by every request of this process."""

    challenge: Challenge
    flags: tuple[FlagRule, ...]
    required: frozenset[int]
    titles: Mapping[str, str]


_kept = Memo(MAX_ENTRIES)


def version_key(challenge_id: int) -> str:
    return f"ctf:challenge-version:{challenge_id}"


def _shared_cache_down() -> bool:
    return bool(getattr(cache, "redis_down", False))


def _version(challenge_id: int, known: Mapping[str, Any] | None) -> str | None:
    if _shared_cache_down():
        return None
    key = version_key(challenge_id)
    found = versions.current([key], known=known)
    return None if found is None else found[key]


def _load(challenge_id: int) -> Rules | None:
    challenge = only_row(Challenge.objects.filter(pk=challenge_id).prefetch_related("translations"))
    if challenge is None:
        return None
    flags = tuple(
        FlagRule(kind=kind, content=content, case_insensitive=insensitive)
        for kind, content, insensitive in Flag.objects.filter(challenge_id=challenge_id)
        .order_by("pk")
        .values_list("kind", "content", "case_insensitive")
    )
    required = frozenset(challenge.prerequisites.values_list("pk", flat=True))
    titles = {code: row.title for code, row in challenge.translation_map().items()}
    return Rules(challenge=challenge, flags=flags, required=required, titles=titles)


def rules(challenge_id: int, *, known: Mapping[str, Any] | None = None) -> Rules | None:
    """The challenge's judging rules, or ``None`` if it does not exist. ``known``: shared-cache keys
    the caller already read (:func:`version_key` of this challenge among them)."""
    version = _version(challenge_id, known)
    now = time.monotonic()
    held = _kept.get((challenge_id,))
    if held is not None and version is not None and held[0] == version and now - held[1] < MAX_AGE:
        found: Rules = held[2]
        return found
    loaded = _load(challenge_id)
    if loaded is not None and version is not None:
        _kept.put((challenge_id,), (version, now, loaded))
    return loaded


def challenges_changed(challenge_ids: Iterable[int]) -> None:
    """These challenges' rules changed: every process reads them again (now, and after the commit)."""
    versions.change(version_key(pk) for pk in challenge_ids if pk is not None)


def forget() -> None:
    """Drop every kept challenge of this process (tests)."""
    _kept.clear()


# --- signal receivers ------------------------------------------------------------------------------


def on_challenge_write(sender: type, instance: Any, **kwargs: Any) -> None:
    """A challenge was saved or deleted."""
    challenges_changed([instance.pk])


def on_challenge_row_write(sender: type, instance: Any, **kwargs: Any) -> None:
    """A flag or a text of a challenge was saved or deleted."""
    challenges_changed([instance.challenge_id])


def on_prerequisites_changed(
    sender: type, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    """Prerequisites were added, removed or cleared, from either side of the relation."""
    if not action.startswith("post_"):
        return
    if not reverse:
        challenges_changed([instance.pk])
    elif pk_set:
        challenges_changed(pk_set)
    else:  # cleared from the prerequisite's side: which challenges required it is no longer known
        challenges_changed(Challenge.objects.filter(event_id=instance.event_id).values_list("pk", flat=True))
