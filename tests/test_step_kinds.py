"""The step kinds: one registry, typed step methods, the `tool` step."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest

import flask_novu
from flask_novu import AsyncStep, Bridge, Step, constants, step_schemas, workflow
from flask_novu.step_kinds import (
    IN_PROCESS_RESULTS,
    PREFERENCE_CHANNELS,
    SANITIZED_STEP_TYPES,
    STEP_KINDS,
)
from flask_novu.testing import run_step


def test_the_registry_matches_the_sdk_catalogue() -> None:
    assert [kind.type for kind in STEP_KINDS] == list(step_schemas.STEP_TYPES)
    channels = tuple(kind.type for kind in STEP_KINDS if kind.channel)
    assert channels == step_schemas.CHANNEL_STEP_TYPES
    assert SANITIZED_STEP_TYPES == {"email", "in_app"}
    assert set(IN_PROCESS_RESULTS) == {"in_app", "digest", "delay", "throttle"}
    # The SDK's preference keys (inApp, tool...) and their wire names.
    assert PREFERENCE_CHANNELS["inApp"] == "in_app"
    assert PREFERENCE_CHANNELS["tool"] == "tool"


def test_the_constants_that_disagreed_with_the_catalogue_are_gone() -> None:
    for name in ("STEP_TYPES", "CHANNEL_STEP_TYPES", "ACTION_STEP_TYPES", "SANITIZED_STEP_TYPES"):
        assert not hasattr(constants, name)


def test_every_kind_has_a_declared_method_on_both_step_classes() -> None:
    for kind in STEP_KINDS:
        for cls in (Step, AsyncStep):
            method = cls.__dict__[kind.method]  # declared on the class itself
            assert method.__doc__, (cls, kind.method)
            assert "return" in method.__annotations__
    assert Step.inApp is Step.in_app
    assert flask_novu.Step is Step


@workflow("alerting", preferences={"channels": {"tool": {"enabled": False}, "inApp": {"enabled": True}}})
def alerting(payload: dict[str, t.Any], step: Step) -> None:
    step.tool("page", lambda: {"body": "disk full"}, providers={"pagerduty": lambda context: {}})


def test_the_tool_step_is_discovered_and_executed() -> None:
    bridge = Bridge([alerting])
    discovered = bridge.serialized("discover")
    (flow,) = json.loads(discovered)["workflows"]
    (step,) = flow["steps"]
    assert step["type"] == "tool"
    assert step["outputs"]["schema"] == step_schemas.output_schema("tool")
    assert [p["type"] for p in step["providers"]] == ["pagerduty"]
    assert flow["preferences"]["channels"] == {"tool": {"enabled": False}, "in_app": {"enabled": True}}
    result = run_step(alerting, "page")
    assert result["outputs"] == {"body": "disk full"}


@workflow("typed")
def typed(payload: dict[str, t.Any], step: Step) -> None:
    waited = step.delay("wait", {"type": "regular", "amount": 1, "unit": "minutes"})
    step.sms("text", lambda: {"body": f"waited {waited['duration']}"})


def test_the_typed_delay_result_reaches_a_later_step() -> None:
    result = run_step(typed, "text", state=[{"stepId": "wait", "outputs": {"duration": 60000}}])
    assert result["outputs"] == {"body": "waited 60000"}


SAMPLE = '''
from __future__ import annotations

import typing as t

from flask_novu import AsyncStep, Step, workflow


@workflow("reminder")
def reminder(payload: dict[str, t.Any], step: Step) -> None:
    waited = step.delay("wait", {"amount": 1, "unit": "hours"})
    reveal_type(waited["duration"])
    seen = step.in_app("inbox", {"body": "hi"})
    reveal_type(seen["seen"])
    step.email("mail", {"subject": "s", "body": "b"}, disable_output_sanitization=True)
    step.emial("typo", {"subject": "s", "body": "b"})


@workflow("async-reminder")
async def async_reminder(payload: dict[str, t.Any], step: AsyncStep) -> None:
    digest = await step.digest("collect", {"amount": 1, "unit": "hours"})
    reveal_type(digest["events"][0]["payload"])
    throttled = await step.throttle("limit", {"type": "fixed"})
    reveal_type(throttled["throttled"])
'''


def test_mypy_knows_the_step_methods_and_their_results(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    sample = tmp_path / "sample.py"
    sample.write_text(textwrap.dedent(SAMPLE))
    env = dict(os.environ)
    package_root = Path(flask_novu.__file__).resolve().parent.parent
    if "site-packages" not in package_root.parts:  # a checkout (editable install)
        env["MYPYPATH"] = str(package_root)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(tmp_path / "cache"), "sample.py"],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    lines = [
        line.split(": ", 1)[1].replace("builtins.", "")
        for line in result.stdout.splitlines()
        if line.startswith("sample.py:")  # not notes on the package itself
    ]
    assert lines == [
        'note: Revealed type is "float"',
        'note: Revealed type is "bool"',
        'error: "Step" has no attribute "emial"; maybe "email"?  [attr-defined]',
        'note: Revealed type is "dict[str, Any]"',
        'note: Revealed type is "bool"',
    ], result.stdout + result.stderr
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)


def test_an_invalid_provider_output_is_the_sdks_wrapped_output_error() -> None:
    """A provider override whose output fails its schema: the SDK's 502, whose
    message carries the wrapped ``ExecutionStateOutputInvalidError`` as JSON
    (recorded by the differential harness from the SDK)."""
    from flask import Flask

    from flask_novu import serve

    @workflow("pool")
    def pool(payload: t.Any, step: t.Any) -> None:
        step.email("mail", lambda: {"subject": "s", "body": "b"},
                   providers={"sendgrid": lambda: {"ipPoolName": "x"}})  # a function of nothing, too

    app = Flask(__name__)
    serve(app, workflows=[pool])
    response = app.test_client().post("/api/novu?action=execute&workflowId=pool&stepId=mail",
                                      json={"payload": {}, "controls": {}, "state": []})
    assert response.status_code == 502
    answer = response.get_json()
    assert answer["code"] == "ProviderExecutionFailedError"
    assert answer["message"] == (
        "Failed to execute Provider with id: `sendgrid`: {\n"
        '  "statusCode": 400,\n'
        '  "code": "ExecutionStateOutputInvalidError",\n'
        '  "data": [\n'
        "    {\n"
        '      "path": "/ipPoolName",\n'
        '      "message": "must NOT have fewer than 2 characters"\n'
        "    }\n"
        "  ]\n"
        "}"
    )
