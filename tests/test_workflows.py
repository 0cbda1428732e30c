"""Workflow definitions written for the earlier Python framework, unchanged."""

from __future__ import annotations

import asyncio
import typing as t

import pytest
from marshmallow import Schema, fields

from flask_novu import Bridge, Event, workflow
from flask_novu.errors import ConfigurationError, WorkflowPayloadInvalidError

from _earlier_readme import comment_workflow


class OrderSchema(Schema):
    order_id = fields.String(required=True)
    items = fields.Integer(load_default=1)
    customer = fields.Email(required=True)


@workflow("order-shipped", payload_schema=OrderSchema, tags=["orders"])
def order_shipped(payload: dict[str, t.Any], step: t.Any) -> None:
    step.sms("sms", lambda: {"body": f"{payload['items']} item(s) of {payload['order_id']} shipped"})
    step.push("push", {"subject": "Shipped", "body": payload["order_id"]})


def test_decorated_function_keeps_its_identity() -> None:
    assert comment_workflow.workflow_id == "comment-notification"
    assert comment_workflow.__name__ == "comment_workflow"
    assert callable(comment_workflow.trigger)


def test_pydantic_annotation_becomes_the_payload_schema() -> None:
    schema = comment_workflow.payload_schema.json_schema
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {"comment", "post_id"}
    assert schema["required"] == ["comment", "post_id"]


def test_trigger_runs_every_step_without_an_app() -> None:
    result = comment_workflow.trigger(
        to="subscriber_id_123",
        payload={"comment": "This is a great post!", "post_id": "post_id_456"},
    )
    assert result == {
        "workflow_id": "comment-notification",
        "status": "completed",
        "step_results": {
            "new-comment": {"body": "New comment: This is a great post!", "action_url": "/posts/post_id_456"},
            "comment-email": {
                "subject": "New Comment",
                "body": "You received a new comment: This is a great post!",
                "footer": "Thanks for using our app!",
            },
        },
        "payload": {"comment": "This is a great post!", "post_id": "post_id_456"},
    }
    assert list(result["step_results"]) == ["new-comment", "comment-email"]


def test_trigger_result_can_be_awaited_like_the_async_original() -> None:
    async def main() -> t.Any:
        return await comment_workflow.trigger(to="s", payload={"comment": "c", "post_id": "p"})

    result = asyncio.run(main())
    assert result["status"] == "completed"


def test_trigger_validates_the_payload() -> None:
    with pytest.raises(WorkflowPayloadInvalidError) as info:
        comment_workflow.trigger(to="s", payload={"comment": "missing post id"})
    assert info.value.data == [{"path": "/post_id", "message": "Field required"}]


def test_marshmallow_payload_schema_defaults_and_validation() -> None:
    result = order_shipped.trigger(to={"subscriberId": "s1"}, payload={"order_id": "A1", "customer": "a@b.co"})
    assert result["step_results"] == {
        "sms": {"body": "1 item(s) of A1 shipped"},
        "push": {"subject": "Shipped", "body": "A1"},
    }
    with pytest.raises(WorkflowPayloadInvalidError) as info:
        order_shipped.trigger(to="s", payload={"order_id": "A1", "customer": "not-an-email"})
    assert info.value.data[0]["path"] == "/customer"


def test_marshmallow_schema_in_discovery() -> None:
    schema = order_shipped.payload_schema.json_schema
    assert schema["properties"]["items"]["default"] == 1
    assert sorted(schema["required"]) == ["customer", "order_id"]
    assert schema["additionalProperties"] is False


def test_control_defaults_and_liquid_in_trigger() -> None:
    @workflow("with-controls", payload_schema={"type": "object", "properties": {"name": {"type": "string"}}})
    def flow(payload: dict[str, t.Any], step: t.Any) -> None:
        step.email(
            "mail",
            lambda controls: {"subject": controls["subject"], "body": controls["body"]},
            control_schema={
                "type": "object",
                "properties": {
                    "subject": {"type": "string", "default": "Hello {{ payload.name }}"},
                    "body": {"type": "string", "default": "Body"},
                },
            },
        )

    result = flow.trigger(to="sub", payload={"name": "Grace"})
    assert result["step_results"]["mail"] == {"subject": "Hello Grace", "body": "Body"}


def test_skip_in_trigger() -> None:
    @workflow("skipping")
    def flow(payload: dict[str, t.Any], step: t.Any) -> None:
        step.sms("never", {"body": "x"}, skip=lambda: True)
        step.sms("always", {"body": "y"}, skip=lambda controls: False)

    result = flow.trigger(to="s", payload={})
    assert result["step_results"] == {"never": {"skipped": True}, "always": {"body": "y"}}


def test_earlier_step_results_are_available_to_later_steps() -> None:
    @workflow("chained")
    def flow(payload: dict[str, t.Any], step: t.Any) -> None:
        first = step.custom("compute", lambda: {"total": 3}, output_schema={"type": "object"})
        step.sms("report", lambda: {"body": f"total={first['total']}"})

    assert flow.trigger(to="s", payload={})["step_results"]["report"] == {"body": "total=3"}


