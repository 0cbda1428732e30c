"""Shared fixtures: a real Flask app with other routes plus the bridge."""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import Flask, jsonify

from flask_novu import serve, workflow


@workflow(
    "welcome-onboarding",
    payload_schema={
        "type": "object",
        "properties": {
            "userName": {"type": "string"},
            "plan": {"type": "string", "enum": ["free", "pro"], "default": "free"},
        },
        "required": ["userName"],
        "additionalProperties": False,
    },
    name="Welcome Onboarding",
    description="In-app welcome followed by a welcome email",
    tags=["onboarding"],
    preferences={
        "all": {"enabled": True, "readOnly": False},
        "channels": {"inApp": {"enabled": True}, "email": {"enabled": True}},
    },
)
def welcome(payload: dict[str, t.Any], step: t.Any) -> None:
    step.in_app(
        "in-app-welcome",
        lambda controls: {
            "subject": controls["subject"],
            "body": controls["body"],
            "avatar": "https://example.com/avatar.png",
            "primaryAction": {"label": "Open dashboard", "redirect": {"url": "/dashboard"}},
            "data": {"plan": payload["plan"]},
        },
        controlSchema={
            "type": "object",
            "properties": {
                "subject": {"type": "string", "default": "Welcome {{payload.userName}}"},
                "body": {
                    "type": "string",
                    "default": "Hi {{subscriber.firstName}}, you are on the {{payload.plan}} plan.",
                },
            },
            "required": [],
            "additionalProperties": False,
        },
    )
    step.email(
        "email-welcome",
        lambda controls: {
            "subject": controls["subject"],
            "body": f"<h1>{controls['heading']}</h1><p>Welcome {payload['userName']}</p>"
            "<script>alert(1)</script>",
        },
        controlSchema={
            "type": "object",
            "properties": {
                "subject": {"type": "string", "default": "Welcome aboard, {{payload.userName}}!"},
                "heading": {"type": "string", "default": "Hello"},
                "sendEmail": {"type": "boolean", "default": True},
            },
            "required": [],
            "additionalProperties": False,
        },
        skip=lambda controls: controls["sendEmail"] is False,
    )


@workflow(
    "delayed-sms",
    payload_schema={
        "type": "object",
        "properties": {"orderId": {"type": "string"}},
        "required": ["orderId"],
        "additionalProperties": False,
    },
)
def delayed_sms(payload: dict[str, t.Any], step: t.Any) -> None:
    delay = step.delay(
        "wait-a-bit",
        lambda controls: {"type": "regular", "amount": controls["amount"], "unit": controls["unit"]},
        controlSchema={
            "type": "object",
            "properties": {
                "amount": {"type": "number", "default": 5},
                "unit": {
                    "type": "string",
                    "enum": ["seconds", "minutes", "hours", "days", "weeks", "months"],
                    "default": "minutes",
                },
            },
            "additionalProperties": False,
        },
    )
    step.sms(
        "sms-reminder",
        lambda: {"body": f"Order {payload['orderId']}: waited {delay['duration']}ms"},
    )


@pytest.fixture
def workflows() -> list[t.Any]:
    return [welcome, delayed_sms]


@pytest.fixture
def app(workflows: list[t.Any], caplog: pytest.LogCaptureFixture) -> Flask:
    caplog.set_level(logging.INFO, logger="flask_novu")
    app = Flask(__name__)
    app.config["TESTING"] = True

    @app.get("/")
    def index() -> t.Any:
        return jsonify(page="home")

    @app.post("/orders")
    def orders() -> t.Any:
        return jsonify(created=True), 201

    serve(app, route="/api/novu", workflows=workflows)
    return app


@pytest.fixture
def client(app: Flask) -> t.Any:
    return app.test_client()


@pytest.fixture(autouse=True)
def _no_novu_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a NOVU_* key of the machine they run on."""
    for name in ("NOVU_SECRET_KEY", "NOVU_API_KEY", "NOVU_API_URL", "NOVU_BRIDGE_URL"):
        monkeypatch.delenv(name, raising=False)
