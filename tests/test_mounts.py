"""Three mounts, one behaviour: add_url_rule (+ register_bridges), serve(app or
blueprint) and the extension."""

from __future__ import annotations

import json
import logging
import re
import typing as t
from pathlib import Path

import pytest
from flask import Blueprint, Flask, jsonify

from _fake_novu_api import MOCK_RESPONSE, FakeNovuAPI
from conformance_workflows import delayed_sms, welcome_onboarding
from flask_novu import Novu, NovuBridgeView, register_bridges, serve
from flask_novu.cli import novu_cli
from flask_novu.errors import ConfigurationError
from flask_novu.testing import NovuTestClient
from flask_novu.views import ALL_METHODS

WORKFLOWS = [welcome_onboarding, delayed_sms]
DOCS = Path(__file__).resolve().parent.parent / "docs" / "configuration.rst"
KEY = "sk_test_mounts"


def by_hand(app: Flask, route: str = "/api/novu", **options: t.Any) -> None:
    app.add_url_rule(
        route,
        view_func=NovuBridgeView.as_view("hand" + route.replace("/", "_"), workflows=WORKFLOWS, **options),
        methods=ALL_METHODS,
    )


def on_blueprint(app: Flask, **options: t.Any) -> Blueprint:
    bp = Blueprint("notifications", __name__, url_prefix="/api")
    serve(bp, "/novu", WORKFLOWS, **options)
    app.register_blueprint(bp)
    return bp


def cli(app: Flask, *args: str) -> t.Any:
    return app.test_cli_runner().invoke(novu_cli, list(args))


# -- the CLI finds every bridge ---------------------------------------------------


@pytest.mark.parametrize("how", ["add_url_rule", "blueprint", "serve"])
def test_cli_commands_work_whatever_mounted_the_bridge(how: str) -> None:
    app = Flask(__name__)
    if how == "add_url_rule":
        by_hand(app)
    elif how == "blueprint":
        on_blueprint(app)
    else:
        serve(app, "/api/novu", WORKFLOWS)
    listed = cli(app, "list")
    assert listed.exit_code == 0, listed.output
    assert "welcome-onboarding" in listed.output
    assert "2 workflow(s), 4 step(s) on /api/novu" in listed.output
    spec = cli(app, "openapi")
    assert spec.exit_code == 0, spec.output
    assert "/api/novu" in json.loads(spec.output)["paths"]
    dev = cli(app, "dev", "--port", "4000")
    assert dev.output.startswith("npx novu@latest dev --port 4000 --route /api/novu ")


def test_cli_lists_every_bridge_and_picks_one_by_route() -> None:
    app = Flask(__name__)
    by_hand(app, "/hooks/one")
    serve(app, "/hooks/two", WORKFLOWS[1:])
    listed = cli(app, "list")
    assert "2 workflow(s), 4 step(s) on /hooks/one" in listed.output
    assert "1 workflow(s), 2 step(s) on /hooks/two" in listed.output
    assert cli(app, "dev", "--route", "/hooks/two").output.startswith(
        "npx novu@latest dev --port 5000 --route /hooks/two "
    )
    missing = cli(app, "dev", "--route", "/nope")
    assert missing.exit_code == 1
    assert "no Novu bridge at /nope (bridges: /hooks/one, /hooks/two)" in missing.output


def test_cli_sync_and_trigger_through_a_hand_mounted_bridge(novu_api: FakeNovuAPI) -> None:
    app = Flask(__name__)
    app.config.update(NOVU_API_URL=novu_api.url, NOVU_BRIDGE_URL="https://x.example/api/novu")
    by_hand(app, secret_key=KEY)
    synced = cli(app, "sync")
    assert synced.exit_code == 0, synced.output
    assert "Synced https://x.example/api/novu (2 workflow(s))" in synced.output
    triggered = cli(app, "trigger", "delayed-sms", "--to", "s", "--payload", '{"orderId": "o"}')
    assert triggered.exit_code == 0, triggered.output
    assert json.loads(triggered.output) == MOCK_RESPONSE
    first, second = novu_api.requests
    assert first.headers["authorization"] == second.headers["authorization"] == f"ApiKey {KEY}"
    assert second.json["name"] == "delayed-sms"
    invalid = cli(app, "trigger", "delayed-sms", "--to", "s", "--payload", '{"wrong": 1}')
    assert invalid.exit_code == 1 and "orderId" in invalid.output
    assert len(novu_api.requests) == 2


