"""Code written in the earlier Python framework's documented style, served with ``serve()``.

The workflows below use the earlier ``novu-framework`` API as its README and
its tests use it: ``@workflow(id)`` with a pydantic annotation or a plain
``payload: dict``, ``Workflow(workflow_id, handler, payload_schema, name)``,
``controlSchema=``, ``controls=``, boolean ``skip``, ``.trigger(to=...,
payload=...)`` and ``except pydantic.ValidationError``. Each is run three
ways: in process (``trigger``), through the FastAPI-era route
``POST /api/novu/workflows/<id>/execute``, and through Novu's
``?action=execute`` (and ``preview``) as Novu Cloud calls the bridge.
"""

from __future__ import annotations

import typing as t

import marshmallow
import pydantic
import pytest
from flask import Flask

from flask_novu import serve, workflow
from flask_novu.errors import WorkflowPayloadInvalidError
from flask_novu.workflows import Workflow

from _earlier_readme import EmailControls, comment_workflow

IN_APP_RESULT = {"seen": False, "read": False, "lastSeenDate": None, "lastReadDate": None}


# No payload schema: the earlier framework handed the payload through, and
# its users read it directly.
@workflow("order-update")
def order_update(payload: dict, step: t.Any) -> None:  # type: ignore[type-arg]
    step.sms("order-sms", lambda: {"body": f"Order {payload['order_id']} is {payload['status']}"})
    step.push(
        "order-push",
        lambda: {"subject": "Order update", "body": payload["status"]},
        skip=lambda: not payload.get("wants_push"),
    )


def _reminder(payload: t.Any, step: t.Any) -> None:
    step.email(
        "reminder-email",
        lambda controls: {"subject": controls["subject"], "body": f"Hi {payload['name']}"},
        controls={"subject": "Your reminder"},
    )
    step.sms("never-sent", {"body": "never"}, skip=True)
    step.sms("always-sent", {"body": "always"}, skip=False)
    step.in_app(
        "only-when-asked",
        {"body": "asked"},
        controls={"ask": True},
        skip=lambda controls: not controls["ask"],
    )


# The earlier framework's constructor, positional.
reminder = Workflow("reminder", _reminder)


class ProfilePayload(marshmallow.Schema):
    email = marshmallow.fields.Email(required=True)


def _profile(payload: t.Any, step: t.Any) -> None:
    step.sms("profile-sms", lambda: {"body": payload["email"]})


# ... and by keyword, with a marshmallow schema and a name.
profile = Workflow(
    workflow_id="profile-updated", handler=_profile, payload_schema=ProfilePayload, name="Profile updated"
)

WORKFLOWS = [comment_workflow, order_update, reminder, profile]


@pytest.fixture
def client() -> t.Any:
    app = Flask(__name__)
    serve(app, route="/api/novu", workflows=WORKFLOWS)
    return app.test_client()


def compat(client: t.Any, workflow_id: str, payload: dict[str, t.Any]) -> t.Any:
    return client.post(
        f"/api/novu/workflows/{workflow_id}/execute", json={"to": "subscriber_1", "payload": payload}
    )


def novu(client: t.Any, action: str, workflow_id: str, step_id: str, **body: t.Any) -> t.Any:
    body.setdefault("controls", {})
    body.setdefault("state", [])
    return client.post(f"/api/novu?action={action}&workflowId={workflow_id}&stepId={step_id}", json=body)


# -- the README's workflow ----------------------------------------------------------


def test_readme_workflow_in_trigger_and_compat_route(client: t.Any) -> None:
    payload = {"comment": "This is a great post!", "post_id": "post_id_456"}
    expected = {
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
        "payload": payload,
    }
    assert comment_workflow.trigger(to="subscriber_id_123", payload=payload) == expected
    response = compat(client, "comment-notification", payload)
    assert response.status_code == 200
    assert response.get_json() == expected


