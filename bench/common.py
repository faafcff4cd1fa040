"""Helpers shared by the benchmarks: Django set-up, timing statistics and result files.

Nothing here touches the database by itself. Import Django models only after :func:`setup`.
"""

import cProfile
import io
import json
import math
import os
import platform
import pstats
import site
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

EXIT_USAGE = 2


def setup() -> None:
    """Configure Django as the ``kakehashi`` command does: development settings unless told otherwise."""
    from kakehashi.cli import default_settings_module

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())
    import django

    django.setup()


def fail(message: str) -> None:
    """Stop with a clear message and exit status 2 (wrong usage or missing data)."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in 0..1) of ``values``; p50 of an even count is the upper middle."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def timed(function: Callable[[], T]) -> tuple[T, float]:
    """Call ``function`` and return its result with the elapsed wall-clock time in seconds."""
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def database_description() -> dict[str, str]:
    """The database engine and server version in use, for the reports."""
    from django.db import connection

    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
        elif vendor == "postgresql":
            cursor.execute("show server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            version = vendor
    return {"vendor": vendor, "version": version}


def machine_description() -> dict[str, Any]:
    from django.conf import settings

    return {
        "cpus": os.cpu_count() or 0,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "load_average_1min": round(os.getloadavg()[0], 2),  # other work on the machine when the run began
        **database_description(),
    }


def write_json(path: str | None, data: dict[str, Any]) -> None:
    if not path:
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"results written to {target}")


def profile_report(profiler: cProfile.Profile, top: int) -> str:
    """The ``top`` functions by cumulative and by own time, with the repository and site-packages paths cut."""
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stream.write(f"-- by cumulative time (top {top})\n")
    stats.sort_stats("cumulative").print_stats(top)
    stream.write(f"-- by own time (top {top})\n")
    stats.sort_stats("tottime").print_stats(top)
    text = stream.getvalue()
    prefixes = [*site.getsitepackages(), str(Path(__file__).resolve().parent.parent)]
    for prefix in sorted(prefixes, key=len, reverse=True):
        text = text.replace(prefix.rstrip("/") + "/", "")
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line and not line.lstrip().startswith(("Ordered by", "List reduced")))
