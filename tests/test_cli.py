"""``flask novu ...`` through ``app.test_cli_runner()``."""

from __future__ import annotations

import json
import typing as t

import pytest
from flask import Flask
from _fake_novu_api import KEY, MOCK_RESPONSE, FakeNovuAPI

from flask_novu import workflow
from flask_novu.cli import novu_cli
from flask_novu.extension import Novu

ORDER_SCHEMA = {
    "type": "object",
    "properties": {"orderId": {"type": "string"}, "count": {"type": "number", "default": 1}},
    "required": ["orderId"],
    "additionalProperties": False,
}


@workflow("delayed-sms", payload_schema=ORDER_SCHEMA)
def delayed_sms(payload: dict[str, t.Any], step: t.Any) -> None:
    step.delay("wait-a-bit", {"type": "regular", "amount": 1, "unit": "minutes"})
    step.sms("sms-reminder", lambda: {"body": "x"})


@workflow("welcome")
def welcome(payload: dict[str, t.Any], step: t.Any) -> None:
    step.in_app("inbox", {"body": "hi"})


def make_app(**config: t.Any) -> Flask:
    app = Flask(__name__)
    app.config.update(config)
    Novu(workflows=[delayed_sms, welcome]).init_app(app)
    return app


def invoke(app: Flask, *args: str) -> t.Any:
    return app.test_cli_runner().invoke(args=["novu", *args])


