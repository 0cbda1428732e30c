"""The :class:`Novu` extension: registration, triggers, recording, the example app."""

from __future__ import annotations

import importlib.util
import sys
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from _fake_novu_api import (
    KEY,
    LIVE_BRIDGE_TRIGGER,
    LIVE_WORKFLOW_TRIGGER,
    MOCK_RESPONSE,
    FakeNovuAPI,
)

from _novu_server_client import NovuServer
from flask_novu import serve, workflow
from flask_novu.errors import (
    MissingSecretKeyError,
    NovuAPIError,
    WorkflowPayloadInvalidError,
)
from flask_novu.extension import Novu

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ORDER_SCHEMA = {
    "type": "object",
    "properties": {"orderId": {"type": "string"}, "count": {"type": "number", "default": 1}},
    "required": ["orderId"],
    "additionalProperties": False,
}


@workflow("delayed-sms", payload_schema=ORDER_SCHEMA)
def delayed_sms(payload: dict[str, t.Any], step: t.Any) -> None:
    step.sms("sms-reminder", lambda: {"body": f"order {payload['orderId']}"})


@workflow("schemaless")
def schemaless(payload: dict[str, t.Any], step: t.Any) -> None:
    step.in_app("inbox", {"body": "hi"})


def make_app(novu: Novu, **config: t.Any) -> Flask:
    app = Flask(__name__)
    app.config.update(config)
    novu.init_app(app)
    return app


# -- registration -----------------------------------------------------------------


def test_init_app_sets_defaults_and_refuses_a_second_registration() -> None:
    novu = Novu(workflows=[delayed_sms])
    app = make_app(novu, TESTING=True)
    assert app.extensions["novu"] is novu
    config = app.config
    assert config["NOVU_ROUTE"] == "/api/novu"
    assert config["NOVU_API_URL"] == "https://api.novu.co"
    assert config["NOVU_SUPPRESS_SEND"] is True
    assert config["NOVU_SECRET_KEY"] is None and config["NOVU_BRIDGE_URL"] is None
    assert "novu" in app.cli.commands
    with pytest.raises(RuntimeError, match="already been registered"):
        novu.init_app(app)
    assert make_app(Novu(), TESTING=False).config["NOVU_SUPPRESS_SEND"] is False


def test_environment_fills_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOVU_API_KEY", "env-key")
    monkeypatch.setenv("NOVU_API_URL", "https://eu.api.novu.co")
    app = make_app(Novu())
    assert app.config["NOVU_SECRET_KEY"] == "env-key"
    assert app.config["NOVU_API_URL"] == "https://eu.api.novu.co"


def test_app_factory_serves_several_apps_and_keeps_no_app() -> None:
    novu = Novu()
    novu.add_workflow(delayed_sms)

    @novu.workflow("late")
    def late(payload: dict[str, t.Any], step: t.Any) -> None:
        step.sms("text", {"body": "x"})

    first = make_app(novu)
    second = make_app(novu, NOVU_ROUTE="/hooks/novu")
    assert not any(isinstance(value, Flask) for value in vars(novu).values())
    ids = [w["workflowId"] for w in first.test_client().get("/api/novu?action=discover").json["workflows"]]
    assert ids == ["delayed-sms", "late"]
    assert second.test_client().get("/hooks/novu?action=discover").status_code == 200
    assert second.test_client().get("/api/novu").status_code == 404
    assert novu.get_bridge(first) is not novu.get_bridge(second)
    with first.app_context():
        assert novu.get_bridge() is novu.get_bridge(first)
    with pytest.raises(RuntimeError, match="init_app"):
        novu.get_bridge(Flask("other"))
    with pytest.raises(TypeError):
        novu.add_workflow(lambda payload, step: None)  # type: ignore[arg-type]


# -- novu.trigger / novu.cancel against the loopback API ----------------------------------


def test_trigger_validates_fills_defaults_and_sends_the_oracle_bytes(novu_api: FakeNovuAPI) -> None:
    novu = Novu(workflows=[delayed_sms])
    app = make_app(
        novu,
        NOVU_SECRET_KEY=KEY,
        NOVU_API_URL=novu_api.url,
        NOVU_BRIDGE_URL="http://127.0.0.1:4000/api/novu",
    )
    with app.app_context():
        result = novu.trigger(
            "delayed-sms",
            {"subscriberId": "sub_123", "email": "ada@example.com"},
            {"orderId": "ord_42"},
            transaction_id="txn_abc",
            actor="actor_1",
            overrides={"email": {"from": "ops@example.com"}},
            context={"tenant": "org-acme"},
        )
        assert result == MOCK_RESPONSE
        novu.cancel("txn_abc")
    trigger, cancel = novu_api.requests
    assert trigger.body == LIVE_WORKFLOW_TRIGGER
    assert trigger.headers["authorization"] == f"ApiKey {KEY}"
    assert (cancel.method, cancel.path) == ("DELETE", "/v1/events/trigger/txn_abc")


