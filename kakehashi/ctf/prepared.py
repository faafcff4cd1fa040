"""The hot reads of an event, prepared once per change and kept in this process as JSON bytes.

- The scoreboard document depends only on the standings snapshot, the view, the bracket and the
  page asked for: it is encoded once per new snapshot and served as bytes to every reader.
- The challenge list has a shared part (titles in the reader's language, categories, tags, values,
  solve counts, prerequisites), prepared once per change of the board or of the standings, and a
  part of the reader's own (solved, prerequisites met), filled in from one query per request.

Both carry an ``ETag`` naming what they were built from, so pollers revalidate with ``304``.
Visibility rules stay in :mod:`kakehashi.ctf.selectors`; this module only prepares what they allow.
"""

import hashlib
import json
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from kakehashi.core.memo import Memo
from kakehashi.ctf import selectors
from kakehashi.ctf.choices import ChallengeState
from kakehashi.ctf.models import Event
from kakehashi.ctf.schemas import ScoreboardOut, ScoreEntryOut, SeriesOut
from kakehashi.ctf.services.standings import board_version, snapshot
from kakehashi.ctf.services.standings import read_ahead_keys as standings_keys

MEMO_SIZE = 256


_documents = Memo(MEMO_SIZE)
_boards = Memo(MEMO_SIZE)
_releases = Memo(MEMO_SIZE)


def _encode(data: Any) -> bytes:
    """JSON exactly as the API's renderer writes it (dates included)."""
    return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def _etag(*parts: object) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f'W/"{digest}"'


@dataclass(frozen=True)
class Document:
    etag: str
    body: bytes


def _release_epoch(event: Event, board: str) -> int:
    """How many scheduled challenges have been released by now: a release changes what is visible
    without any write, so prepared answers name it too. One query per board version."""
    times: list[datetime] | None = _releases.get((event.pk, board))
    if times is None:
        times = sorted(t for t in event.challenges.exclude(release_at=None).values_list("release_at", flat=True) if t)
        _releases.put((event.pk, board), times)
    return bisect_right(times, timezone.now())


def scoreboard(
    event: Event,
    *,
    view: str,
    country: str | None = None,
    bracket_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Document:
    """The scoreboard answer of the API, as bytes, with its ETag."""
    board = selectors.scoreboard(event, view=view, country=country, bracket_id=bracket_id)
    shared = board.snapshot
    version = board_version(event.pk)
    key = (
        event.pk,
        view,
        shared.version,
        shared.computed_at,
        board.frozen,
        country,
        bracket_id,
        limit,
        offset,
        version,
        _release_epoch(event, version),
    )
    document: Document | None = _documents.get(key)
    if document is not None:
        return document
    staff = view == "live"
    end = None if limit is None else offset + limit
    page = board.entries[offset:end]
    visible = {entry.team_id for entry in board.entries}
    data = ScoreboardOut(
        frozen=board.frozen,
        live=staff,
        version=shared.version,
        total=len(board.entries),
        entries=[ScoreEntryOut(**entry._asdict()) for entry in page],
        series=[
            SeriesOut(team_id=s.account_id, points=list(s.points)) for s in shared.series if s.account_id in visible
        ],
        solve_counts=selectors.visible_counts(event, shared.solve_counts, staff=staff),
        bloods=selectors.visible_bloods(event, shared.bloods, staff=staff),
    )
    document = Document(etag=_etag("scoreboard", *key), body=_encode(data.model_dump()))
    _documents.put(key, document)
    return document


@dataclass(frozen=True)
class _BoardItem:
    id: int
    # The item's JSON, once for each value of the two fields of the reader's team (solved, prerequisites met).
    variants: dict[tuple[bool, bool], bytes]
    required: frozenset[int]
    release_at: datetime | None


def board_view(*, staff: bool) -> str:
    """The standings view a challenge list shows its values and solve counts from."""
    return "live" if staff else "public"


def _board(
    event: Event, *, staff: bool, language: str, known: Mapping[str, Any] | None = None
) -> tuple[tuple[Any, ...], list[_BoardItem]]:
    """The shared part of the challenge list, prepared once per board and standings version."""
    shared = snapshot(event, board_view(staff=staff), known=known)
    version = board_version(event.pk, known=known)
    key = (event.pk, staff, language, version, shared.version, shared.computed_at)
    items: list[_BoardItem] | None = _boards.get(key)
    if items is None:
        items = []
        for challenge in selectors.playable_challenges(event, now=_far_future(), staff=staff):
            rendition = challenge.rendition(language)
            summary = {
                "id": challenge.pk,
                "title": rendition.row.title if rendition.row is not None else "",
                "title_language": rendition.language,
                "titles": {code: row.title for code, row in challenge.translation_map().items()},
                "category": challenge.category,
                "tags": [tag.value for tag in challenge.tags.all()],
                "difficulty": challenge.difficulty,
                "value": shared.values.get(challenge.pk, challenge.value),
                "solves": shared.solve_counts.get(challenge.pk, 0),
                "locked": challenge.state == ChallengeState.LOCKED,
                "release_at": challenge.release_at,
            }
            required = frozenset(pre.pk for pre in challenge.prerequisites.all())
            head = _encode(summary)[:-1]  # encoded once; a request only picks the variant of its team
            variants = {team_fields: head + tail for team_fields, tail in _TEAM_FIELDS.items()}
            items.append(
                _BoardItem(id=challenge.pk, variants=variants, required=required, release_at=challenge.release_at)
            )
        _boards.put(key, items)
    return key, items


def _far_future() -> datetime:
    # Scheduled challenges are prepared too, and shown to participants only once released.
    return datetime(9000, 1, 1, tzinfo=UTC)


def challenge_list(
    event: Event, *, team_id: int | None, staff: bool, language: str, known: Mapping[str, Any] | None = None
) -> Document:
    """The challenge list of one team (or of staff without a team), as bytes, with its ETag.
    ``known``: the shared-cache keys of :func:`read_ahead_keys` the caller already read."""
    key, items = _board(event, staff=staff, language=language, known=known)
    now = timezone.now()
    shown = [item for item in items if staff or item.release_at is None or item.release_at <= now]
    solved = selectors.solved_challenge_ids(team_id) if team_id is not None else frozenset()
    # Releases only add to what is shown, so for one prepared board the count names the set.
    etag = _etag("challenges", key, team_id, len(shown), sorted(solved))
    body = b",".join(item.variants[item.id in solved, item.required <= solved] for item in shown)
    return Document(etag=etag, body=b"[" + body + b"]")


def read_ahead_keys(event_id: int, *, staff: bool) -> list[str]:
    """The shared-cache keys a challenge list reads (standings stamp, board version)."""
    return standings_keys(event_id, board_view(staff=staff))


_TEAM_FIELDS = {
    (solved, met): f',"solved":{str(solved).lower()},"prerequisites_met":{str(met).lower()}}}'.encode()
    for solved in (False, True)
    for met in (False, True)
}


def forget() -> None:
    """Drop every prepared answer of this process (tests; a cache flush does it by versions)."""
    _documents.clear()
    _boards.clear()
    _releases.clear()
