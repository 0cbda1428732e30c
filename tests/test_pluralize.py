"""Plurals and singulars as the SDK's filters make them (the npm ``pluralize``
package 8), replayed from ``tests/fixtures/plurals.json``
(``scripts/record_plurals.py``) without node."""

from __future__ import annotations

import json
import pathlib

import pytest

from flask_novu.templating import compile_controls

TABLE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "plurals.json").read_text(encoding="utf-8"))


def _render(template: str) -> str:
    context = {"workflow": {"workflowId": "plurals"}, "payload": {"list": [1, 2, 3]}, "subscriber": {},
               "context": {}, "steps": {}, "env": {}}
    return compile_controls({"body": template}, context)["body"]


def test_the_table_is_broad() -> None:
    assert len(TABLE) >= 3000
    words = {row[0] for row in TABLE}
    assert {"person", "analysis", "OTHERS", "Items", "café", "sheep"} <= words
    assert any(row[1] != row[0] + "s" for row in TABLE) and any(row[2] != row[0] for row in TABLE)


def test_plurals_and_singulars_as_the_package_makes_them() -> None:
    """Through the ``pluralize`` filter: a count of 2 gives the plural, 1 the singular."""
    words = [row[0] for row in TABLE]
    rendered: list[str] = []
    for start in range(0, len(words), 250):  # one step's filter budget per chunk
        chunk = words[start : start + 250]
        body = "|".join(f"{{{{ 2 | pluralize: payload.w{i} }}}}~{{{{ 1 | pluralize: payload.w{i} }}}}"
                        for i in range(len(chunk)))
        context = {"workflow": {"workflowId": "plurals"}, "payload": {f"w{i}": w for i, w in enumerate(chunk)},
                   "subscriber": {}, "context": {}, "steps": {}, "env": {}}
        rendered += compile_controls({"body": body}, context)["body"].split("|")
    expected = [f"2 {many}~1 {one}" for _, many, one in TABLE]
    mismatches = [(word, want, got) for word, want, got in zip(words, expected, rendered) if want != got]
    assert not mismatches, f"{len(mismatches)} of {len(words)}: {mismatches[:10]}"


@pytest.mark.parametrize(("template", "expected"), [
    # observed from the SDK
    ("[{{ 1 | pluralize: 'items' }}][{{ 1 | pluralize: 'people' }}][{{ 1 | pluralize: 'Others' }}]",
     "[1 item][1 person][1 Other]"),
    ("[{{ payload.list | toSentence: '', 2, 'others' }}][{{ payload.list | toSentence: '', 2, 'people' }}]",
     "[1, 2, and 1 other][1, 2, and 1 person]"),
])
def test_a_count_of_one_takes_the_singular(template: str, expected: str) -> None:
    assert _render(template) == expected
