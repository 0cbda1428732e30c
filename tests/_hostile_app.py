"""A bridge app for hostile-content tests under a real server (gunicorn in a
subprocess): workflows whose code raises BaseExceptions or returns odd
values, an open bridge on ``/api/novu``, a strict one on ``/api/strict``,
and ``/pid`` answering the worker's process id."""

from __future__ import annotations

import asyncio
import logging
import os
import typing as t

from flask import Flask, jsonify

from _bridge_apps import ALL_WORKFLOWS, OPEN_PAYLOAD
from flask_novu import serve, workflow

SECRET = "sk_test_hostile_secret"
#: The failures are logged with their tracebacks; nobody reads the server's
#: pipe while the test runs, so they go nowhere (a full pipe blocks a worker).
logging.getLogger("flask_novu").addHandler(logging.NullHandler())


class AppBaseException(BaseException):
    """A BaseException of the application's own."""


@workflow("cancelled", payload_schema=OPEN_PAYLOAD)
def cancelled(payload: dict[str, t.Any], step: t.Any) -> None:
    async def resolve_async() -> t.Any:
        await asyncio.sleep(0)
        raise asyncio.CancelledError()

    def resolve_sync() -> t.Any:
        raise asyncio.CancelledError()

    def provider(*args: t.Any, **kwargs: t.Any) -> t.Any:
        raise AppBaseException()

    step.sms("async", resolve_async)
    step.sms("sync", resolve_sync)
    step.sms("provider", lambda: {"body": "x"}, providers={"twilio": provider})
    if payload.get("raise") is True:
        raise asyncio.CancelledError()
    step.sms("last", lambda: {"body": "last"})


@workflow("cancelled-async", payload_schema=OPEN_PAYLOAD)
async def cancelled_async(payload: dict[str, t.Any], step: t.Any) -> None:
    await step.sms("first", lambda: {"body": "x"})
    if payload.get("raise") is True:
        raise asyncio.CancelledError()
    await step.sms("last", lambda: {"body": "last"})


@workflow("odd-outputs", payload_schema=OPEN_PAYLOAD)
def odd_outputs(payload: dict[str, t.Any], step: t.Any) -> None:
    step.custom("generator", lambda: {"x": (i for i in range(3))}, output_schema=OPEN_PAYLOAD)
    step.custom("huge-int", lambda: {"n": 10**5000}, output_schema=OPEN_PAYLOAD)
    step.custom("echo", lambda: {"name": payload.get("name")}, output_schema=OPEN_PAYLOAD)
    step.email("mail", lambda: {"subject": "s", "body": str(payload.get("name"))})


@workflow("rendered-mail", payload_schema=OPEN_PAYLOAD)
def rendered_mail(payload: dict[str, t.Any], step: t.Any) -> None:
    step.email(
        "mail",
        lambda controls: {"subject": controls["subject"], "body": controls["body"]},
        controlSchema={
            "type": "object",
            "properties": {
                "subject": {"type": "string", "default": "Hi"},
                "body": {"type": "string", "default": "<p>{{payload.name}}</p>"},
            },
        },
    )


WORKFLOWS = [*ALL_WORKFLOWS, cancelled, cancelled_async, odd_outputs, rendered_mail]


def make_app() -> Flask:
    app = Flask(__name__)
    app.config["NOVU_API_URL"] = os.environ.get("NOVU_TEST_API_URL") or "http://127.0.0.1:9"
    app.config["NOVU_API_RETRIES"] = 3

    @app.get("/pid")
    def pid() -> t.Any:
        return jsonify(pid=os.getpid())

    serve(app, "/api/novu", WORKFLOWS)
    serve(app, "/api/strict", WORKFLOWS, secret_key=SECRET)
    return app
