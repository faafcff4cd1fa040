"""The audit log as JSON Lines or CSV: one entry per line or row, the same fields in both.

Text cells of the CSV that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) are written with a leading apostrophe; JSON Lines are written as they are.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from kakehashi.audit.models import Entry

FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "event_id",
    "channel",
    "source_address",
    "before",
    "after",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def entry_record(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "event_id": entry.event_id,
        "channel": entry.channel,
        "source_address": entry.source_address,
        "before": entry.before,
        "after": entry.after,
    }


def json_lines(entries: Iterable[Entry]) -> Iterator[str]:
    for entry in entries:
        yield json.dumps(entry_record(entry), ensure_ascii=False, cls=DjangoJSONEncoder, sort_keys=True) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_rows(entries: Iterable[Entry]) -> Iterator[str]:
    """The header, then one row per entry; ``before`` and ``after`` are JSON text, an absent value is empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(FIELDS)
    for entry in entries:
        record = entry_record(entry)
        yield line(_cell(record[field]) for field in FIELDS)
