"""Bridge errors go through Flask's error handlers, whatever mounted the bridge."""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import Blueprint, Flask, jsonify

from conformance_workflows import delayed_sms, welcome_onboarding
from flask_novu import Novu, NovuBridgeView, register_bridges, serve, workflow
from flask_novu.errors import (
    MissingSecretKeyError,
    NovuError,
    SignatureError,
    StepExecutionFailedError,
    WorkflowNotFoundError,
)
from flask_novu.views import ALL_METHODS

WORKFLOWS = [welcome_onboarding, delayed_sms]
UNKNOWN = "/api/novu?action=execute&workflowId=nope&stepId=x"
MOUNTS = ["serve", "extension", "add_url_rule", "register_bridges", "blueprint"]


def mount(app: Flask, how: str, **options: t.Any) -> None:
    if how == "serve":
        serve(app, "/api/novu", WORKFLOWS, **options)
    elif how == "extension":
        Novu(workflows=WORKFLOWS, **options).init_app(app)
    elif how in ("add_url_rule", "register_bridges"):
        app.add_url_rule(
            "/api/novu",
            view_func=NovuBridgeView.as_view("novu", workflows=WORKFLOWS, **options),
            methods=ALL_METHODS,
        )
        if how == "register_bridges":
            register_bridges(app)
    elif how == "blueprint":
        bp = Blueprint("notifications", __name__, url_prefix="/api")
        serve(bp, "/novu", WORKFLOWS, **options)
        app.register_blueprint(bp)
    else:  # pragma: no cover
        raise AssertionError(how)


def not_found_handler(error: WorkflowNotFoundError) -> t.Any:
    return jsonify(mine=error.code), 418


def base_handler(error: NovuError) -> t.Any:
    return jsonify(base=error.code), 419


@pytest.mark.parametrize("how", MOUNTS)
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize(
    "error_class, handler, status, body, invalid_action",
    [
        # A handler for one domain exception: other errors keep the bridge's rendering.
        (WorkflowNotFoundError, not_found_handler, 418, {"mine": "WorkflowNotFoundError"}, None),
        # A handler for the base class takes every bridge error.
        (NovuError, base_handler, 419, {"base": "WorkflowNotFoundError"}, {"base": "InvalidActionError"}),
    ],
    ids=["domain-exception", "base-class"],
)
def test_an_app_handler_wins(
    how: str,
    when: str,
    error_class: type[NovuError],
    handler: t.Callable[..., t.Any],
    status: int,
    body: dict[str, str],
    invalid_action: dict[str, str] | None,
) -> None:
    app = Flask(__name__)
    if when == "before":
        app.register_error_handler(error_class, handler)
    mount(app, how)
    if when == "after":
        app.register_error_handler(error_class, handler)
    client = app.test_client()
    response = client.post(UNKNOWN, json={"payload": {}})
    assert (response.status_code, response.get_json()) == (status, body)
    # The framework headers are still there.
    assert response.headers["Novu-Framework-Version"] == "2024-06-26"
    other = client.get("/api/novu?action=nope")
    if invalid_action is None:
        assert other.status_code == 400
        assert other.get_json()["code"] == "InvalidActionError"
    else:
        assert (other.status_code, other.get_json()) == (status, invalid_action)


def test_a_more_specific_user_handler_beats_a_user_base_handler() -> None:
    app = Flask(__name__)
    app.register_error_handler(NovuError, base_handler)
    app.register_error_handler(WorkflowNotFoundError, not_found_handler)
    serve(app, "/api/novu", WORKFLOWS)
    assert app.test_client().post(UNKNOWN, json={"payload": {}}).status_code == 418
    assert app.test_client().get("/api/novu?action=nope").status_code == 419


def test_a_mid_level_user_handler_takes_its_subclasses() -> None:
    app = Flask(__name__)
    app.config["NOVU_SECRET_KEY"] = "sk_test"
    serve(app, "/api/novu", WORKFLOWS)
    seen: list[str] = []

    @app.errorhandler(SignatureError)
    def rejected(error: SignatureError) -> t.Any:
        seen.append(error.code)
        return jsonify(rejected=True), 403

    response = app.test_client().post("/api/novu?action=execute", json={})
    assert response.status_code == 403
    assert seen == ["SignatureNotFoundError"]


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_blueprint_handler_wins_for_a_bridge_on_the_blueprint(when: str) -> None:
    app = Flask(__name__)
    bp = Blueprint("notifications", __name__)
    if when == "before":
        bp.register_error_handler(WorkflowNotFoundError, not_found_handler)
    serve(bp, "/api/novu", WORKFLOWS)
    if when == "after":
        bp.register_error_handler(WorkflowNotFoundError, not_found_handler)
    app.register_blueprint(bp)
    response = app.test_client().post(UNKNOWN, json={"payload": {}})
    assert response.status_code == 418