def test_invalid_payload_raises_before_any_request(novu_api: FakeNovuAPI) -> None:
    novu = Novu(workflows=[delayed_sms])
    app = make_app(novu, NOVU_SECRET_KEY=KEY, NOVU_API_URL=novu_api.url)
    with app.app_context(), pytest.raises(WorkflowPayloadInvalidError) as info:
        novu.trigger("delayed-sms", "sub_123", {"wrong": True})
    assert (info.value.status_code, info.value.code) == (400, "WorkflowPayloadInvalidError")
    assert info.value.data == [{"path": "", "message": "must have required property 'orderId'"}]
    assert novu_api.requests == []


def test_unknown_or_schemaless_workflows_send_the_payload_as_given(novu_api: FakeNovuAPI) -> None:
    novu = Novu(workflows=[schemaless])
    app = make_app(novu, NOVU_SECRET_KEY=KEY, NOVU_API_URL=novu_api.url)
    with app.app_context():
        novu.trigger("schemaless", "s", {"free": "form"}, bridge_url="https://explicit/api/novu")
        novu.trigger("elsewhere", "s")
    assert novu_api.requests[0].body == (
        b'{"name":"schemaless","to":"s","payload":{"free":"form"},"bridgeUrl":"https://explicit/api/novu"}'
    )
    assert novu_api.requests[1].body == b'{"name":"elsewhere","to":"s"}'


def test_trigger_without_key_or_with_an_api_error(novu_api: FakeNovuAPI) -> None:
    novu = Novu()
    app = make_app(novu, NOVU_API_URL=novu_api.url)
    with app.app_context(), pytest.raises(MissingSecretKeyError):
        novu.trigger("w", "s")
    app.config["NOVU_SECRET_KEY"] = "bad"
    novu_api.respond(401, {"statusCode": 401, "error": "Unauthorized", "message": "API Key not found"})
    with app.app_context(), pytest.raises(NovuAPIError) as info:
        novu.trigger("w", "s")
    assert (info.value.status_code, info.value.code, info.value.message) == (
        401,
        "Unauthorized",
        "API Key not found",
    )


# -- recording ------------------------------------------------------------------------------


def test_record_triggers_sends_nothing(novu_api: FakeNovuAPI) -> None:
    novu = Novu(workflows=[delayed_sms])
    app = make_app(novu, NOVU_SECRET_KEY=KEY, NOVU_API_URL=novu_api.url, NOVU_SUPPRESS_SEND=False)
    with app.app_context():
        with novu.record_triggers() as outbox:
            with novu.record_triggers() as inner:
                novu.trigger("delayed-sms", "sub", {"orderId": "o-1"})
            novu.cancel("txn-1")
        assert [r.action for r in outbox] == ["trigger", "cancel"]
        assert [r.action for r in inner] == ["trigger"]
        assert outbox[0].payload == {"orderId": "o-1", "count": 1}
        assert novu_api.requests == []
        novu.trigger("delayed-sms", "sub", {"orderId": "o-2"})  # recording is over: sent
    assert len(novu_api.requests) == 1


def test_suppress_send_needs_no_key_and_sends_nothing(novu_api: FakeNovuAPI) -> None:
    novu = Novu(workflows=[delayed_sms])
    app = make_app(novu, TESTING=True, NOVU_API_URL=novu_api.url)
    with app.app_context():
        result = novu.trigger("delayed-sms", "sub", {"orderId": "o-1"}, transaction_id="t-1")
    assert result["data"] == {"acknowledged": True, "status": "recorded", "transactionId": "t-1"}
    assert novu_api.requests == []


# -- the bridge's ?action=trigger --------------------------------------------------------------


