"""Apps measured by the benchmarks (not part of the package or its tests).

* :data:`bridge_app`: a Flask app serving :data:`WORKFLOWS` through
  ``flask_novu.serve`` on ``/api/novu`` (the compat route comes with it);
* :data:`bare_app`: a plain Flask app answering the same URLs with the same
  bodies, precomputed (the floor any Flask-based bridge can reach);
* ``benchmarks/sdk_server.mjs`` defines the same workflows with the official
  ``@novu/framework`` SDK.

Request bodies shared by ``load.py`` and ``test_micro.py`` live here too.

Run an app alone with ``gunicorn --pythonpath benchmarks apps:bridge_app``.
"""

from __future__ import annotations

import json
import logging
import typing as t

from flask import Flask, Response, request

from flask_novu import Bridge, Event, serve, workflow
from flask_novu.engine import run_in_process

# The bridge warns once that it runs without a secret key (as the SDK server
# does with strictAuthentication: false); keep benchmark output readable.
logging.getLogger("flask_novu").setLevel(logging.ERROR)

ROUTE = "/api/novu"
SIX_STEPS = "bench-six-steps"
WELCOME = "bench-welcome"
SMS_ONLY = "bench-sms"
LAST_STEP = "email-summary"

# -- the workflows (mirrored one to one in sdk_server.mjs) ------------------------

SIX_PAYLOAD_SCHEMA = {
    "type": "object",
    "properties": {
        "userName": {"type": "string"},
        "plan": {"type": "string", "enum": ["free", "pro"], "default": "free"},
        "orderId": {"type": "string"},
        "items": {"type": "array", "items": {"type": "string"}, "default": []},
    },
    "required": ["userName", "orderId"],
    "additionalProperties": False,
}


