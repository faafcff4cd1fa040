"""Versions in the shared cache: random names that change whenever what they name changes.

A process that keeps a copy of something (an event, a challenge's rules, a grant) keeps the version
it read with it, and compares it with the shared one on each use. Changing a version is how every
process on every node learns that its copy is stale.
"""

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.cache import cache
from django.db import transaction


def _new() -> str:
    return uuid.uuid4().hex


def change(keys: Iterable[str]) -> None:
    """Gives each version a new value, at once and again when the current transaction commits (at
    once when there is none), so that no copy made from what was read in between survives."""
    keys = sorted(set(keys))
    if not keys:
        return

    def renew() -> None:
        cache.set_many({key: _new() for key in keys}, timeout=None)

    renew()
    transaction.on_commit(renew, robust=True)


def current(keys: Iterable[str], *, known: Mapping[str, Any] | None = None) -> dict[str, str] | None:
    """The versions named by ``keys``, each made if missing (after the cache was cleared), or
    ``None`` when the shared cache cannot hold them. ``known``: what the caller already read."""
    keys = list(keys)
    found = dict(known) if known is not None else {}
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        found.update(cache.get_many(missing))
        absent = [key for key in missing if found.get(key) is None]
        for key in absent:
            cache.add(key, _new(), timeout=None)
        if absent:
            found.update(cache.get_many(absent))
    if any(found.get(key) is None for key in keys):
        return None
    return {key: str(found[key]) for key in keys}