def test_readme_workflow_through_novu_execute(client: t.Any) -> None:
    response = novu(
        client,
        "execute",
        "comment-notification",
        "comment-email",
        payload={"comment": "Nice", "post_id": "p1"},
        controls={"subject": "Re: {{payload.post_id}}", "include_footer": False},
        state=[{"stepId": "new-comment", "outputs": IN_APP_RESULT}],
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"] == {"subject": "Re: p1", "body": "You received a new comment: Nice"}


# -- a workflow without a payload schema --------------------------------------------------


def test_no_schema_payload_reaches_trigger_and_compat_route_unchanged(client: t.Any) -> None:
    payload = {"order_id": "A1", "status": "shipped", "wants_push": True}
    result = order_update.trigger(to="s", payload=payload)
    assert result["step_results"] == {
        "order-sms": {"body": "Order A1 is shipped"},
        "order-push": {"subject": "Order update", "body": "shipped"},
    }
    assert compat(client, "order-update", payload).get_json() == result
    skipped = compat(client, "order-update", {"order_id": "A2", "status": "late"}).get_json()
    assert skipped["step_results"]["order-push"] == {"skipped": True}


def test_no_schema_payload_reaches_novu_execute_unchanged(client: t.Any) -> None:
    payload = {"order_id": "A1", "status": "shipped", "wants_push": True}
    response = novu(client, "execute", "order-update", "order-sms", payload=payload)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"] == {"body": "Order A1 is shipped"}
    # the skip predicate reads the payload too
    state = [{"stepId": "order-sms", "outputs": {}}]
    sent = novu(client, "execute", "order-update", "order-push", payload=payload, state=state)
    assert sent.get_json()["options"] == {"skip": False}
    quiet = novu(client, "execute", "order-update", "order-push", payload={"order_id": "A1", "status": "x"}, state=state)
    assert quiet.get_json()["options"] == {"skip": True}


def test_no_schema_payload_reaches_novu_preview_unchanged(client: t.Any) -> None:
    response = novu(client, "preview", "order-update", "order-sms", payload={"order_id": "P", "status": "late"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"] == {"body": "Order P is late"}


def test_no_schema_discovery_stays_the_sdks(client: t.Any) -> None:
    found = {w["workflowId"]: w for w in client.get("/api/novu?action=discover").get_json()["workflows"]}
    assert found["order-update"]["payload"]["schema"] == {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }


def test_no_schema_non_object_payload_still_fails(client: t.Any) -> None:
    response = novu(client, "execute", "order-update", "order-sms", payload="not an object")
    assert response.status_code == 400
    assert response.get_json()["data"] == [{"path": "", "message": "must be object"}]


# -- controls= and boolean skip -------------------------------------------------------------


def test_controls_option_and_boolean_skip_in_trigger_and_compat_route(client: t.Any) -> None:
    expected_steps = {
        "reminder-email": {"subject": "Your reminder", "body": "Hi Ada"},
        "never-sent": {"skipped": True},
        "always-sent": {"body": "always"},
        "only-when-asked": {"body": "asked"},
    }
    assert reminder.trigger(to="s", payload={"name": "Ada"})["step_results"] == expected_steps
    response = compat(client, "reminder", {"name": "Ada"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["step_results"] == expected_steps


def test_boolean_skip_through_novu_execute(client: t.Any) -> None:
    state = [{"stepId": "reminder-email", "outputs": {}}]
    skipped = novu(client, "execute", "reminder", "never-sent", payload={"name": "Ada"}, state=state)
    assert skipped.status_code == 200, skipped.get_json()
    assert skipped.get_json()["options"] == {"skip": True}
    state.append({"stepId": "never-sent", "outputs": {}})
    sent = novu(client, "execute", "reminder", "always-sent", payload={"name": "Ada"}, state=state)
    assert sent.get_json()["outputs"] == {"body": "always"}
    assert sent.get_json()["options"] == {"skip": False}


def test_novu_execute_uses_the_controls_novu_sends(client: t.Any) -> None:
    # controls= is the in-process value; over the bridge the step's controls
    # are Novu's (here: no control schema, so the empty object).
    response = novu(client, "execute", "reminder", "reminder-email", payload={"name": "Ada"}, controls={})
    assert response.status_code == 502
    assert response.get_json()["code"] == "StepExecutionFailedError"


def test_controls_option_is_not_in_discovery(client: t.Any) -> None:
    found = {w["workflowId"]: w for w in client.get("/api/novu?action=discover").get_json()["workflows"]}
    options = [s["options"] for s in found["reminder"]["steps"]]
    assert options == [{}, {}, {}, {}]


def test_controls_option_with_a_control_schema_is_validated_with_defaults() -> None:
    @workflow("schema-and-controls")
    def flow(payload: t.Any, step: t.Any) -> None:
        step.email(
            "mail",
            lambda controls: {"subject": controls.subject, "body": str(controls.include_footer)},
            controlSchema=EmailControls,
            controls={"include_footer": False},
        )

    assert flow.trigger(to="s", payload={})["step_results"]["mail"] == {"subject": "New Comment", "body": "False"}


def test_skip_and_controls_of_the_wrong_type_fail_at_definition() -> None:
    @workflow("bad-skip")
    def bad_skip(payload: t.Any, step: t.Any) -> None:
        step.sms("s", {"body": "b"}, skip="yes")

    @workflow("bad-controls")
    def bad_controls(payload: t.Any, step: t.Any) -> None:
        step.sms("s", {"body": "b"}, controls=["subject"])

    with pytest.raises(Exception, match="skip must be a boolean or callable"):
        bad_skip.steps  # noqa: B018
    with pytest.raises(Exception, match="controls must be a dict"):
        bad_controls.steps  # noqa: B018


# -- the Workflow constructor -------------------------------------------------------------


def test_workflow_constructor_positional_and_keyword() -> None:
    assert reminder.workflow_id == "reminder"
    assert reminder.handler is _reminder
    assert reminder.name == "reminder"
    assert profile.handler is _profile
    assert profile.name == "Profile updated"
    full = Workflow("positional", _profile, ProfilePayload, "Positional name")
    assert full.name == "Positional name"
    assert full.payload_schema_given
    assert comment_workflow.name == "comment-notification"


def test_name_defaults_to_the_id_but_discovery_sends_only_a_given_name(client: t.Any) -> None:
    found = {w["workflowId"]: w for w in client.get("/api/novu?action=discover").get_json()["workflows"]}
    assert "name" not in found["reminder"]
    assert found["profile-updated"]["name"] == "Profile updated"


def test_keyword_workflow_serves_all_three_ways(client: t.Any) -> None:
    assert profile.trigger(to="s", payload={"email": "a@b.co"})["step_results"] == {"profile-sms": {"body": "a@b.co"}}
    assert compat(client, "profile-updated", {"email": "a@b.co"}).get_json()["step_results"] == {
        "profile-sms": {"body": "a@b.co"}
    }
    response = novu(client, "execute", "profile-updated", "profile-sms", payload={"email": "a@b.co", "extra": 1})
    assert response.get_json()["outputs"] == {"body": "a@b.co"}


# -- invalid payloads ----------------------------------------------------------------------


def test_invalid_payload_in_trigger_is_pydantics_error_and_ours() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        comment_workflow.trigger(to="s", payload={"comment": "missing post id"})
    error = info.value
    assert isinstance(error, WorkflowPayloadInvalidError)
    assert [(e["loc"], e["type"]) for e in error.errors()] == [(("post_id",), "missing")]
    assert error.data == [{"path": "/post_id", "message": "Field required"}]
    assert error.code == "WorkflowPayloadInvalidError"
    assert "post_id" in str(error)


def test_invalid_payload_in_trigger_is_marshmallows_error_and_ours() -> None:
    with pytest.raises(marshmallow.ValidationError) as info:
        profile.trigger(to="s", payload={"email": "not-an-email"})
    error = info.value
    assert isinstance(error, WorkflowPayloadInvalidError)
    assert error.messages == {"email": ["Not a valid email address."]}
    assert error.data == [{"path": "/email", "message": "Not a valid email address."}]


def test_invalid_payload_on_the_compat_route_is_a_json_400(client: t.Any) -> None:
    response = compat(client, "comment-notification", {"comment": "missing post id"})
    assert response.status_code == 400
    assert response.get_json() == {
        "message": "Workflow with id: `comment-notification` has invalid `payload`. Please provide the correct payload.",
        "data": [{"path": "/post_id", "message": "Field required"}],
        "code": "WorkflowPayloadInvalidError",
        "detail": "Workflow with id: `comment-notification` has invalid `payload`. Please provide the correct payload.",
    }
    response = compat(client, "profile-updated", {"email": "nope"})
    assert response.status_code == 400
    assert response.get_json()["data"] == [{"path": "/email", "message": "Not a valid email address."}]


def test_custom_pydantic_error_types_survive() -> None:
    from pydantic_core import PydanticCustomError

    class Strict(pydantic.BaseModel):
        code: str

        @pydantic.field_validator("code")
        @classmethod
        def known(cls, value: str) -> str:
            raise PydanticCustomError("unknown_code", "code {code} is unknown", {"code": value})

    @workflow("custom-error", payload_schema=Strict)
    def flow(payload: t.Any, step: t.Any) -> None:
        step.sms("s", {"body": "b"})

    with pytest.raises(pydantic.ValidationError) as info:
        flow.trigger(to="s", payload={"code": "zz"})
    assert isinstance(info.value, WorkflowPayloadInvalidError)
    assert [(e["type"], e["msg"]) for e in info.value.errors()] == [("unknown_code", "code zz is unknown")]
