import csv
import io
import json

import pytest

from kakehashi.audit import exports
from kakehashi.audit.tests.factories import EntryFactory
from kakehashi.ctf.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _entries() -> list:  # type: ignore[type-arg]
    event = EventFactory.create()
    return [
        EntryFactory.create(
            event=event,
            source_address="2001:db8::5",
            target_label='チーム「桜」, with "quotes"\nand a new line',
            before={"texts": {"ja": {"title": "旧"}}},
            after={"texts": {"ja": {"title": "新"}}},
        ),
        EntryFactory.create(channel="cli", before={}, after={"value": None}),
    ]


def test_json_lines_round_trip() -> None:
    entries = _entries()
    lines = list(exports.json_lines(entries))
    assert len(lines) == 2
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    assert [json.loads(line) for line in lines] == [exports.entry_record(entry) for entry in entries]
    first = json.loads(lines[0])
    assert set(first) == set(exports.FIELDS)
    assert first["after"] == {"texts": {"ja": {"title": "新"}}}


def test_csv_round_trip() -> None:
    entries = _entries()
    rows = list(csv.DictReader(io.StringIO("".join(exports.csv_rows(entries)))))
    assert len(rows) == 2
    for row, entry in zip(rows, entries, strict=True):
        record = exports.entry_record(entry)
        assert list(row) == list(exports.FIELDS)
        assert json.loads(row["before"]) == record["before"]
        assert json.loads(row["after"]) == record["after"]
        assert row["target_label"] == record["target_label"]
        assert row["id"] == str(record["id"])
        assert row["at"] == record["at"]
        assert row["source_address"] == (record["source_address"] or "")
        assert row["event_id"] == ("" if record["event_id"] is None else str(record["event_id"]))


@pytest.mark.parametrize("label", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_csv_cells_never_start_a_formula(label: str) -> None:
    entry = EntryFactory.create(target_label=label)
    rows = list(csv.DictReader(io.StringIO("".join(exports.csv_rows([entry])))))
    assert rows[0]["target_label"] == "'" + label
    assert json.loads(next(exports.json_lines([entry])))["target_label"] == label


def test_an_empty_export_has_the_header_only() -> None:
    assert list(exports.csv_rows([])) == [",".join(exports.FIELDS) + "\r\n"]
    assert list(exports.json_lines([])) == []
