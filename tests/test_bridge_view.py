"""The bridge view mounted on a real Flask app, as Novu Cloud meets it."""

from __future__ import annotations

import io
import json
import typing as t
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask, request

import flask_novu
from _bridge_apps import PROTOCOL_HEADERS
from conformance_workflows import welcome_onboarding
from flask_novu import NovuBridgeView, serve, workflow
from flask_novu.errors import ConfigurationError, WorkflowAlreadyExistsError
from flask_novu.views import ALL_METHODS


WELCOME_EXECUTE = {
    "payload": {"userName": "Ada", "plan": "pro"},
    "controls": {},
    "state": [],
    "subscriber": {"subscriberId": "sub_123", "firstName": "Ada"},
    "context": {},
}


def assert_protocol_headers(response: t.Any) -> None:
    assert response.mimetype == "application/json"
    for name, value in PROTOCOL_HEADERS.items():
        assert response.headers.get(name) == value, name


def test_other_routes_of_the_app_are_untouched(client: t.Any) -> None:
    home = client.get("/")
    assert home.status_code == 200 and home.get_json() == {"page": "home"}
    assert "Novu-Framework-Version" not in home.headers
    created = client.post("/orders")
    assert created.status_code == 201 and created.get_json() == {"created": True}
    missing = client.get("/nope")
    assert missing.status_code == 404 and missing.mimetype == "text/html"


@pytest.mark.parametrize("query", ["?action=health-check", "", "?action="])
def test_health_check_counts_workflows_and_steps(client: t.Any, query: str) -> None:
    response = client.get(f"/api/novu{query}")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "sdkVersion": flask_novu.__version__,
        "frameworkVersion": "2024-06-26",
        "discovered": {"workflows": 2, "steps": 4},
    }
    assert_protocol_headers(response)
    # key order as the official SDK emits it
    assert list(json.loads(response.data)) == ["status", "sdkVersion", "frameworkVersion", "discovered"]


def test_discover_lists_real_steps_and_schemas(client: t.Any) -> None:
    response = client.get("/api/novu?action=discover")
    assert response.status_code == 200
    body = response.get_json()
    assert body["agents"] == []
    welcome, delayed = body["workflows"]
    assert welcome["workflowId"] == "welcome-onboarding"
    assert [(s["stepId"], s["type"]) for s in welcome["steps"]] == [
        ("in-app-welcome", "in_app"),
        ("email-welcome", "email"),
    ]
    assert [(s["stepId"], s["type"]) for s in delayed["steps"]] == [
        ("wait-a-bit", "delay"),
        ("sms-reminder", "sms"),
    ]
    assert welcome["name"] == "Welcome Onboarding"
    assert welcome["description"] == "In-app welcome followed by a welcome email"
    assert welcome["tags"] == ["onboarding"]
    assert welcome["severity"] == "none"
    assert welcome["preferences"] == {
        "all": {"enabled": True, "readOnly": False},
        "channels": {"in_app": {"enabled": True}, "email": {"enabled": True}},
    }
    assert welcome["payload"]["schema"]["required"] == ["userName"]
    assert welcome["payload"]["unknownSchema"] == welcome["payload"]["schema"]
    email = welcome["steps"][1]
    assert email["controls"]["schema"]["properties"]["heading"] == {"type": "string", "default": "Hello"}
    assert email["outputs"]["schema"]["required"] == ["subject", "body"]
    assert email["options"] == {"controlSchema": email["controls"]["schema"]}
    assert "def welcome" in welcome["code"]
    assert "name" not in delayed and "description" not in delayed
    assert_protocol_headers(response)


@pytest.mark.parametrize("action", ["bogus", "Discover", "HEALTH-CHECK", "execute"])
def test_unknown_or_wrongly_cased_get_action_is_400(client: t.Any, action: str) -> None:
    response = client.get(f"/api/novu?action={action}")
    assert response.status_code == 400
    assert response.get_json() == {
        "message": f"Invalid query string: `action`=`{action}`. "
        "Please use one of `discover`, `health-check`, `code`",
        "code": "InvalidActionError",
        "detail": f"Invalid query string: `action`=`{action}`. "
        "Please use one of `discover`, `health-check`, `code`",
    }
    assert_protocol_headers(response)


