"""Workflows and an app factory for the security/reliability tests.

Importable by the tests (``tests`` is on ``sys.path``) and by a gunicorn
subprocess (``PYTHONPATH=tests``, ``_bridge_apps:make_app()``).
"""

from __future__ import annotations

import os
import threading
import time
import typing as t
from pathlib import Path

from flask import Flask, jsonify

import flask_novu
from flask_novu import serve, workflow

#: The headers every bridge response carries, errors included.
PROTOCOL_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Private-Network": "true",
    "Access-Control-Allow-Methods": "GET, POST",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "604800",
    "Novu-Framework-Version": "2024-06-26",
    "Novu-Framework-SDK": flask_novu.__version__,
    "Novu-Framework-Server": "flask",
    "User-Agent": f"novu-framework:v{flask_novu.__version__}",
}

SECRET = "sk_test_security_secret"
OTHER_SECRET = "sk_test_some_other_secret"

#: Calls of :func:`recorder` and of its resolver while serving (not discovery).
CALLS: list[str] = []
_CALLS_LOCK = threading.Lock()


def _record(what: str) -> None:
    with _CALLS_LOCK:
        CALLS.append(what)


#: An open payload schema: any keys, as sent.
OPEN_PAYLOAD = {"type": "object", "additionalProperties": True}


@workflow("recorder", payload_schema=OPEN_PAYLOAD)
def recorder(payload: dict[str, t.Any], step: t.Any) -> None:
    # During discovery the payload is a placeholder: only record real runs.
    if payload.get("run") is True:
        _record("workflow")

    def resolve(controls: dict[str, t.Any]) -> dict[str, t.Any]:
        _record("resolver")
        return {"body": "recorded"}

    step.sms("record-sms", resolve)


@workflow("faulty", payload_schema=OPEN_PAYLOAD)
def faulty(payload: dict[str, t.Any], step: t.Any) -> None:
    if payload.get("raiseOutside") is True:
        raise RuntimeError("workflow function failed outside any step")

    def resolve(controls: dict[str, t.Any]) -> dict[str, t.Any]:
        raise ValueError("the resolver failed on purpose")

    step.sms("broken-sms", resolve)


def _wait_for_release(signal_dir: str, cap_seconds: float) -> None:
    """Block until ``<signal_dir>/release`` exists (at most ``cap_seconds``)."""
    directory = Path(signal_dir)
    (directory / "started").write_text("1")
    deadline = time.monotonic() + cap_seconds
    while time.monotonic() < deadline and not (directory / "release").exists():
        time.sleep(0.01)


@workflow("slow", payload_schema=OPEN_PAYLOAD)
def slow(payload: dict[str, t.Any], step: t.Any) -> None:
    def resolve(controls: dict[str, t.Any]) -> dict[str, t.Any]:
        signal_dir = payload.get("signalDir")
        if isinstance(signal_dir, str) and signal_dir:
            # Blocks until the test releases it; the cap ends a run whose
            # release never comes (e.g. a server that serialises requests).
            _wait_for_release(signal_dir, float(payload.get("capSeconds", 10)))
        else:
            time.sleep(float(payload.get("sleep", 0)))
        return {"body": "slow done"}

    step.sms("slow-sms", resolve)


@workflow(
    "greeting",
    payload_schema={
        "type": "object",
        "properties": {"name": {"type": "string", "default": "friend"}},
        "additionalProperties": True,
    },
)
def greeting(payload: dict[str, t.Any], step: t.Any) -> None:
    step.in_app(
        "greet",
        lambda controls: {"subject": controls["subject"], "body": controls["body"]},
        controlSchema={
            "type": "object",
            "properties": {
                "subject": {"type": "string", "default": "Hi {{payload.name}}"},
                "body": {"type": "string", "default": "Welcome, {{payload.name}}!"},
            },
        },
    )


ALL_WORKFLOWS = [recorder, faulty, slow, greeting]


def make_app(**options: t.Any) -> Flask:
    """A real app with an ordinary route plus the bridge on ``/api/novu``.

    ``NOVU_TEST_SECRET`` in the environment (gunicorn subprocesses) sets
    the secret key when ``secret_key`` is not passed.
    """
    app = Flask(__name__)
    if "secret_key" not in options and os.environ.get("NOVU_TEST_SECRET"):
        options["secret_key"] = os.environ["NOVU_TEST_SECRET"]

    @app.get("/")
    def index() -> t.Any:
        return jsonify(page="home")

    serve(app, "/api/novu", ALL_WORKFLOWS, **options)
    return app
