"""Async workflow functions and resolvers inside Flask's sync views."""

from __future__ import annotations

import asyncio
import typing as t

import pytest
from flask import Flask

from flask_novu import serve, workflow

SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}


@workflow("async-flow", payload_schema=SCHEMA)
async def async_flow(payload: dict[str, t.Any], step: t.Any) -> None:
    async def fetch_greeting(controls: dict[str, t.Any]) -> dict[str, t.Any]:
        await asyncio.sleep(0.01)
        return {"subject": controls["subject"], "body": f"Hello {payload['name']}"}

    await step.email(
        "mail",
        fetch_greeting,
        control_schema={"type": "object", "properties": {"subject": {"type": "string", "default": "Hi {{payload.name}}"}}},
    )
    summary = await step.custom(
        "summary",
        lambda: {"chars": len(payload["name"])},
        output_schema={"type": "object", "properties": {"chars": {"type": "number"}}},
    )
    await step.sms("sms", lambda: {"body": f"{summary['chars']} chars"})


@workflow("sync-flow-async-resolver", payload_schema=SCHEMA)
def sync_flow(payload: dict[str, t.Any], step: t.Any) -> None:
    async def body() -> dict[str, t.Any]:
        await asyncio.sleep(0.01)
        return {"body": payload["name"].upper()}

    step.sms("shout", body)


@workflow("sync-flow-async-skip-and-provider", payload_schema=SCHEMA)
def sync_flow_async_hooks(payload: dict[str, t.Any], step: t.Any) -> None:
    async def skip(controls: dict[str, t.Any]) -> bool:
        await asyncio.sleep(0.01)
        return payload["name"] == "skip me"

    async def sendgrid(controls: dict[str, t.Any], outputs: dict[str, t.Any]) -> dict[str, t.Any]:
        await asyncio.sleep(0.01)
        return {"ipPoolName": outputs["subject"].lower()}

    step.email(
        "mail",
        lambda: {"subject": f"Hi {payload['name']}", "body": "b"},
        skip=skip,
        providers={"sendgrid": sendgrid},
    )


class CountingFlask(Flask):
    calls = 0

    def async_to_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        CountingFlask.calls += 1
        return super().async_to_sync(func)


@pytest.fixture
def async_app() -> Flask:
    app = CountingFlask(__name__)
    serve(app, workflows=[async_flow, sync_flow, sync_flow_async_hooks])
    return app


def test_async_workflow_executes_through_the_bridge(async_app: Flask) -> None:
    client = async_app.test_client()
    response = client.post(
        "/api/novu?action=execute&workflowId=async-flow&stepId=mail", json={"payload": {"name": "Ada"}}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"] == {"subject": "Hi Ada", "body": "Hello Ada"}
    later = client.post(
        "/api/novu?action=execute&workflowId=async-flow&stepId=sms",
        json={"payload": {"name": "Ada"}, "state": [{"stepId": "mail", "outputs": {}}, {"stepId": "summary", "outputs": {"chars": 3}}]},
    )
    assert later.get_json()["outputs"] == {"body": "3 chars"}


def test_async_resolver_in_sync_workflow(async_app: Flask) -> None:
    response = async_app.test_client().post(
        "/api/novu?action=execute&workflowId=sync-flow-async-resolver&stepId=shout",
        json={"payload": {"name": "ada"}},
    )
    assert response.status_code == 200
    assert response.get_json()["outputs"] == {"body": "ADA"}


@pytest.mark.parametrize(
    ("name", "skipped", "outputs", "providers"),
    [
        ("Ada", False, {"subject": "Hi Ada", "body": "b"}, {"sendgrid": {"ipPoolName": "hi ada"}}),
        ("skip me", True, {}, {}),
    ],
)
def test_async_skip_and_provider_in_sync_workflow(
    async_app: Flask, name: str, skipped: bool, outputs: t.Any, providers: t.Any
) -> None:
    """An async ``skip`` or provider is awaited on an event loop, not driven inline."""
    response = async_app.test_client().post(
        "/api/novu?action=execute&workflowId=sync-flow-async-skip-and-provider&stepId=mail",
        json={"payload": {"name": name}, "controls": {}},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["outputs"] == outputs
    assert body["providers"] == providers
    assert body["options"] == {"skip": skipped}


def test_the_apps_async_to_sync_is_used(async_app: Flask) -> None:
    before = CountingFlask.calls
    async_app.test_client().post(
        "/api/novu?action=execute&workflowId=async-flow&stepId=mail", json={"payload": {"name": "Ada"}}
    )
    assert CountingFlask.calls > before


def test_async_discovery_sees_every_step(async_app: Flask) -> None:
    steps = async_app.test_client().get("/api/novu?action=discover").get_json()["workflows"][0]["steps"]
    assert [s["stepId"] for s in steps] == ["mail", "summary", "sms"]


def test_async_trigger_from_plain_python() -> None:
    result = async_flow.trigger(to="s", payload={"name": "Grace"})
    assert result["step_results"] == {
        "mail": {"subject": "Hi Grace", "body": "Hello Grace"},
        "summary": {"chars": 5},
        "sms": {"body": "5 chars"},
    }


def test_async_trigger_inside_a_running_event_loop() -> None:
    async def main() -> t.Any:
        return await async_flow.trigger(to="s", payload={"name": "Lin"})

    assert asyncio.run(main())["step_results"]["sms"] == {"body": "3 chars"}


def test_async_resolver_error_is_502(async_app: Flask) -> None:
    @workflow("async-broken")
    async def broken(payload: t.Any, step: t.Any) -> None:
        async def fail() -> dict[str, t.Any]:
            raise LookupError("no template")

        await step.sms("sms", fail)

    app = Flask(__name__)
    serve(app, workflows=[broken])
    response = app.test_client().post(
        "/api/novu?action=execute&workflowId=async-broken&stepId=sms", json={"payload": {}}
    )
    assert response.status_code == 502
    assert response.get_json()["message"] == "Failed to execute Step with id: `sms`: no template"


def test_trigger_inside_an_app_context_uses_the_apps_async_to_sync(async_app: Flask) -> None:
    before = CountingFlask.calls
    with async_app.app_context():
        result = async_flow.trigger(to="s", payload={"name": "Ada"})
    assert result["step_results"]["sms"] == {"body": "3 chars"}
    assert CountingFlask.calls > before