def test_same_id_may_be_defined_in_many_places() -> None:
    def define() -> t.Any:
        @workflow("shared-id")
        def flow(payload: t.Any, step: t.Any) -> None:
            step.sms("s", {"body": "b"})

        return flow

    first, second = define(), define()
    assert first is not second
    assert Bridge([first]).health_check()["discovered"]["workflows"] == 1
    assert Bridge([second]).health_check()["discovered"]["workflows"] == 1


def test_discovery_tolerates_payload_and_result_reads_outside_resolvers() -> None:
    @workflow("reads-everything")
    def flow(payload: t.Any, step: t.Any, subscriber: t.Any) -> None:
        name = payload["user"]["name"].upper()
        plan = payload.plan
        digest = step.digest("collect", {"amount": 1, "unit": "hours"})
        count = len(digest["events"]) + digest.eventCount
        if payload.get("vip") or count > 10:
            step.sms("vip-only", {"body": "vip"})
        step.email("mail", lambda: {"subject": f"{name} {plan} {subscriber['email']}", "body": str(count)})

    steps = [(s.step_id, s.type) for s in flow.steps]
    assert steps == [("collect", "digest"), ("mail", "email")]


def test_discovery_runs_the_function_once_and_no_resolver() -> None:
    calls: list[str] = []

    def resolver() -> dict[str, str]:
        calls.append("resolver")
        return {"body": "x"}

    @workflow("counted")
    def flow(payload: t.Any, step: t.Any) -> None:
        calls.append("function")
        step.sms("s", resolver)

    Bridge([flow])
    Bridge([flow])
    assert calls == ["function"]


def test_unknown_provider_fails_at_registration() -> None:
    @workflow("bad-provider")
    def flow(payload: t.Any, step: t.Any) -> None:
        step.email("mail", {"subject": "s", "body": "b"}, providers={"carrier-pigeon": lambda **_: {}})

    with pytest.raises(ConfigurationError, match="carrier-pigeon"):
        Bridge([flow])


def test_invalid_definitions_fail_at_registration() -> None:
    @workflow("no-resolver")
    def missing(payload: t.Any, step: t.Any) -> None:
        step.sms("s", None)

    with pytest.raises(ConfigurationError, match="no-resolver"):
        Bridge([missing])
    with pytest.raises(ConfigurationError, match="severity"):
        workflow("x", severity="urgent")(lambda payload, step: None)
    with pytest.raises(ConfigurationError, match="payload schema"):
        workflow("x", payload_schema={"type": "string"})(lambda payload, step: None)


def test_injected_parameters_reach_the_function() -> None:
    seen: dict[str, t.Any] = {}

    @workflow("injected", payload_schema={"type": "object", "properties": {"a": {"type": "number"}}})
    def flow(payload: t.Any, step: t.Any, subscriber: t.Any, context: t.Any, env: t.Any) -> None:
        seen.update(subscriber=subscriber, context=context, env=env)
        step.sms("s", lambda: {"body": str(payload["a"])})

    bridge = Bridge([flow])
    event = Event(
        action="execute",
        workflow_id="injected",
        step_id="s",
        payload={"a": 1},
        subscriber={"subscriberId": "s1"},
        context={"tenant": {"id": "t"}},
        env={"name": "Development"},
    )
    assert bridge.execute(event)["outputs"] == {"body": "1"}
    assert seen == {"subscriber": {"subscriberId": "s1"}, "context": {"tenant": {"id": "t"}}, "env": {"name": "Development"}}


def test_pydantic_controls_reach_resolver_as_model_over_the_bridge() -> None:
    bridge = Bridge([comment_workflow])
    event = Event(
        action="execute",
        workflow_id="comment-notification",
        step_id="comment-email",
        payload={"comment": "Nice", "post_id": "p1"},
        controls={"subject": "Re: {{ payload.post_id }}", "include_footer": False},
        state=[{"stepId": "new-comment", "outputs": {"seen": False, "read": False, "lastSeenDate": None, "lastReadDate": None}}],
    )
    outputs = bridge.execute(event)["outputs"]
    # the email output schema keeps subject/body and drops the unknown "footer"
    assert outputs == {"subject": "Re: p1", "body": "You received a new comment: Nice"}


def test_in_process_run_gives_later_steps_neutral_action_results() -> None:
    @workflow("waits-then-reports")
    def flow(payload: t.Any, step: t.Any) -> None:
        waited = step.delay("wait", {"type": "regular", "amount": 5, "unit": "minutes"})
        digest = step.digest("collect", {"amount": 1, "unit": "hours"})
        step.sms("report", lambda: {"body": f"{waited['duration']}ms, {len(digest['events'])} events"})

    result = flow.trigger(to="s", payload={})
    assert result["step_results"] == {
        "wait": {"type": "regular", "amount": 5, "unit": "minutes"},
        "collect": {"amount": 1, "unit": "hours"},
        "report": {"body": "0ms, 0 events"},
    }


def test_trigger_raises_the_workflows_own_exception() -> None:
    @workflow("raises-in-process")
    def flow(payload: t.Any, step: t.Any) -> None:
        def resolver() -> dict[str, str]:
            raise LookupError("no such template")

        step.sms("sms", resolver)

    with pytest.raises(LookupError, match="no such template"):
        flow.trigger(to="s", payload={})
