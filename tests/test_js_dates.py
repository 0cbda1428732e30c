"""Payload text read as a date the way JavaScript's ``new Date(text)`` reads it.

LiquidJS's date filters hand text that is not ISO 8601 to V8's legacy date
parser. ``tests/fixtures/js_dates.json`` (``scripts/record_js_dates.py``)
holds 4,000 generated texts (times, AM/PM and offsets included) and date
texts as programs write them, with node's reading of each (``TZ=UTC``); the
table is replayed through the ``date`` filter without node.
"""

from __future__ import annotations

import json
import pathlib

import pytest

from flask_novu.templating import compile_controls

TABLE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "js_dates.json").read_text(encoding="utf-8"))
FORMAT = "%Y-%m-%dT%H:%M:%S"


def _render(texts: list[str]) -> list[str]:
    controls = {f"c{i}": f"{{{{ payload.v{i} | date: '{FORMAT}' }}}}" for i in range(len(texts))}
    context = {"workflow": {"workflowId": "dates"}, "payload": {f"v{i}": text for i, text in enumerate(texts)},
               "subscriber": {}, "context": {}, "steps": {}, "env": {}}
    compiled = compile_controls(controls, context)
    return [compiled[f"c{i}"] for i in range(len(texts))]


def _expected(text: str, iso: str) -> str:
    """What the filter prints: the date, or the text itself when it is no date."""
    return text if iso == "Invalid" else iso[:19]


def test_the_table_is_broad() -> None:
    valid = [iso for _, iso in TABLE if iso != "Invalid"]
    assert len(TABLE) >= 4000 and len(valid) >= 500
    assert {iso[:4] for iso in valid} >= {"2000", "2001", "2024", "1999"}
    assert any(iso.endswith("05:00:00.000Z") for iso in valid)  # a zone name ("5 est")
    assert any(iso[11:19] not in ("00:00:00", "05:00:00") for iso in valid)  # times
    assert ["Tue Mar 05 2024 14:30:00 GMT+0100", "2024-03-05T13:30:00.000Z"] in TABLE  # Date.toString()


def test_dates_read_as_javascript_reads_them(utc: None) -> None:
    """Every recorded text: the same date as node, or no date where node has none.

    Years beyond 9999 (``"$10031"``), which Python's dates cannot hold, are
    no date here (a deliberate difference, docs/protocol.rst)."""
    rows = [(text, iso) for text, iso in TABLE if not iso.startswith(("+", "-"))]
    rendered = _render([text for text, _ in rows])
    mismatches = [(text, iso, got) for (text, iso), got in zip(rows, rendered) if got != _expected(text, iso)]
    assert not mismatches, f"{len(mismatches)} of {len(rows)}: {mismatches[:10]}"


def test_years_beyond_9999_are_no_date(utc: None) -> None:
    rows = [(text, iso) for text, iso in TABLE if iso.startswith(("+", "-"))]
    assert rows
    assert _render([text for text, _ in rows]) == [text for text, _ in rows]


@pytest.mark.parametrize(("text", "expected"), [
    ("line\nbreak 🚀 $5", "2001-05-01T00:00:00"),  # observed from the SDK
    ("0,z", "2000-01-01T00:00:00"),
    ("100%", "0100-01-01T00:00:00"),
    ("5 est", "2001-05-01T05:00:00"),
    ("5 am", "5 am"),
    ("Tue Mar 05 2024 14:30:00 GMT+0100 (Central European Standard Time)", "2024-03-05T13:30:00"),
    ("3/5/2024, 2:30:00 PM", "2024-03-05T14:30:00"),
])
def test_a_few_by_name(text: str, expected: str, utc: None) -> None:
    assert _render([text]) == [expected]
