"""``flask_novu.testing``: request signing, the signing test client, run_step."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask, jsonify, request

from flask_novu import workflow
from flask_novu.errors import ExecutionStateCorruptError, SignatureMismatchError
from flask_novu.extension import Novu
from flask_novu.signature import verify_signature
from flask_novu.testing import NovuTestClient, run_step, sign_request

KEY = "sk_test_reference_secret"


@workflow(
    "digest-demo",
    payload_schema={
        "type": "object",
        "properties": {"name": {"type": "string", "default": "Ada"}},
        "additionalProperties": False,
    },
)
def digest_demo(payload: dict[str, t.Any], step: t.Any) -> None:
    collected = step.digest("collect", {"amount": 1, "unit": "hours"})
    step.sms(
        "summary",
        lambda controls: {"body": f"{controls['greeting']} {payload['name']}: {len(collected['events'])} events"},
        controlSchema={
            "type": "object",
            "properties": {"greeting": {"type": "string", "default": "Hi"}},
            "additionalProperties": False,
        },
    )


def make_app(secret: str | None = KEY) -> Flask:
    app = Flask(__name__)
    app.config["NOVU_SECRET_KEY"] = secret
    Novu(workflows=[digest_demo]).init_app(app)

    @app.route("/echo", methods=["GET", "POST"])
    def echo() -> t.Any:
        return jsonify(signature=request.headers.get("novu-signature"), body=request.get_data(as_text=True))

    app.test_client_class = NovuTestClient
    return app


# -- sign_request --------------------------------------------------------------------


def test_sign_request_builds_a_header_the_bridge_accepts() -> None:
    headers = sign_request(KEY, {"payload": {"a": 1}}, timestamp_ms=1_700_000_000_000)
    assert list(headers) == ["novu-signature"]
    assert headers["novu-signature"].startswith("t=1700000000000,v1=")
    now = 1_700_000_000_000
    verify_signature(headers["novu-signature"], [KEY], b'{"payload":{"a":1}}', now_ms=now)
    verify_signature(sign_request(KEY, timestamp_ms=now)["novu-signature"], [KEY], None, now_ms=now)
    with pytest.raises(SignatureMismatchError):
        verify_signature(headers["novu-signature"], [KEY], b'{"payload":{"a":2}}', now_ms=now)


# -- NovuTestClient --------------------------------------------------------------------


def test_the_client_signs_gets_and_posts_for_a_strict_bridge() -> None:
    app = make_app()
    client = app.test_client()
    assert isinstance(client, NovuTestClient)
    assert client.get("/api/novu?action=discover").status_code == 200
    response = client.post(
        "/api/novu?action=execute&workflowId=digest-demo&stepId=collect",
        json={"payload": {"name": "Bo"}, "controls": {}, "state": []},
    )
    assert response.status_code == 200, response.json
    assert response.json["outputs"] == {"amount": 1, "unit": "hours"}
    raw = b'{"payload":{},"state":[]}'
    response = client.post(
        "/api/novu?action=preview&workflowId=digest-demo&stepId=summary",
        data=raw,
        content_type="application/json",
    )
    assert response.status_code == 200, response.json


def test_unsigned_and_wrongly_signed_requests_are_still_rejected() -> None:
    app = make_app()
    client = app.test_client()
    unsigned = client.get("/api/novu?action=discover", sign=False)
    assert unsigned.status_code == 401
    assert unsigned.json["code"] == "SignatureNotFoundError"
    forged = client.get("/api/novu?action=discover", headers=sign_request("other-secret"))
    assert forged.json["code"] == "SignatureMismatchError"
    plain_app = Flask(__name__)  # the default client of a plain app signs nothing
    plain_app.config["NOVU_SECRET_KEY"] = KEY
    Novu(workflows=[digest_demo]).init_app(plain_app)
    assert not isinstance(plain_app.test_client(), NovuTestClient)
    assert plain_app.test_client().get("/api/novu?action=discover").status_code == 401


def test_json_bodies_are_sent_compact_in_the_order_given() -> None:
    client = make_app().test_client()
    echoed = client.post("/echo", json={"z": 1, "a": [1, 2]}).json
    assert echoed["body"] == '{"z":1,"a":[1,2]}'
    verify_signature(echoed["signature"], [KEY], echoed["body"].encode())
    assert client.get("/echo").json["signature"].startswith("t=")
    key_override = make_app().test_client()
    key_override.secret_key = "override"
    signature = key_override.get("/echo").json["signature"]
    verify_signature(signature, ["override"], None)


def test_without_a_key_nothing_is_signed() -> None:
    client = make_app(secret=None).test_client()
    assert client.get("/echo").json["signature"] is None
    assert client.get("/api/novu?action=discover").status_code == 200


# -- run_step -----------------------------------------------------------------------------


def test_run_step_executes_one_step() -> None:
    result = run_step(digest_demo, "collect")
    assert result["outputs"] == {"amount": 1, "unit": "hours"}
    assert result["options"] == {"skip": False}
    assert result["metadata"]["status"] == "success"
    digest_result = {"events": [{"id": "1", "time": "2024-01-01T00:00:00Z", "payload": {}}]}
    summary = run_step(
        digest_demo,
        "summary",
        {"name": "Bo"},
        controls={"greeting": "Hey"},
        state={"collect": digest_result},
        subscriber={"subscriberId": "s-1"},
    )
    assert summary["outputs"] == {"body": "Hey Bo: 1 events"}
    wire_state = [{"stepId": "collect", "outputs": digest_result}]
    assert run_step(digest_demo, "summary", state=wire_state)["outputs"] == {"body": "Hi Ada: 1 events"}


def test_run_step_raises_what_the_bridge_would_answer() -> None:
    with pytest.raises(ExecutionStateCorruptError):
        run_step(digest_demo, "summary", {"name": "Bo"})


def test_run_step_preview_mocks_previous_steps() -> None:
    result = run_step(digest_demo, "summary", preview=True)
    assert result["outputs"]["body"].startswith("Hi Ada: ")
