"""The FastAPI-era route ``POST <route>/workflows/<id>/execute`` keeps working."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from pydantic import BaseModel

from flask_novu import serve, workflow


class CommentPayload(BaseModel):
    comment: str
    post_id: str


@workflow("comment-notification")
def comment_workflow(payload: CommentPayload, step: t.Any) -> None:
    step.in_app("new-comment", {"body": f"New comment: {payload.comment}"})
    step.email(
        "comment-email",
        lambda: {"subject": "New comment", "body": f"On {payload.post_id}"},
    )


@workflow("explodes")
def explodes(payload: t.Any, step: t.Any) -> None:
    def resolver() -> dict[str, str]:
        raise ValueError("template store offline")

    step.sms("sms", resolver)


@pytest.fixture
def compat_client() -> t.Any:
    app = Flask(__name__)
    serve(app, route="/api/novu", workflows=[comment_workflow, explodes])
    return app.test_client()


def test_execute_runs_every_step(compat_client: t.Any) -> None:
    response = compat_client.post(
        "/api/novu/workflows/comment-notification/execute",
        json={"to": "subscriber_1", "payload": {"comment": "Great", "post_id": "p9"}, "metadata": {"source": "test"}},
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "workflow_id": "comment-notification",
        "status": "completed",
        "step_results": {
            "new-comment": {"body": "New comment: Great"},
            "comment-email": {"subject": "New comment", "body": "On p9"},
        },
        "payload": {"comment": "Great", "post_id": "p9"},
    }
    assert response.headers["Novu-Framework-Server"] == "flask"


def test_to_may_be_a_subscriber_object(compat_client: t.Any) -> None:
    response = compat_client.post(
        "/api/novu/workflows/comment-notification/execute",
        json={"to": {"subscriberId": "s1", "email": "a@b.co"}, "payload": {"comment": "c", "post_id": "p"}},
    )
    assert response.status_code == 200


def test_unknown_workflow_is_404(compat_client: t.Any) -> None:
    response = compat_client.post("/api/novu/workflows/nope/execute", json={"to": "s", "payload": {}})
    assert response.status_code == 404
    body = response.get_json()
    assert body["code"] == "WorkflowNotFoundError"
    assert body["detail"] == body["message"] == "Workflow with id: `nope` does not exist. Please provide a valid id."


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"payload": {}}, "/to"),
        ({"to": "s"}, "/payload"),
        ({"to": 42, "payload": {}}, "/to"),
        ({"to": "s", "payload": []}, "/payload"),
        ({"to": "s", "payload": {}, "metadata": "x"}, "/metadata"),
    ],
)
def test_missing_or_invalid_fields_are_400(compat_client: t.Any, body: t.Any, path: str) -> None:
    response = compat_client.post("/api/novu/workflows/comment-notification/execute", json=body)
    assert response.status_code == 400
    error = response.get_json()
    assert error["code"] == "BridgeError"
    assert error["data"][0]["path"] == path
    assert error["detail"] == error["message"]


def test_invalid_json_is_400(compat_client: t.Any) -> None:
    response = compat_client.post(
        "/api/novu/workflows/comment-notification/execute",
        data=b'{"to": "s", "payload": ',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "BridgeError"


def test_payload_failing_the_schema_is_400_with_details(compat_client: t.Any) -> None:
    response = compat_client.post(
        "/api/novu/workflows/comment-notification/execute",
        json={"to": "s", "payload": {"comment": "no post id"}},
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "WorkflowPayloadInvalidError"
    assert body["data"] == [{"path": "/post_id", "message": "Field required"}]


def test_exception_inside_the_workflow_is_500_json(compat_client: t.Any) -> None:
    response = compat_client.post("/api/novu/workflows/explodes/execute", json={"to": "s", "payload": {}})
    assert response.status_code == 500
    body = response.get_json()
    assert body["message"] == "Failed to execute workflow with id: `explodes`: template store offline"
    assert body["detail"] == body["message"]
    assert "data" not in body
    assert "Traceback" not in response.get_data(as_text=True)


def test_get_on_the_compat_route_is_405_json(compat_client: t.Any) -> None:
    response = compat_client.get("/api/novu/workflows/comment-notification/execute")
    assert response.status_code == 405
    assert response.get_json()["code"] == "MethodNotAllowedError"