# -- start-up checks -----------------------------------------------------------------


def test_register_bridges_warns_about_an_open_bridge(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="flask_novu")
    app = Flask(__name__)
    by_hand(app)
    register_bridges(app)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "Novu bridge at /api/novu: no NOVU_SECRET_KEY configured, the bridge accepts unsigned requests"
    ]
    register_bridges(app)  # once per bridge
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_a_hand_mounted_bridge_warns_at_its_first_request(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="flask_novu")
    app = Flask(__name__)
    by_hand(app)
    client = app.test_client()
    client.get("/api/novu")
    client.get("/api/novu")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "accepts unsigned requests" in warnings[0]


def test_register_bridges_fails_loudly_in_strict_mode_without_a_key() -> None:
    app = Flask(__name__)
    app.config["NOVU_STRICT_AUTHENTICATION"] = True
    by_hand(app)
    with pytest.raises(ConfigurationError, match="no secret key is configured"):
        register_bridges(app)


def test_a_blueprint_bridge_is_checked_when_the_blueprint_is_registered() -> None:
    app = Flask(__name__)
    app.config["NOVU_STRICT_AUTHENTICATION"] = "yes"
    with pytest.raises(ConfigurationError, match="Novu bridge at /api/novu"):
        on_blueprint(app)


def test_a_blueprint_bridge_warns_when_open(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="flask_novu")
    on_blueprint(Flask(__name__))
    assert any("Novu bridge at /api/novu: no NOVU_SECRET_KEY" in r.getMessage() for r in caplog.records)


# -- JSON 404/405 below the route, CSRF ----------------------------------------------------


def mount_below_route(app: Flask, how: str) -> None:
    """Mount the bridge by hand plus ``register_bridges``, or with ``serve`` on a blueprint."""
    if how == "register_bridges":
        by_hand(app)
        register_bridges(app)
    else:
        on_blueprint(app)


@pytest.mark.parametrize("how", ["register_bridges", "blueprint"])
def test_json_404_and_405_below_the_route(how: str) -> None:
    app = Flask(__name__)
    mount_below_route(app, how)
    client = app.test_client()
    assert client.get("/api/novu?action=discover").status_code == 200
    missing = client.get("/api/novu/nothing/here")
    assert missing.status_code == 404
    assert missing.get_json()["code"] == "BridgeError"
    assert missing.headers["Novu-Framework-Version"] == "2024-06-26"
    trace = client.open("/api/novu", method="TRACE")
    assert trace.status_code == 405
    assert trace.get_json()["code"] == "MethodNotAllowedError"
    assert client.get("/api/novu/?action=discover").status_code == 200
    compat = client.post("/api/novu/workflows/delayed-sms/execute", json={"to": "s", "payload": {"orderId": "o"}})
    assert compat.status_code == 200, compat.get_data(as_text=True)


def test_serve_on_a_blueprint_serves_the_bridge_and_the_compat_route() -> None:
    app = Flask(__name__)
    app.config["NOVU_SECRET_KEY"] = KEY
    app.test_client_class = NovuTestClient
    on_blueprint(app)
    client = app.test_client()
    assert client.get("/api/novu?action=discover").get_json()["workflows"][0]["workflowId"]
    assert client.get("/api/novu?action=discover", sign=False).status_code == 401
    compat = client.post("/api/novu/workflows/delayed-sms/execute", json={"to": "s", "payload": {"orderId": "o"}})
    assert compat.status_code == 200, compat.get_data(as_text=True)