def test_bridge_trigger_action_forwards_the_oracle_bytes(novu_api: FakeNovuAPI) -> None:
    novu = Novu(workflows=[delayed_sms])
    app = make_app(novu, NOVU_SECRET_KEY=KEY, NOVU_API_URL=novu_api.url, NOVU_STRICT_AUTHENTICATION=False)
    response = app.test_client().post(
        "/api/novu?action=trigger&workflowId=delayed-sms",
        data=b'{"to":"sub_123","payload":{"orderId":"ord_42"},"transactionId":"txn_abc"}',
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json == MOCK_RESPONSE
    assert response.headers["Novu-Framework-Version"] == "2024-06-26"
    (sent,) = novu_api.requests
    assert sent.body == LIVE_BRIDGE_TRIGGER
    assert sent.headers["authorization"] == f"ApiKey {KEY}"


def test_bridge_trigger_action_is_recorded_and_reports_api_errors(novu_api: FakeNovuAPI) -> None:
    novu = Novu(workflows=[delayed_sms])
    app = make_app(novu, NOVU_SECRET_KEY=KEY, NOVU_API_URL=novu_api.url, NOVU_STRICT_AUTHENTICATION=False)
    client = app.test_client()
    url = "/api/novu?action=trigger&workflowId=delayed-sms"
    with novu.record_triggers() as outbox:
        assert client.post(url, json={"to": "sub"}).status_code == 200
    assert outbox[0].body == {"name": "delayed-sms", "to": "sub", "payload": {}, "overrides": {}}
    assert novu_api.requests == []
    novu_api.respond(400, {"statusCode": 400, "error": "Bad Request", "message": "workflow_not_found"})
    response = client.post(url, json={"to": "sub"})
    assert response.status_code == 400
    assert response.json["code"] == "BridgeError"
    assert response.json["message"] == "workflow_not_found"


def test_bridge_trigger_action_with_serve(novu_api: FakeNovuAPI) -> None:
    app = Flask(__name__)
    app.config["NOVU_API_URL"] = novu_api.url
    serve(app, workflows=[delayed_sms], secret_key=KEY, strict_authentication=False)
    response = app.test_client().post(
        "/api/novu?action=trigger&workflowId=delayed-sms", json={"to": {"subscriberId": "s"}}
    )
    assert response.status_code == 200
    assert novu_api.requests[0].headers["authorization"] == f"ApiKey {KEY}"


def test_novus_servers_reach_the_extensions_bridge() -> None:
    """Discover, execute (with a job id, as Novu's worker sends it) and preview,
    signed and retried as Novu's servers do."""
    novu = Novu(workflows=[delayed_sms])
    app = make_app(novu, NOVU_SECRET_KEY=KEY)
    server = NovuServer.for_client(app.test_client(), secret_key=KEY)
    status, body = server.discover()
    assert status == 200 and [w["workflowId"] for w in body["workflows"]] == ["delayed-sms"]
    status, body = server.execute("delayed-sms", "sms-reminder", job_id="job-7", payload={"orderId": "o-7"})
    assert status == 200 and body["outputs"] == {"body": "order o-7"}
    status, body = server.preview("delayed-sms", "sms-reminder")
    assert status == 200 and isinstance(body["outputs"]["body"], str)
    # A bridge whose key differs from the environment's: 401, not retried.
    wrong = NovuServer.for_client(app.test_client(), secret_key="sk_other")
    status, body = wrong.execute("delayed-sms", "sms-reminder", job_id="job-8", payload={"orderId": "o"})
    assert (status, body["code"], len(wrong.attempts)) == (401, "SignatureMismatchError", 1)


# -- the example app --------------------------------------------------------------------------


@pytest.fixture
def example() -> t.Any:
    spec = importlib.util.spec_from_file_location("novu_example_app", EXAMPLES / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_example_app_health_check_and_discover(example: t.Any) -> None:
    client = example.create_app({"TESTING": True}).test_client()
    health = client.get("/api/novu?action=health-check")
    assert health.status_code == 200
    assert health.json["discovered"] == {"workflows": 1, "steps": 3}
    (item,) = client.get("/api/novu?action=discover").json["workflows"]
    assert item["workflowId"] == "order-shipped"
    assert [(s["stepId"], s["type"]) for s in item["steps"]] == [
        ("estimate", "custom"),
        ("inbox", "in_app"),
        ("email", "email"),
    ]
    assert item["payload"]["schema"]["required"] == ["customer", "orderId"]
    assert item["steps"][0]["outputs"]["schema"]["properties"]["days"] == {"type": "integer"}
    assert client.get("/").json == {"bridge": "/api/novu"}


def test_example_app_executes_its_steps(example: t.Any) -> None:
    app = example.create_app({"TESTING": True})
    second = example.create_app({"NOVU_ROUTE": "/other"})  # the factory builds independent apps
    assert second.test_client().get("/other").status_code == 200
    client = app.test_client()
    payload = {"orderId": "o-1", "customer": "Ada", "carrier": "DHL", "items": ["<b>Book</b>"]}
    estimate = client.post(
        "/api/novu?action=execute&workflowId=order-shipped&stepId=estimate", json={"payload": payload}
    )
    assert estimate.status_code == 200
    assert estimate.json["outputs"] == {"days": 2, "label": "2 days"}  # async resolver ran
    state = [
        {"stepId": "estimate", "outputs": estimate.json["outputs"]},
        {"stepId": "inbox", "outputs": {"seen": False, "read": False, "lastSeenDate": None, "lastReadDate": None}},
    ]
    email = client.post(
        "/api/novu?action=execute&workflowId=order-shipped&stepId=email",
        json={"payload": payload, "state": state},
    )
    assert email.status_code == 200
    outputs = email.json["outputs"]
    assert outputs["subject"] == "Your order o-1 has shipped"
    assert "Hello Ada" in outputs["body"] and "Arriving in 2 days" in outputs["body"]
    bad = client.post(
        "/api/novu?action=execute&workflowId=order-shipped&stepId=estimate",
        json={"payload": {"orderId": "o-1", "customer": "Ada", "carrier": "Pigeon"}},
    )
    assert bad.status_code == 400
    assert bad.json["code"] == "ExecutionEventPayloadInvalidError"