def test_post_without_action_is_invalid(client: t.Any) -> None:
    response = client.post("/api/novu", json={})
    assert response.status_code == 400
    assert response.get_json()["code"] == "InvalidActionError"
    assert "`action`=`health-check`" in response.get_json()["message"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_405_json(client: t.Any, method: str) -> None:
    response = client.open("/api/novu?action=discover", method=method)
    assert response.status_code == 405
    assert response.get_json()["code"] == "MethodNotAllowedError"
    assert_protocol_headers(response)


def test_options_preflight(client: t.Any) -> None:
    response = client.options("/api/novu")
    assert response.status_code == 200
    assert response.get_json() == {}
    assert_protocol_headers(response)


def test_unknown_path_below_bridge_is_json_404(client: t.Any) -> None:
    response = client.get("/api/novu/does/not/exist")
    assert response.status_code == 404
    assert response.get_json()["code"] == "BridgeError"
    assert_protocol_headers(response)


def test_code_action(client: t.Any) -> None:
    whole = client.get("/api/novu?action=code&workflowId=delayed-sms")
    assert whole.status_code == 200
    assert "def delayed_sms" in whole.get_json()["code"]
    step = client.get("/api/novu?action=code&workflowId=delayed-sms&stepId=sms-reminder")
    assert "waited" in step.get_json()["code"]
    unknown = client.get("/api/novu?action=code&workflowId=delayed-sms&stepId=nope")
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "StepNotFoundError"
    missing = client.get("/api/novu?action=code")
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "Workflow with id: `` does not exist. Please provide a valid id."


def test_execute_first_step_compiles_default_controls(client: t.Any) -> None:
    response = client.post(
        "/api/novu?action=execute&workflowId=welcome-onboarding&stepId=in-app-welcome",
        json=WELCOME_EXECUTE,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["outputs"] == {
        "subject": "Welcome Ada",
        "body": "Hi Ada, you are on the pro plan.",
        "avatar": "https://example.com/avatar.png",
        "primaryAction": {"label": "Open dashboard", "redirect": {"url": "/dashboard", "target": "_self"}},
        "data": {"plan": "pro"},
    }
    assert body["providers"] == {} and body["options"] == {"skip": False}
    assert body["metadata"]["status"] == "success" and body["metadata"]["error"] is False
    assert body["metadata"]["duration"] >= 0
    assert_protocol_headers(response)


def test_execute_second_step_replays_state_and_sanitises(client: t.Any) -> None:
    event = dict(WELCOME_EXECUTE)
    event["controls"] = {"heading": "Hey <b>there</b>", "unknownControl": "dropped"}
    event["state"] = [
        {"stepId": "in-app-welcome", "outputs": {"seen": False, "read": False, "lastSeenDate": None, "lastReadDate": None}}
    ]
    response = client.post(
        "/api/novu?action=execute&workflowId=welcome-onboarding&stepId=email-welcome", json=event
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"] == {
        "subject": "Welcome aboard, Ada!",
        "body": "<h1>Hey <b>there</b></h1><p>Welcome Ada</p>",
    }


def test_execute_previous_step_result_feeds_later_steps(client: t.Any) -> None:
    response = client.post(
        "/api/novu?action=execute&workflowId=delayed-sms&stepId=sms-reminder",
        json={"payload": {"orderId": "ord_42"}, "state": [{"stepId": "wait-a-bit", "outputs": {"duration": 300000}}]},
    )
    assert response.status_code == 200
    assert response.get_json()["outputs"] == {"body": "Order ord_42: waited 300000ms"}


def test_snake_case_query_keys_of_the_earlier_framework(client: t.Any) -> None:
    response = client.post(
        "/api/novu?action=execute&workflow_id=delayed-sms&step_id=wait-a-bit",
        json={"payload": {"orderId": "o"}},
    )
    assert response.status_code == 200
    assert response.get_json()["outputs"] == {"type": "regular", "amount": 5, "unit": "minutes"}


def test_unknown_query_keys_are_ignored(client: t.Any) -> None:
    response = client.post(
        "/api/novu?action=execute&workflowId=delayed-sms&stepId=wait-a-bit&jobId=j1&environmentType=dev",
        json={"payload": {"orderId": "o"}},
    )
    assert response.status_code == 200


def test_as_view_mounting_without_serve(workflows: list[t.Any]) -> None:
    app = Flask(__name__)
    app.add_url_rule(
        "/bridge",
        view_func=NovuBridgeView.as_view("bridge", workflows=workflows[1:]),
        methods=ALL_METHODS,
    )
    client = app.test_client()
    assert client.get("/bridge").get_json()["discovered"] == {"workflows": 1, "steps": 2}
    error = client.post("/bridge?action=execute&workflowId=nope&stepId=x", json={"payload": {}})
    assert error.status_code == 404
    assert error.get_json()["code"] == "WorkflowNotFoundError"
    assert_protocol_headers(error)


def test_several_apps_and_routes_in_one_process(workflows: list[t.Any]) -> None:
    first, second = Flask("first"), Flask("second")
    serve(first, route="/api/novu", workflows=workflows[:1])
    serve(second, route="/hooks/novu", workflows=workflows)
    serve(second, route="/other", workflows=workflows[1:])
    assert first.test_client().get("/api/novu").get_json()["discovered"]["workflows"] == 1
    assert second.test_client().get("/hooks/novu").get_json()["discovered"]["workflows"] == 2
    assert second.test_client().get("/other").get_json()["discovered"]["workflows"] == 1
    assert second.test_client().get("/api/novu").status_code == 404


def test_duplicate_workflow_ids_fail_at_registration() -> None:
    @workflow("same")
    def one(payload: t.Any, step: t.Any) -> None:
        step.sms("a", {"body": "x"})

    @workflow("same")
    def two(payload: t.Any, step: t.Any) -> None:
        step.sms("b", {"body": "y"})

    with pytest.raises(WorkflowAlreadyExistsError, match="`same` already exists"):
        serve(Flask(__name__), workflows=[one, two])


def test_failing_discovery_names_the_workflow() -> None:
    @workflow("broken")
    def broken(payload: t.Any, step: t.Any) -> None:
        raise RuntimeError("database unavailable")

    app = Flask(__name__)
    with pytest.raises(ConfigurationError, match="'broken'.*database unavailable"):
        serve(app, workflows=[broken])
    with pytest.raises(ConfigurationError, match="broken"):
        NovuBridgeView.as_view("x", workflows=[broken])


def test_duplicate_step_ids_fail_at_registration() -> None:
    @workflow("dup-steps")
    def dup(payload: t.Any, step: t.Any) -> None:
        step.sms("a", {"body": "x"})
        step.sms("a", {"body": "y"})

    with pytest.raises(ConfigurationError, match="Step with id: `a` already exists"):
        serve(Flask(__name__), workflows=[dup])


def test_root_route_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="route"):
        serve(Flask(__name__), route="/", workflows=[])


def test_concurrent_requests_from_threads(app: Flask) -> None:
    def call(index: int) -> tuple[int, t.Any]:
        client = app.test_client()
        if index % 3 == 0:
            response = client.get("/api/novu?action=discover")
            return response.status_code, len(response.get_json()["workflows"])
        order = f"ord_{index}"
        response = client.post(
            "/api/novu?action=execute&workflowId=delayed-sms&stepId=sms-reminder",
            json={"payload": {"orderId": order}, "state": [{"stepId": "wait-a-bit", "outputs": {"duration": index}}]},
        )
        return response.status_code, response.get_json()["outputs"]["body"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, range(120)))
    for index, (status, value) in enumerate(results):
        assert status == 200
        if index % 3 == 0:
            assert value == 2
        else:
            assert value == f"Order ord_{index}: waited {index}ms"


