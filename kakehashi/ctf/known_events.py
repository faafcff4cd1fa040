"""Events as this process last read them, kept by version.

Nearly every request about an event starts by reading it: the row and its translations, two
queries, which on the hot paths (the challenge list, a flag submission) cost as much as the rest
of the request's reading. Events change rarely, so each process keeps the events it has read,
and one small shared-cache read tells it whether they are still current:

- Any write to an event or its texts (``save`` or ``delete``, through any path: services, imports,
  the admin) changes the shared version (:func:`events_changed`), once at once and once more when
  the transaction commits, so that no process keeps what it read in between; bulk ``update()``
  of events too (``EventQuerySet``). Only raw SQL goes unseen.
- An entry is also read again after :data:`MAX_AGE` seconds, so that a version change missed while
  the shared cache was unreachable (each process falls back to its own memory then) is bounded.
- Each caller gets its own copy (kept pickled), so nothing one request sets on its event is seen
  by another; :func:`shared_by_id` hands out one instance per version instead, for readers that
  set nothing on it (the challenge-list shortcut, :mod:`kakehashi.ctf.shortcut`).
"""

import pickle
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kakehashi.core import versions
from kakehashi.core.queries import only_row
from kakehashi.ctf.models import Event

VERSION_KEY = "ctf:events-version"
MAX_AGE = 5.0  # seconds
MAX_ENTRIES = 1024

_entries: dict[tuple[str, Any], tuple[str, float, bytes]] = {}
_shared: dict[tuple[str, Any], tuple[str, float, Event]] = {}
_lock = threading.Lock()


def _version() -> str | None:
    found = versions.current([VERSION_KEY])
    return None if found is None else found[VERSION_KEY]


def _kept(key: tuple[str, Any], load: Callable[[], Event | None]) -> Event | None:
    version = _version()
    now = time.monotonic()
    with _lock:
        entry = _entries.get(key)
    if entry is not None and version is not None and entry[0] == version and now - entry[1] < MAX_AGE:
        event: Event = pickle.loads(entry[2])  # noqa: S301  (bytes this process pickled itself)
        return event
    found = load()
    if found is not None and version is not None:
        pickled = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[key] = (version, now, pickled)
    return found


def _query() -> Any:
    return Event.objects.prefetch_related("translations")


def by_slug(slug: str) -> Event | None:
    """The event with this address name, with its translations, or ``None``."""
    return _kept(("slug", slug), lambda: only_row(_query().filter(slug=slug)))


def by_id(event_id: int) -> Event | None:
    """The event with this id, with its translations, or ``None``."""
    return _kept(("id", event_id), lambda: only_row(_query().filter(pk=event_id)))


def shared_by_id(event_id: int, *, known: Mapping[str, Any] | None = None) -> Event | None:
    """Like :func:`by_id`, but every caller gets the same instance while it is current: read only.
    ``known``: shared-cache keys the caller already read (:data:`VERSION_KEY` among them)."""
    key = ("id", event_id)
    version = str(known[VERSION_KEY]) if known is not None and known.get(VERSION_KEY) is not None else _version()
    with _lock:
        held = _shared.get(key)
    if held is not None and version is not None and held[0] == version and time.monotonic() - held[1] < MAX_AGE:
        return held[2]
    found = by_id(event_id)
    if found is not None and version is not None:
        with _lock:
            entry = _entries.get(key)
            if entry is not None and entry[0] == version:  # stamped with the time its row was read
                if len(_shared) >= MAX_ENTRIES:
                    _shared.clear()
                _shared[key] = (version, entry[1], found)
    return found


def events_changed() -> None:
    """An event or its texts changed: every process reads events again (now, and after the commit)."""
    versions.change([VERSION_KEY])


def forget() -> None:
    """Drop every kept event of this process (tests)."""
    with _lock:
        _entries.clear()
        _shared.clear()


def on_event_write(sender: type, **kwargs: Any) -> None:
    """Signal receiver for saves and deletions of events and their translations."""
    events_changed()