def assert_one_line_failure(result: t.Any, text: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a ClickException, not a crash
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert text in result.output


# -- list ---------------------------------------------------------------------------


def test_list_prints_a_table() -> None:
    result = invoke(make_app(), "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["WORKFLOW", "STEP", "TYPE"]
    assert lines[1].split() == ["delayed-sms", "wait-a-bit", "delay"]
    assert lines[2].split() == ["sms-reminder", "sms"]
    assert lines[3].split() == ["welcome", "inbox", "in_app"]
    assert "2 workflow(s), 3 step(s) on /api/novu" in result.output


def test_list_without_workflows_and_without_the_extension() -> None:
    app = Flask(__name__)
    Novu().init_app(app)
    assert "No workflows." in invoke(app, "list").output
    bare = Flask(__name__)
    result = bare.test_cli_runner().invoke(novu_cli, ["list"])
    assert_one_line_failure(result, "no Novu bridge is mounted on this app")


# -- sync -----------------------------------------------------------------------------


def test_sync_posts_the_bridge_url(novu_api: FakeNovuAPI) -> None:
    novu_api.respond(200, {"data": [{"_id": "w1"}]})
    app = make_app(NOVU_SECRET_KEY=KEY, NOVU_API_URL=novu_api.url, NOVU_BRIDGE_URL="https://x.example/api/novu")
    result = invoke(app, "sync")
    assert result.exit_code == 0, result.output
    assert "Synced https://x.example/api/novu (2 workflow(s))" in result.output
    (sent,) = novu_api.requests
    assert (sent.method, sent.path) == ("POST", "/v1/bridge/sync")
    assert sent.body == b'{"bridgeUrl":"https://x.example/api/novu"}'
    assert sent.headers["authorization"] == f"ApiKey {KEY}"

    invoke(app, "sync", "--bridge-url", "https://y.example/api/novu")
    assert novu_api.requests[1].json == {"bridgeUrl": "https://y.example/api/novu"}


def test_sync_failures(novu_api: FakeNovuAPI) -> None:
    app = make_app(NOVU_SECRET_KEY=KEY, NOVU_API_URL=novu_api.url)
    assert_one_line_failure(invoke(app, "sync"), "no bridge URL")
    assert_one_line_failure(invoke(app, "sync", "--bridge-url", "ftp://x"), "must be an http(s) URL")
    novu_api.respond(401, {"statusCode": 401, "error": "Unauthorized", "message": "API Key not found"})
    result = invoke(app, "sync", "--bridge-url", "https://x.example/api/novu")
    assert_one_line_failure(result, "sync failed: API Key not found")
    app.config["NOVU_SECRET_KEY"] = None
    result = invoke(app, "sync", "--bridge-url", "https://x.example/api/novu")
    assert_one_line_failure(result, "Missing secret key")


# -- trigger ----------------------------------------------------------------------------


def test_trigger_sends_the_validated_event(novu_api: FakeNovuAPI) -> None:
    app = make_app(
        NOVU_SECRET_KEY=KEY,
        NOVU_API_URL=novu_api.url,
        NOVU_SUPPRESS_SEND=False,
        NOVU_BRIDGE_URL="http://127.0.0.1:4000/api/novu",
    )
    result = invoke(
        app, "trigger", "delayed-sms", "--to", "sub_123", "--payload", '{"orderId": "ord_42"}',
        "--transaction-id", "txn_abc",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == MOCK_RESPONSE
    assert novu_api.requests[0].body == (
        b'{"name":"delayed-sms","to":"sub_123","payload":{"orderId":"ord_42","count":1},'
        b'"transactionId":"txn_abc","bridgeUrl":"http://127.0.0.1:4000/api/novu"}'
    )
    invoke(app, "trigger", "welcome", "--to", '{"subscriberId": "s", "email": "a@b.c"}')
    assert novu_api.requests[1].json == {"name": "welcome", "to": {"subscriberId": "s", "email": "a@b.c"},
                                         "bridgeUrl": "http://127.0.0.1:4000/api/novu"}


def test_trigger_failures(novu_api: FakeNovuAPI) -> None:
    app = make_app(NOVU_SECRET_KEY=KEY, NOVU_API_URL=novu_api.url, NOVU_SUPPRESS_SEND=False)
    result = invoke(app, "trigger", "delayed-sms", "--to", "s", "--payload", '{"wrong": 1}')
    assert_one_line_failure(result, "must have required property 'orderId'")
    assert_one_line_failure(invoke(app, "trigger", "welcome", "--to", "s", "--payload", "{nope"),
                            "--payload is not valid JSON")
    assert_one_line_failure(invoke(app, "trigger", "welcome", "--to", "s", "--payload", "[1]"),
                            "--payload must be a JSON object")
    assert novu_api.requests == []
    novu_api.respond(400, {"statusCode": 400, "error": "Bad Request", "message": "workflow_not_found"})
    assert_one_line_failure(invoke(app, "trigger", "welcome", "--to", "s"), "trigger failed: workflow_not_found")
    assert invoke(app, "trigger", "welcome").exit_code == 2  # --to is required


def test_trigger_is_recorded_when_sending_is_suppressed(novu_api: FakeNovuAPI) -> None:
    app = make_app(TESTING=True, NOVU_API_URL=novu_api.url)
    result = invoke(app, "trigger", "welcome", "--to", "s")
    assert result.exit_code == 0, result.output
    assert "recorded, not sent" in result.output
    assert novu_api.requests == []


# -- dev ---------------------------------------------------------------------------------


def test_dev_prints_the_novu_cli_command() -> None:
    result = invoke(make_app(), "dev")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == (
        "npx novu@latest dev --port 5000 --route /api/novu --origin http://127.0.0.1:5000"
    )
    assert "AirPlay" in result.output

    result = invoke(make_app(NOVU_ROUTE="/hooks/novu/"), "dev", "--port", "4000")
    assert result.output == (
        "npx novu@latest dev --port 4000 --route /hooks/novu --origin http://127.0.0.1:4000\n"
    )
    assert invoke(make_app(), "dev", "--port", "0").exit_code == 2


# -- openapi -------------------------------------------------------------------------------


def test_openapi_describes_the_bridge() -> None:
    result = invoke(make_app(NOVU_ROUTE="/hooks/novu"), "openapi")
    assert result.exit_code == 0, result.output
    spec = json.loads(result.output)
    assert spec["openapi"].startswith("3.")
    bridge = spec["paths"]["/hooks/novu"]
    assert set(bridge) == {"get", "post", "options"}
    get_action = next(p for p in bridge["get"]["parameters"] if p["name"] == "action")
    assert get_action["schema"]["enum"] == ["discover", "health-check", "code"]
    post_action = next(p for p in bridge["post"]["parameters"] if p["name"] == "action")
    assert {"execute", "preview", "trigger"} <= set(post_action["schema"]["enum"])
    refs = bridge["post"]["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert refs == [{"$ref": "#/components/schemas/ExecuteEvent"}, {"$ref": "#/components/schemas/TriggerEvent"}]
    compat = spec["paths"]["/hooks/novu/workflows/{workflowId}/execute"]["post"]
    assert compat["parameters"][0]["in"] == "path"
    schemas = spec["components"]["schemas"]
    assert schemas["TriggerEvent"]["required"] == ["to"]
    assert "oneOf" in schemas["TriggerEvent"]["properties"]["to"]
    assert schemas["ExecuteEvent"]["properties"]["state"]["items"] == {"$ref": "#/components/schemas/StateEntry"}
    assert schemas["CompatExecute"]["required"] == ["payload", "to"]
    assert spec["components"]["securitySchemes"]["NovuSignature"]["name"] == "novu-signature"


def test_the_entry_point_is_declared() -> None:
    from importlib.metadata import entry_points

    everything = entry_points()
    if hasattr(everything, "select"):
        group = everything.select(group="flask.commands")
    else:  # Python 3.9
        group = everything.get("flask.commands", [])
    found = [ep for ep in group if ep.name == "novu"]
    if not found:
        pytest.skip("the package metadata is not installed")
    assert found[0].load() is novu_cli