def test_each_request_logs_one_structured_line(client: t.Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    client.post(
        "/api/novu?action=execute&workflowId=delayed-sms&stepId=wait-a-bit", json={"payload": {"orderId": "o"}}
    )
    client.get("/api/novu?action=code&workflowId=nope")
    records = [r for r in caplog.records if r.name == "flask_novu" and hasattr(r, "outcome")]
    assert [(r.action, r.workflowId, r.stepId, r.outcome, r.status) for r in records] == [
        ("execute", "delayed-sms", "wait-a-bit", "success", 200),
        ("code", "nope", "", "error", 404),
    ]
    assert all(r.duration_ms >= 0 for r in records)


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
def test_unlisted_methods_are_405_json_below_the_bridge_only(client: t.Any, method: str) -> None:
    response = client.open("/api/novu?action=discover", method=method)
    assert response.status_code == 405
    assert response.get_json()["code"] == "MethodNotAllowedError"
    assert_protocol_headers(response)
    elsewhere = client.open("/orders", method=method)
    assert elsewhere.status_code == 405 and elsewhere.mimetype == "text/html"


def test_the_apps_own_405_handler_is_kept_elsewhere(workflows: list[t.Any]) -> None:
    app = Flask(__name__)

    @app.post("/orders")
    def orders() -> t.Any:
        return "ok"

    @app.errorhandler(405)
    def custom(exc: t.Any) -> t.Any:
        return {"mine": True}, 405

    serve(app, workflows=workflows)
    client = app.test_client()
    assert client.get("/orders").get_json() == {"mine": True}
    assert client.open("/api/novu", method="TRACE").get_json()["code"] == "MethodNotAllowedError"


EXECUTE_URL = "/api/novu?action=execute&workflowId=welcome-onboarding&stepId=in-app-welcome"


def test_the_body_stays_readable_for_the_app_after_the_bridge(app: Flask) -> None:
    """A subclass (or after_request hook) can still read the request body."""
    seen: list[bytes] = []

    class Audited(NovuBridgeView):
        def post(self) -> t.Any:
            response = super().post()
            seen.append(request.get_data())
            return response

    app.add_url_rule("/audited", view_func=Audited.as_view("audited", workflows=[welcome_onboarding]))
    body = json.dumps(WELCOME_EXECUTE).encode()
    response = app.test_client().post(
        "/audited?action=execute&workflowId=welcome-onboarding&stepId=in-app-welcome",
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"]["subject"] == "Welcome Ada"
    assert seen == [body]


def test_a_body_read_by_the_app_first_still_reaches_the_bridge(app: Flask, client: t.Any) -> None:
    @app.before_request
    def peek() -> None:
        request.get_data()  # e.g. an audit log or a request-signing middleware

    response = client.post(EXECUTE_URL, json=WELCOME_EXECUTE)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"]["subject"] == "Welcome Ada"


def test_flask_max_content_length_still_applies(app: Flask, client: t.Any) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 64
    response = client.post(EXECUTE_URL, json=WELCOME_EXECUTE)
    assert response.status_code == 413
    assert response.get_json()["code"] == "BridgeError"


def test_a_body_shorter_than_its_content_length_is_a_json_400(client: t.Any) -> None:
    body = json.dumps(WELCOME_EXECUTE).encode()
    response = client.post(
        EXECUTE_URL,
        input_stream=io.BytesIO(body[:-10]),
        headers={"Content-Type": "application/json", "Content-Length": str(len(body))},
    )
    assert response.status_code == 400
    assert response.is_json and "Traceback" not in response.get_data(as_text=True)


def test_responses_use_the_apps_response_class(workflows: list[t.Any]) -> None:
    from flask import Response

    class TaggedResponse(Response):
        pass

    app = Flask(__name__)
    app.response_class = TaggedResponse
    serve(app, "/api/novu", workflows)
    seen: list[t.Any] = []
    app.after_request(lambda response: seen.append(response) or response)
    assert app.test_client().get("/api/novu?action=health-check").status_code == 200
    assert isinstance(seen[0], TaggedResponse)


def test_headers_changed_by_an_after_request_hook_are_sent_as_werkzeug_sends_them(
    workflows: list[t.Any],
) -> None:
    app = Flask(__name__)
    serve(app, "/api/novu", workflows)

    @app.after_request
    def rewrite(response: t.Any) -> t.Any:
        if request.args.get("hook") == "location":
            response.headers["Location"] = "/caf\u00e9"
        elif request.args.get("hook") == "no-content":
            response.status_code = 204
        return response

    client = app.test_client()
    moved = client.get("/api/novu?action=health-check&hook=location")
    assert moved.headers["Location"] == "/caf%C3%A9"  # IRI made a URI, as Werkzeug does
    emptied = client.get("/api/novu?action=health-check&hook=no-content")
    assert emptied.status_code == 204 and "Content-Length" not in emptied.headers
    plain = client.get("/api/novu?action=health-check")
    assert plain.headers["Content-Length"] == str(len(plain.get_data()))
    assert_protocol_headers(plain)
