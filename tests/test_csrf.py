"""The bridge is exempt from Flask-WTF's CSRF protection; the rest of the app is not."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask, jsonify

from flask_novu import serve, workflow
from flask_novu.extension import Novu
from flask_novu.testing import NovuTestClient

flask_wtf = pytest.importorskip("flask_wtf")
CSRFProtect = flask_wtf.CSRFProtect

KEY = "sk_test_reference_secret"


@workflow("hello")
def hello(payload: dict[str, t.Any], step: t.Any) -> None:
    step.sms("text", {"body": "hello"})


def make_app(csrf_first: bool, mount: str = "extension") -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="flask-secret", NOVU_SECRET_KEY=KEY, WTF_CSRF_ENABLED=True)
    app.test_client_class = NovuTestClient

    @app.post("/orders")
    def orders() -> t.Any:
        return jsonify(created=True), 201

    csrf = CSRFProtect()

    def mount_bridge() -> None:
        if mount == "serve":
            serve(app, workflows=[hello])
        else:
            Novu(workflows=[hello]).init_app(app)

    if csrf_first:
        csrf.init_app(app)
        mount_bridge()
    else:
        mount_bridge()
        csrf.init_app(app)
    return app


@pytest.mark.parametrize("mount", ["extension", "serve"])
@pytest.mark.parametrize("csrf_first", [True, False], ids=["csrf-first", "novu-first"])
def test_bridge_posts_need_no_csrf_token(csrf_first: bool, mount: str) -> None:
    client = make_app(csrf_first, mount).test_client()
    response = client.post(
        "/api/novu?action=execute&workflowId=hello&stepId=text",
        json={"payload": {}, "controls": {}, "state": []},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["outputs"] == {"body": "hello"}
    compat = client.post("/api/novu/workflows/hello/execute", json={"to": "s", "payload": {}})
    assert compat.status_code == 200, compat.get_data(as_text=True)


@pytest.mark.parametrize("csrf_first", [True, False], ids=["csrf-first", "novu-first"])
def test_other_routes_stay_protected(csrf_first: bool) -> None:
    client = make_app(csrf_first).test_client()
    response = client.post("/orders", data={"x": "1"})
    assert response.status_code == 400
    assert b"CSRF" in response.data


def test_signature_is_still_required_on_the_exempt_bridge() -> None:
    client = make_app(csrf_first=True).test_client()
    response = client.post(
        "/api/novu?action=execute&workflowId=hello&stepId=text", json={"payload": {}}, sign=False
    )
    assert response.status_code == 401
    assert response.json["code"] == "SignatureNotFoundError"


def test_late_exemption_is_done_at_the_first_request_of_any_route() -> None:
    app = make_app(csrf_first=False)
    hooks_before = len(app.before_request_funcs[None])
    client = app.test_client()
    # The one-shot hook leaves the hook list during the very first request:
    # CSRFProtect's hook, right after it, must still run on that request.
    assert client.post("/orders", data={"x": "1"}).status_code == 400
    assert len(app.before_request_funcs[None]) == hooks_before - 1
    response = client.post(
        "/api/novu?action=execute&workflowId=hello&stepId=text",
        json={"payload": {}, "controls": {}, "state": []},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.post("/orders", data={"x": "1"}).status_code == 400
