"""Numbers printed as JavaScript prints them, in templates and validation messages."""

from __future__ import annotations

import json
import pathlib
import random
import shutil
import sys
import typing as t

import pytest

from flask import Flask

from flask_novu import serve, workflow
from flask_novu._jsnumber import js_number
from flask_novu.templating import compile_controls

ROOT = pathlib.Path(__file__).resolve().parent.parent
TABLE = json.loads((ROOT / "tests" / "fixtures" / "js_numbers.json").read_text(encoding="utf-8"))


def _value(text: str, kind: str) -> t.Union[int, float]:
    return int(text) if kind == "int" else float(text)


def test_recorded_table_is_broad() -> None:
    """The table covers both layouts, both exponent signs, specials and big integers."""
    printed = [row[2] for row in TABLE]
    assert len(TABLE) > 3000
    assert {"NaN", "Infinity", "-Infinity", "0", "5e-324"} <= set(printed)
    assert any("e+" in p for p in printed) and any("e-" in p for p in printed)
    assert any(p.startswith("0.00000") for p in printed)
    assert any(kind == "int" and len(text) > 17 for text, kind, _ in TABLE)


def test_matches_javascript_over_the_recorded_table() -> None:
    """``String(number)`` in node for 3,700 numbers (scripts/record_js_numbers.py)."""
    mismatches = [(text, js, js_number(_value(text, kind))) for text, kind, js in TABLE]
    assert [m for m in mismatches if m[1] != m[2]] == []


@pytest.mark.skipif(not shutil.which("node"), reason="needs node")
def test_matches_javascript_live_on_fresh_random_numbers() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from record_js_numbers import generate, js_print
    finally:
        sys.path.pop(0)
    inputs = generate(seed=random.randrange(2**32), randoms=300)
    printed = js_print([text for text, _ in inputs])
    mismatches = [
        (text, js, js_number(_value(text, kind)))
        for (text, kind), js in zip(inputs, printed)
        if js != js_number(_value(text, kind))
    ]
    assert mismatches == []


@pytest.mark.parametrize(
    ("schema", "value", "message"),
    [
        ({"type": "number", "maximum": 0.00001}, 1, "must be <= 0.00001"),
        ({"type": "number", "minimum": 1e21}, 1, "must be >= 1e+21"),
        ({"type": "number", "exclusiveMaximum": 1.5e-7}, 1, "must be < 1.5e-7"),
        ({"type": "number", "multipleOf": 0.000001}, 1.0000005, "must be multiple of 0.000001"),
    ],
)
def test_validation_messages_print_numbers_like_javascript(
    schema: dict[str, t.Any], value: t.Any, message: str
) -> None:
    @workflow("limits")
    def limits(payload: t.Any, step: t.Any) -> None:
        step.custom("s", lambda controls: {}, control_schema={"type": "object", "properties": {"n": schema}})

    app = Flask(__name__)
    serve(app, workflows=[limits])
    response = app.test_client().post(
        "/api/novu?action=execute&workflowId=limits&stepId=s", json={"payload": {}, "controls": {"n": value}}
    )
    assert response.status_code == 400
    assert response.get_json()["data"] == [{"path": "/n", "message": message}]


def test_templates_print_numbers_like_javascript() -> None:
    compiled = compile_controls({"a": "{{ n }}", "b": "{{ m }}"}, {"n": 0.00001, "m": 1e21})
    assert compiled == {"a": "0.00001", "b": "1e+21"}