@workflow(
    SIX_STEPS,
    payload_schema=SIX_PAYLOAD_SCHEMA,
    name="Benchmark: six steps",
    description="in-app, delay, digest, sms, custom, email",
    tags=["bench"],
)
def six_steps(payload, step):
    step.in_app(
        "inbox",
        lambda controls: {
            "subject": controls["subject"],
            "body": controls["body"],
            "avatar": "https://example.com/avatar.png",
            "primaryAction": {"label": "Open", "redirect": {"url": "/orders"}},
            "data": {"plan": payload["plan"]},
        },
        control_schema={
            "type": "object",
            "properties": {
                "subject": {"type": "string", "default": "Order {{payload.orderId}} received"},
                "body": {
                    "type": "string",
                    "default": "Hi {{subscriber.firstName}}, you are on the {{payload.plan}} plan.",
                },
            },
            "additionalProperties": False,
        },
    )
    waited = step.delay(
        "wait",
        lambda controls: {"type": "regular", "amount": controls["amount"], "unit": controls["unit"]},
        control_schema={
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
    digest = step.digest(
        "collect",
        lambda controls: {"amount": controls["amount"], "unit": controls["unit"]},
        control_schema={
            "type": "object",
            "properties": {
                "amount": {"type": "number", "default": 1},
                "unit": {"type": "string", "enum": ["minutes", "hours", "days"], "default": "hours"},
            },
            "additionalProperties": False,
        },
    )
    step.sms(
        "sms-reminder",
        lambda controls: {"body": f"{controls['body']} (waited {waited['duration']} ms)"},
        control_schema={
            "type": "object",
            "properties": {
                "body": {
                    "type": "string",
                    "default": "Order {{payload.orderId}} for {{subscriber.firstName}} is on its way",
                }
            },
            "additionalProperties": False,
        },
    )
    summary = step.custom(
        "compute",
        lambda: {
            "count": len(digest["events"]),
            "first": digest["events"][0]["id"] if digest["events"] else None,
            "plan": payload["plan"],
        },
        output_schema={
            "type": "object",
            "properties": {
                "count": {"type": "number"},
                "first": {"type": ["string", "null"]},
                "plan": {"type": "string"},
            },
            "required": ["count", "plan"],
            "additionalProperties": False,
        },
    )
    step.email(
        LAST_STEP,
        lambda controls: {
            "subject": controls["subject"],
            "body": (
                f"<h1>{controls['heading']}</h1>"
                f'<p onclick="steal()">You have {summary["count"]} new events '
                f"on the {summary['plan']} plan.</p>"
                "<ul>"
                + "".join(f"<li><b>{item}</b></li>" for item in payload["items"])
                + "</ul>"
                '<a href="https://example.com/orders" target="_blank">Orders</a>'
                '<img src="https://example.com/x.png" onerror="bad()">'
                "<script>alert(1)</script>"
            ),
        },
        control_schema={
            "type": "object",
            "properties": {
                "subject": {
                    "type": "string",
                    "default": "Your {{payload.plan}} summary, {{payload.userName | upcase}}",
                },
                "heading": {"type": "string", "default": "Hello {{subscriber.firstName}}"},
                "sendEmail": {"type": "boolean", "default": True},
            },
            "additionalProperties": False,
        },
        skip=lambda controls: controls["sendEmail"] is False,
    )


@workflow(
    WELCOME,
    payload_schema={
        "type": "object",
        "properties": {
            "userName": {"type": "string"},
            "plan": {"type": "string", "enum": ["free", "pro"], "default": "free"},
        },
        "required": ["userName"],
        "additionalProperties": False,
    },
)
def welcome(payload, step):
    step.in_app(
        "in-app-welcome",
        lambda controls: {"subject": controls["subject"], "body": controls["body"]},
        control_schema={
            "type": "object",
            "properties": {
                "subject": {"type": "string", "default": "Welcome {{payload.userName}}"},
                "body": {"type": "string", "default": "You are on the {{payload.plan}} plan."},
            },
            "additionalProperties": False,
        },
    )
    step.email(
        "email-welcome",
        lambda controls: {
            "subject": controls["subject"],
            "body": f"<h1>Hello</h1><p>Welcome {payload['userName']}</p><script>alert(1)</script>",
        },
        control_schema={
            "type": "object",
            "properties": {"subject": {"type": "string", "default": "Welcome aboard, {{payload.userName}}!"}},
            "additionalProperties": False,
        },
    )


@workflow(
    SMS_ONLY,
    payload_schema={
        "type": "object",
        "properties": {"code": {"type": "string"}},
        "required": ["code"],
        "additionalProperties": False,
    },
)
def sms_only(payload, step):
    step.sms("sms-code", lambda: {"body": f"Your code is {payload['code']}"})


WORKFLOWS = [six_steps, welcome, sms_only]

# -- requests ----------------------------------------------------------------------

SUBSCRIBER = {
    "subscriberId": "sub_123",
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
    "phone": "+15555550100",
}
SIX_PAYLOAD = {
    "userName": "Ada",
    "plan": "pro",
    "orderId": "ord_42",
    "items": ["Keyboard", "Mouse <b>pad</b>", "Monitor"],
}


def _done(step_id: str, outputs: dict[str, t.Any]) -> dict[str, t.Any]:
    return {"stepId": step_id, "outputs": outputs, "state": {"status": "completed"}}


#: Body of ``POST ?action=execute&workflowId=bench-six-steps&stepId=email-summary``:
#: the results of the five previous steps are replayed from ``state``.
EXECUTE_LAST_BODY: dict[str, t.Any] = {
    "payload": SIX_PAYLOAD,
    "controls": {"heading": "Hey <b>{{subscriber.firstName}}</b>"},
    "state": [
        _done("trigger", {}),
        _done("inbox", {"seen": False, "read": False, "lastSeenDate": None, "lastReadDate": None}),
        _done("wait", {"duration": 300000}),
        _done(
            "collect",
            {
                "eventCount": 2,
                "events": [
                    {"id": "evt_1", "time": "2024-01-01T00:00:00.000Z", "payload": {"item": "Keyboard"}},
                    {"id": "evt_2", "time": "2024-01-01T00:05:00.000Z", "payload": {"item": "Mouse"}},
                ],
            },
        ),
        _done("sms-reminder", {}),
        _done("compute", {"count": 2, "first": "evt_1", "plan": "pro"}),
    ],
    "subscriber": SUBSCRIBER,
    "context": {},
    "env": {},
}
EXECUTE_LAST_QUERY = f"action=execute&workflowId={SIX_STEPS}&stepId={LAST_STEP}"

#: Body of the FastAPI-era route ``POST /api/novu/workflows/bench-welcome/execute``.
COMPAT_WORKFLOW = WELCOME
COMPAT_BODY: dict[str, t.Any] = {"to": "sub_123", "payload": {"userName": "Ada", "plan": "pro"}}


def execute_event() -> Event:
    """The execute request above as an engine :class:`~flask_novu.engine.Event`."""
    body = EXECUTE_LAST_BODY
    return Event(
        action="execute",
        workflow_id=SIX_STEPS,
        step_id=LAST_STEP,
        payload=body["payload"],
        controls=body["controls"],
        state=body["state"],
        subscriber=body["subscriber"],
        context=body["context"],
        env=body["env"],
    )


# -- the apps ------------------------------------------------------------------------


def create_bridge_app() -> Flask:
    app = Flask("bench_bridge")
    serve(app, ROUTE, WORKFLOWS)
    return app


def _precomputed() -> dict[str, bytes]:
    """The bodies the bridge answers, computed once by the bridge itself."""
    bridge = Bridge(WORKFLOWS)
    execute = bridge.execute(execute_event())
    compat = run_in_process(bridge.get(COMPAT_WORKFLOW), COMPAT_BODY["to"], COMPAT_BODY["payload"])
    dump = lambda value: json.dumps(value, separators=(",", ":")).encode()  # noqa: E731
    return {
        "health": dump(bridge.health_check()),
        "discover": bridge.serialized("discover"),
        "execute": dump(execute),
        "compat": dump(compat),
    }


def create_bare_app() -> Flask:
    """Plain Flask, same URLs, same bodies; no validation, no workflow code."""
    app = Flask("bench_bare")
    bodies = _precomputed()
    health = json.loads(bodies["health"])
    fixed_execute = json.loads(bodies["execute"])
    fixed_compat = json.loads(bodies["compat"])

    @app.route(ROUTE, methods=["GET", "POST"])
    def bridge() -> t.Any:
        action = request.args.get("action", "health-check")
        if request.method == "POST":
            request.get_json()  # parse the body as a real view would
            return fixed_execute
        if action == "discover":
            return Response(bodies["discover"], mimetype="application/json")
        return health

    @app.route(f"{ROUTE}/workflows/<workflow_id>/execute", methods=["POST"])
    def compat(workflow_id: str) -> t.Any:
        request.get_json()
        return fixed_compat

    return app


bridge_app = create_bridge_app()
bare_app = create_bare_app()
