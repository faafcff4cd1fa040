"""Watching standings refreshes from a benchmark, whether they run inline or in the background.

``standings_changed`` may recompute at once or hand the work to a background thread that
coalesces changes (``STANDINGS_IN_BACKGROUND``). To time "a change committed → the refreshed
snapshots stored" either way, :class:`RefreshWatch` wraps the module's ``_refresh`` (which
computes both views and stores them) and ``standings_changed`` as seen by the callers given, and
records when each request was made and when each refresh started and ended.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from unittest import mock


@dataclass
class RefreshWatch:
    requests: list[float] = field(default_factory=list)  # perf_counter() of each standings_changed call
    refreshes: list[tuple[float, float]] = field(default_factory=list)  # (start, end) of each stored refresh
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def durations(self) -> list[float]:
        with self._changed:
            return [end - start for start, end in self.refreshes]

    def clear(self) -> None:
        with self._changed:
            self.requests.clear()
            self.refreshes.clear()

    def wait_current(self, since: float, timeout: float = 300.0) -> float:
        """Wait until a refresh that started at or after ``since`` has stored its snapshots; return when it did."""
        deadline = time.perf_counter() + timeout
        with self._changed:
            while True:
                done = [end for start, end in self.refreshes if start >= since]
                if done:
                    return min(done)
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise TimeoutError(f"no standings refresh finished within {timeout:.0f} s")
                self._changed.wait(remaining)

    def last_request(self) -> float:
        with self._changed:
            return max(self.requests, default=0.0)


@contextmanager
def watch(*callers: ModuleType) -> Iterator[RefreshWatch]:
    """Patch ``standings._refresh``, and ``standings_changed`` in ``standings`` and each of ``callers``."""
    from kakehashi.ctf.services import standings

    recorder = RefreshWatch()
    original_refresh: Callable[..., Any] = standings._refresh
    original_changed: Callable[..., None] = standings.standings_changed

    def timed_refresh(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = original_refresh(*args, **kwargs)
        end = time.perf_counter()
        with recorder._changed:
            recorder.refreshes.append((start, end))
            recorder._changed.notify_all()
        return result

    def recorded_changed(event_id: int, **kwargs: Any) -> None:
        with recorder._changed:
            recorder.requests.append(time.perf_counter())
        original_changed(event_id, **kwargs)

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(standings, "_refresh", timed_refresh))
        for module in callers:
            stack.enter_context(mock.patch.object(module, "standings_changed", recorded_changed))
        yield recorder


def in_background() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "STANDINGS_IN_BACKGROUND", False))
