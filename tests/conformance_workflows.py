"""The workflows of the reference bridge (``shared/novu-reference/server.mjs``),
written with flask_novu's Python API.

``BASE_WORKFLOWS`` are served by the reference's default servers,
``EXTRA_WORKFLOWS`` by the one started with ``NOVU_REF_EXTRA=1``. The resolvers
reproduce the JavaScript ones, including how template literals render values
(``undefined``, ``null``, numbers), so that the outputs match byte for byte.
"""

from __future__ import annotations

import math
import typing as t

from flask_novu import workflow

_MISSING = object()


def js_str(value: t.Any = _MISSING) -> str:
    """``${value}`` in a JavaScript template literal (for the values used here)."""
    if value is _MISSING:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    return str(value)


def _get(mapping: t.Any, key: str) -> t.Any:
    if isinstance(mapping, t.Mapping) and key in mapping:
        return mapping[key]
    return _MISSING


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
def welcome_onboarding(payload: dict[str, t.Any], step: t.Any) -> None:
    def in_app(controls: dict[str, t.Any]) -> dict[str, t.Any]:
        return {
            "subject": controls["subject"],
            "body": controls["body"],
            "avatar": "https://example.com/avatar.png",
            "primaryAction": {"label": "Open dashboard", "redirect": {"url": "/dashboard"}},
            "data": {"plan": payload["plan"]},
        }

    step.in_app(
        "in-app-welcome",
        in_app,
        {
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

    def email(controls: dict[str, t.Any]) -> dict[str, t.Any]:
        return {
            "subject": controls["subject"],
            "body": f"<h1>{js_str(_get(controls, 'heading'))}</h1>"
            f"<p>Welcome {js_str(_get(payload, 'userName'))}</p><script>alert(1)</script>",
        }

    step.email(
        "email-welcome",
        email,
        {
            "type": "object",
            "properties": {
                "subject": {"type": "string", "default": "Welcome aboard, {{payload.userName}}!"},
                "heading": {"type": "string", "default": "Hello"},
                "sendEmail": {"type": "boolean", "default": True},
            },
            "required": [],
            "additionalProperties": False,
        },
        skip=lambda controls: controls.get("sendEmail") is False,
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
    delay_result = step.delay(
        "wait-a-bit",
        lambda controls: {"type": "regular", "amount": controls["amount"], "unit": controls["unit"]},
        {
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
        lambda: {
            "body": f"Order {js_str(_get(payload, 'orderId'))}: "
            f"waited {js_str(_get(delay_result, 'duration'))}ms"
        },
    )


@workflow("digest-custom-demo")
def digest_custom_demo(payload: dict[str, t.Any], step: t.Any) -> None:
    digest = step.digest("collect", lambda: {"amount": 1, "unit": "hours"})

    def compute() -> dict[str, t.Any]:
        events = digest["events"]
        first = None
        if events and isinstance(events[0], t.Mapping):
            item = _get(events[0].get("payload"), "item")
            first = None if item is _MISSING else item
        return {"count": len(events), "first": first}

    custom = step.custom(
        "compute",
        compute,
        output_schema={
            "type": "object",
            "properties": {"count": {"type": "number"}, "first": {"type": ["string", "null"]}},
            "required": ["count"],
            "additionalProperties": False,
        },
    )
    step.chat(
        "chat-summary",
        lambda: {
            "body": f"{js_str(_get(custom, 'count'))} events, first={js_str(_get(custom, 'first'))}"
        },
    )


def _sendgrid(*, controls: dict[str, t.Any], outputs: dict[str, t.Any]) -> dict[str, t.Any]:
    if controls.get("subject") == "provider-throw":
        raise RuntimeError("provider blew up")
    return {
        "ipPoolName": "pool-1",
        "_passthrough": {"body": {"customArgs": {"source": "bridge"}}, "headers": {"X-Custom": "1"}},
    }


@workflow(
    "misc-demo",
    payload_schema={
        "type": "object",
        "properties": {"flag": {"type": "boolean", "default": False}, "note": {"type": "string"}},
        "additionalProperties": False,
    },
)
def misc_demo(
    payload: dict[str, t.Any],
    step: t.Any,
    subscriber: dict[str, t.Any],
    context: dict[str, t.Any],
    env: dict[str, t.Any],
) -> None:
    def echo(controls: dict[str, t.Any]) -> dict[str, t.Any]:
        if controls.get("greeting") == "throw":
            raise RuntimeError("resolver blew up")
        return {
            "payloadSeen": payload,
            "subscriberSeen": subscriber,
            "contextSeen": context,
            "envSeen": env,
            "controlsSeen": controls,
        }

    step.custom(
        "echo",
        echo,
        {
            "type": "object",
            "properties": {
                "greeting": {
                    "type": "string",
                    "default": "Hello {{subscriber.firstName}} from {{context.tenant.id}} "
                    "({{env.name}}) in {{workflow.workflowId}}",
                }
            },
            "additionalProperties": False,
        },
        output_schema={"type": "object", "additionalProperties": True},
    )
    if payload.get("flag"):
        step.sms("conditional-sms", lambda: {"body": "only when flag is set"})
    step.email(
        "email-with-provider",
        lambda controls: {
            "subject": controls["subject"],
            "body": '<p onclick="steal()">Body</p><img src="x" onerror="bad()">',
        },
        {
            "type": "object",
            "properties": {
                "subject": {"type": "string", "default": "Echo said: {{steps.echo.controlsSeen.greeting}}"}
            },
            "additionalProperties": False,
        },
        providers={"sendgrid": _sendgrid},
    )


@workflow("no-schema-demo")
def no_schema_demo(payload: dict[str, t.Any], step: t.Any) -> None:
    step.custom(
        "echo-payload",
        lambda: {"payloadSeen": payload},
        output_schema={"type": "object", "additionalProperties": True},
    )


BASE_WORKFLOWS = [welcome_onboarding, delayed_sms]
EXTRA_WORKFLOWS = [welcome_onboarding, delayed_sms, digest_custom_demo, misc_demo, no_schema_demo]