@pytest.mark.parametrize("how", ["register_bridges", "blueprint"])
def test_the_bridge_is_exempt_from_csrf(how: str) -> None:
    flask_wtf = pytest.importorskip("flask_wtf")
    app = Flask(__name__)
    app.config.update(SECRET_KEY="flask-secret", NOVU_SECRET_KEY=KEY, WTF_CSRF_ENABLED=True)
    app.test_client_class = NovuTestClient
    flask_wtf.CSRFProtect(app)

    @app.post("/orders")
    def orders() -> t.Any:
        return jsonify(created=True), 201

    mount_below_route(app, how)
    client = app.test_client()
    response = client.post(
        "/api/novu?action=execute&workflowId=delayed-sms&stepId=wait-a-bit",
        json={"payload": {"orderId": "o"}, "controls": {}, "state": []},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.post("/orders", data={"x": "1"}).status_code == 400


def test_the_extension_refuses_a_blueprint_clearly() -> None:
    with pytest.raises(TypeError, match=r"serve\(blueprint, route, workflows\)"):
        Novu(workflows=WORKFLOWS).init_app(Blueprint("bp", __name__))  # type: ignore[arg-type]


# -- settings ------------------------------------------------------------------------


def test_every_documented_key_is_in_the_config_after_init_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from flask_novu.settings import SETTINGS

    documented = re.findall(r"^\.\. data:: (NOVU_\w+)$", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    assert sorted(documented) == sorted(SETTINGS)
    monkeypatch.setenv("NOVU_API_URL", "https://eu.api.novu.co")
    app = Flask(__name__)
    Novu().init_app(app)
    assert {key for key in app.config if key.startswith("NOVU_")} == set(documented)
    assert app.config["NOVU_API_TIMEOUT"] == 5.0
    assert app.config["NOVU_API_RETRIES"] == 3
    assert app.config["NOVU_API_URL"] == "https://eu.api.novu.co"


def test_settings_come_from_the_option_then_the_config_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flask_novu.api import NovuAPI
    from flask_novu.settings import setting

    monkeypatch.setenv("NOVU_BRIDGE_URL", "https://env.example/api/novu")
    assert setting({}, "NOVU_BRIDGE_URL") == "https://env.example/api/novu"
    assert setting({"NOVU_BRIDGE_URL": "https://config.example"}, "NOVU_BRIDGE_URL") == "https://config.example"
    assert setting({"NOVU_BRIDGE_URL": "https://config.example"}, "NOVU_BRIDGE_URL", "https://o.example") == (
        "https://o.example"
    )
    # Strings (from_prefixed_env, the environment) are parsed by one parser.
    client = NovuAPI.from_config({"NOVU_API_TIMEOUT": "2.5", "NOVU_API_RETRIES": "0"})
    assert (client.timeout, client.retries) == (2.5, 0)
    assert setting({"NOVU_SUPPRESS_SEND": "off"}, "NOVU_SUPPRESS_SEND") is False
    assert setting({"NOVU_STRICT_AUTHENTICATION": "Yes"}, "NOVU_STRICT_AUTHENTICATION") is True
    assert setting({"NOVU_MAX_CONTENT_LENGTH": "1024"}, "NOVU_MAX_CONTENT_LENGTH") == 1024


def test_a_string_body_limit_from_the_config_applies() -> None:
    app = Flask(__name__)
    app.config["NOVU_MAX_CONTENT_LENGTH"] = "64"
    serve(app, "/api/novu", WORKFLOWS)
    response = app.test_client().post(
        "/api/novu?action=execute&workflowId=delayed-sms&stepId=wait-a-bit", data=b"x" * 100,
        content_type="application/json",
    )
    assert response.status_code == 413


def test_python_callers_read_python_and_the_wire_keeps_the_sdks_words(novu_api: FakeNovuAPI) -> None:
    from flask_novu.errors import MissingSecretKeyError

    app = Flask(__name__)
    app.config.update(NOVU_API_URL=novu_api.url, NOVU_SUPPRESS_SEND=False)
    novu = Novu(workflows=WORKFLOWS)
    novu.init_app(app)
    with app.app_context(), pytest.raises(MissingSecretKeyError) as caught:
        novu.trigger("welcome-onboarding", to="user-1", payload={"userName": "Ada"})
    assert "NOVU_SECRET_KEY" in str(caught.value) and "secret_key=" in str(caught.value)
    assert "secretKey" not in str(caught.value)
    result = cli(app, "trigger", "welcome-onboarding", "--to", "s", "--payload", '{"userName": "Ada"}')
    assert "secret_key=" in result.output and "secretKey" not in result.output
    wire = app.test_client().post("/api/novu?action=trigger&workflowId=welcome-onboarding", json={"to": "s"})
    assert wire.get_json()["message"] == MissingSecretKeyError.message
    assert "`secretKey`" in wire.get_json()["message"]
