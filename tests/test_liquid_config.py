"""``NOVU_LIQUID_LIMITS``: the Liquid limits of an app's bridges, set the Flask way."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from flask_novu import Novu, NovuBridgeView, serve, workflow
from flask_novu.engine import Bridge
from flask_novu.errors import ConfigurationError
from flask_novu.registration import register_bridges
from flask_novu.templating import LiquidLimits


@workflow("looped")
def looped(payload: t.Any, step: t.Any) -> None:
    step.sms(
        "sms",
        lambda controls: {"body": controls["body"]},
        control_schema={"type": "object", "properties": {"body": {"type": "string", "default": "hi"}}},
    )


LOOP_60 = {"controls": {"body": "{% for i in (1..60) %}x{% endfor %}"}, "payload": {}}
EXECUTE = "/api/novu?action=execute&workflowId=looped&stepId=sms"


def _answer(app: Flask) -> tuple[int, t.Any]:
    response = app.test_client().post(EXECUTE, json=LOOP_60)
    return response.status_code, response.get_json()


def _extension_app(limits: t.Any) -> Flask:
    app = Flask(__name__)
    if limits is not None:
        app.config["NOVU_LIQUID_LIMITS"] = limits
    novu = Novu()
    novu.add_workflow(looped)
    novu.init_app(app)
    return app


def _serve_app(limits: t.Any) -> Flask:
    app = Flask(__name__)
    if limits is not None:
        app.config["NOVU_LIQUID_LIMITS"] = limits
    serve(app, workflows=[looped])
    return app


def _hand_mounted_app(limits: t.Any) -> Flask:
    app = Flask(__name__)
    if limits is not None:
        app.config["NOVU_LIQUID_LIMITS"] = limits
    app.add_url_rule("/api/novu", view_func=NovuBridgeView.as_view("novu", workflows=[looped]))
    register_bridges(app)
    return app


MOUNTS = [_extension_app, _serve_app, _hand_mounted_app]


@pytest.mark.parametrize("make", MOUNTS)
def test_the_config_key_sets_the_limits_of_every_mount(make: t.Callable[[t.Any], Flask]) -> None:
    status, body = _answer(make(None))
    assert (status, body["outputs"]) == (200, {"body": "x" * 60})
    for limits in ({"max_loop_iterations": 50}, LiquidLimits(max_loop_iterations=50)):
        status, body = _answer(make(limits))
        assert status == 400
        assert body["code"] == "StepControlCompilationFailedError"
        assert body["data"] == {"name": "LimitError"}


@pytest.mark.parametrize("make", MOUNTS)
@pytest.mark.parametrize(
    "limits, words",
    [
        ({"max_loops": 5}, "unknown limit max_loops"),
        ({"max_loop_iterations": "many"}, "max_loop_iterations must be a positive whole number"),
        ({"max_cache_bytes": 0}, "max_cache_bytes must be a positive whole number"),
        (50, "must be a LiquidLimits or a dict"),
    ],
)
def test_an_invalid_setting_fails_at_start_up(make: t.Callable[[t.Any], Flask], limits: t.Any, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        make(limits)


def test_a_bridge_built_with_its_own_limits_keeps_them() -> None:
    app = Flask(__name__)
    app.config["NOVU_LIQUID_LIMITS"] = {"max_loop_iterations": 50}
    bridge = Bridge([looped], liquid_limits=LiquidLimits(max_loop_iterations=100))
    app.add_url_rule("/api/novu", view_func=NovuBridgeView.as_view("novu", bridge=bridge))
    register_bridges(app)
    assert _answer(app)[0] == 200


def test_the_key_is_in_the_config_after_init_app() -> None:
    app = _extension_app(None)
    assert "NOVU_LIQUID_LIMITS" in app.config and app.config["NOVU_LIQUID_LIMITS"] is None
