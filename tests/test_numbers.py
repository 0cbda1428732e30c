"""Request bodies are read with JavaScript number semantics, as the SDK reads them."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from flask_novu import serve, workflow

SEEN: list[t.Any] = []


@workflow("numbers", payload_schema={"type": "object", "additionalProperties": True})
def numbers(payload: dict[str, t.Any], step: t.Any) -> None:
    def echo() -> dict[str, t.Any]:
        SEEN.append(payload["n"])
        return {"n": payload["n"]}

    step.custom("echo", echo, output_schema={"type": "object", "additionalProperties": True})
    step.sms("text", lambda controls: {"body": controls["body"]},
             {"type": "object", "properties": {"body": {"type": "string", "default": "n={{ payload.n }}"}}})


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    serve(app, "/api/novu", [numbers])
    return app


def _execute(app: Flask, step_id: str, number_text: str) -> t.Any:
    body = '{"payload":{"n":%s},"controls":{},"state":[{"stepId":"echo","outputs":{},"state":{"status":"completed"}}],' \
           '"subscriber":{}}' % number_text
    if step_id == "echo":
        body = body.replace('{"stepId":"echo","outputs":{},"state":{"status":"completed"}}', "")
    resp = app.test_client().post(f"/api/novu?action=execute&workflowId=numbers&stepId={step_id}",
                                  data=body, content_type="application/json")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp


@pytest.mark.parametrize(
    ("sent", "python_value", "rendered"),
    [
        ("1.0", 1, "1"),
        ("-0.0", 0, "0"),
        ("1e3", 1000, "1000"),
        ("2.5", 2.5, "2.5"),
        # beyond 2**53 an integer is the nearest double, printed as JavaScript prints it
        ("12345678901234567890", 12345678901234567000, "12345678901234567000"),
        ("9007199254740993", 9007199254740992, "9007199254740992"),
        ("1e21", 1e21, "1e+21"),
    ],
)
def test_numbers_read_as_javascript_reads_them(app: Flask, sent: str, python_value: t.Any, rendered: str) -> None:
    SEEN.clear()
    resp = _execute(app, "echo", sent)
    assert SEEN == [python_value] and type(SEEN[0]) is type(python_value)
    assert resp.get_json()["outputs"] == {"n": python_value}
    assert _execute(app, "text", sent).get_json()["outputs"] == {"body": f"n={rendered}"}


@pytest.mark.parametrize("sent", ["1e999", "-1e999"])
def test_numbers_beyond_a_double_are_a_json_400(app: Flask, sent: str) -> None:
    resp = app.test_client().post("/api/novu?action=execute&workflowId=numbers&stepId=echo",
                                  data='{"payload":{"n":%s},"controls":{},"state":[]}' % sent,
                                  content_type="application/json")
    assert resp.status_code == 400
    assert "is out of range" in resp.get_json()["message"]