def test_an_app_catch_all_exception_handler_does_not_take_over_the_bridge() -> None:
    app = Flask(__name__)

    @app.errorhandler(Exception)
    def page(error: Exception) -> t.Any:
        return "<h1>Oops</h1>", 500

    serve(app, "/api/novu", WORKFLOWS)
    response = app.test_client().post(UNKNOWN, json={"payload": {}})
    assert response.status_code == 404
    assert response.get_json()["code"] == "WorkflowNotFoundError"


def test_error_response_stays_overridable() -> None:
    class Custom(NovuBridgeView):
        def error_response(self, error: NovuError) -> t.Any:
            return self.json_response({"custom": error.code}, error.status_code)

    app = Flask(__name__)
    serve(app, "/api/novu", WORKFLOWS, view_class=Custom)
    response = app.test_client().post(UNKNOWN, json={"payload": {}})
    assert (response.status_code, response.get_json()) == (404, {"custom": "WorkflowNotFoundError"})


@pytest.mark.parametrize("how", MOUNTS)
def test_domain_errors_in_the_apps_own_views_get_flasks_ordinary_handling(how: str) -> None:
    app = Flask(__name__)
    mount(app, how)

    @app.get("/send")
    def send() -> t.Any:
        raise MissingSecretKeyError()

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    client.get("/api/novu")  # the bridge has been used (first-use set-up done)
    response = client.get("/send")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert b"MissingSecretKeyError" not in response.data


def test_the_apps_catch_all_handler_still_sees_domain_errors_of_its_own_views() -> None:
    app = Flask(__name__)
    serve(app, "/api/novu", WORKFLOWS)

    @app.errorhandler(Exception)
    def page(error: Exception) -> t.Any:
        return f"<h1>{type(error).__name__}</h1>", 500

    @app.get("/send")
    def send() -> t.Any:
        raise MissingSecretKeyError()

    response = app.test_client().get("/send")
    assert (response.status_code, response.data) == (500, b"<h1>MissingSecretKeyError</h1>")
    # ... and still not the bridge's errors.
    assert app.test_client().post(UNKNOWN, json={"payload": {}}).status_code == 404


def test_novu_trigger_misconfigured_in_a_user_view_is_a_server_error() -> None:
    app = Flask(__name__)
    novu = Novu(workflows=WORKFLOWS)
    novu.init_app(app)
    app.config["NOVU_SUPPRESS_SEND"] = False

    @app.post("/signup")
    def signup() -> t.Any:
        novu.trigger("welcome-onboarding", to="user-1", payload={})
        return jsonify(ok=True)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().post("/signup")
    assert response.status_code == 500
    assert response.mimetype == "text/html"


def test_the_apps_handler_for_its_own_views_still_applies() -> None:
    app = Flask(__name__)
    serve(app, "/api/novu", WORKFLOWS)

    @app.get("/send")
    def send() -> t.Any:
        raise MissingSecretKeyError()

    @app.errorhandler(MissingSecretKeyError)
    def missing(error: MissingSecretKeyError) -> t.Any:
        return "configure Novu", 503

    assert app.test_client().get("/send").status_code == 503


# -- logging of 5xx -----------------------------------------------------------------


@workflow("fails")
def fails(payload: dict[str, t.Any], step: t.Any) -> None:
    def resolver() -> dict[str, t.Any]:
        raise ZeroDivisionError("resolver exploded")

    step.sms("text", resolver)


@pytest.mark.parametrize("how", ["serve", "add_url_rule"])
def test_a_resolver_that_raises_is_logged_with_its_traceback(
    how: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="flask_novu")
    app = Flask(__name__)
    if how == "serve":
        serve(app, "/api/novu", [fails])
    else:
        app.add_url_rule("/api/novu", view_func=NovuBridgeView.as_view("n", workflows=[fails]))
    response = app.test_client().post(
        "/api/novu?action=execute&workflowId=fails&stepId=text", json={"payload": {}}
    )
    assert response.status_code == 502
    assert response.get_json()["code"] == StepExecutionFailedError.code
    assert b"Traceback" not in response.data
    errors = [r for r in caplog.records if r.name == "flask_novu" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert errors[0].exc_info[0] is ZeroDivisionError
    assert "resolver exploded" in errors[0].getMessage()


def test_an_unexpected_failure_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(NovuBridgeView):
        def get(self) -> t.Any:
            raise KeyError("boom")

    caplog.set_level(logging.ERROR, logger="flask_novu")
    app = Flask(__name__)
    serve(app, "/api/novu", WORKFLOWS, view_class=Broken)
    response = app.test_client().get("/api/novu")
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
