"""The CTFtime JSON scoreboard feed — a pure builder, no I/O.

CTFtime polls ``{"tasks": [name, …], "standings": [{"pos", "team", "score", "taskStats", "lastAccept"}]}``
every minute. Times are Unix seconds; non-ASCII text is escaped as ``\\uXXXX``.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Task:
    challenge_id: int
    name: str
    points: int


@dataclass(frozen=True)
class Standing:
    position: int
    team: str
    score: int
    last_accept: datetime | None
    solves: Mapping[int, datetime] = field(default_factory=dict)  # challenge id → solve time


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def distinct(names: Sequence[str]) -> list[str]:
    """Names made unique (``Name``, ``Name (2)``, …): CTFtime keys task statistics by name."""
    seen: set[str] = set()
    result = []
    for name in names:
        candidate, number = name, 1
        while candidate in seen:
            number += 1
            candidate = f"{name} ({number})"
        seen.add(candidate)
        result.append(candidate)
    return result


def feed(*, tasks: Sequence[Task], standings: Sequence[Standing]) -> dict[str, Any]:
    """The feed document. Solves of challenges missing from ``tasks`` are left out."""
    by_id = {task.challenge_id: task for task in tasks}
    rows: list[dict[str, Any]] = []
    for standing in standings:
        stats = {
            by_id[challenge_id].name: {"points": by_id[challenge_id].points, "time": unix(time)}
            for challenge_id, time in sorted(standing.solves.items(), key=lambda item: (item[1], item[0]))
            if challenge_id in by_id
        }
        row: dict[str, Any] = {"pos": standing.position, "team": standing.team, "score": standing.score}
        row["taskStats"] = stats
        if standing.last_accept is not None:
            row["lastAccept"] = unix(standing.last_accept)
        rows.append(row)
    return {"tasks": [task.name for task in tasks], "standings": rows}


def render(document: Mapping[str, Any]) -> bytes:
    """The feed as ASCII-only JSON bytes."""
    return json.dumps(document, ensure_ascii=True, separators=(",", ":")).encode("ascii")
