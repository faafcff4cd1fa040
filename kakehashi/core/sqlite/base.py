"""Django's SQLite backend, with the writing transactions of one process queued in the process.

SQLite admits one writer at a time. Transactions start with ``BEGIN IMMEDIATE`` (settings), so a
second writer learns at once that the database is busy, and SQLite's busy handler then sleeps and
tries again, for 1, 2, 5, 10, ... up to 100 ms at a time. Under a burst of flag submissions the
writer's lock is usually free again long before the sleeper wakes: the threads of one process spent
a third of their time in those sleeps, and the wait, not the work, made the queue.

Here a writing transaction first takes a lock of this process for the database file, then begins;
it lets go when it commits, rolls back or its connection closes. Writers of one process so take
turns at once and in order, and SQLite's own locking still separates processes (the busy handler
remains for those). Reads, in autocommit, are not affected.
"""

import threading
from typing import Any

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

_writers: dict[str, threading.Lock] = {}
_writers_guard = threading.Lock()


def writer_lock(name: str) -> threading.Lock:
    """The lock the writers of this process take for the database ``name``."""
    with _writers_guard:
        return _writers.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: threading.Lock | None = None

    def _start_transaction_under_autocommit(self) -> None:
        lock = writer_lock(str(self.settings_dict["NAME"]))
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        if not lock.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self._held = lock
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._let_go()
            raise

    def _let_go(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._let_go()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()
