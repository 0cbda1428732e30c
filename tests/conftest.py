"""Shared fixtures: a real Flask app with other routes plus the bridge."""

from __future__ import annotations

import logging
import time
import typing as t

import pytest
from flask import Flask, jsonify

from _fake_novu_api import FakeNovuAPI, serve_fake_api
from _novu_server_client import NovuServer
from conformance_workflows import delayed_sms, welcome_onboarding
from flask_novu import serve


@pytest.fixture
def workflows() -> list[t.Any]:
    """The reference bridge's two base workflows (shared/novu-reference/server.mjs),
    the same ones the conformance suite replays."""
    return [welcome_onboarding, delayed_sms]


@pytest.fixture
def app(workflows: list[t.Any], caplog: pytest.LogCaptureFixture) -> Flask:
    caplog.set_level(logging.INFO, logger="flask_novu")
    app = Flask(__name__)
    app.config["TESTING"] = True

    @app.get("/")
    def index() -> t.Any:
        return jsonify(page="home")

    @app.post("/orders")
    def orders() -> t.Any:
        return jsonify(created=True), 201

    serve(app, route="/api/novu", workflows=workflows)
    return app


@pytest.fixture
def client(app: Flask) -> t.Any:
    return app.test_client()


@pytest.fixture(scope="session", autouse=True)
def _no_flask_debug_environment() -> t.Iterator[None]:
    """Apps are not in debug mode because the shell sets FLASK_DEBUG (debug
    mode turns signature checks off); before any app is built."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FLASK_DEBUG", raising=False)
        yield


@pytest.fixture(autouse=True)
def _no_novu_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a NOVU_* key of the machine they run on."""
    for name in ("NOVU_SECRET_KEY", "NOVU_API_KEY", "NOVU_API_URL", "NOVU_BRIDGE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def novu_api(monkeypatch: pytest.MonkeyPatch) -> t.Iterator[FakeNovuAPI]:
    """A loopback stand-in for the Novu API (never the network)."""
    yield from serve_fake_api(monkeypatch)


@pytest.fixture
def novu_server(client: t.Any) -> NovuServer:
    """Novu's API and worker calling the ``app`` fixture's bridge (query keys,
    signature and retries as Novu's servers build them)."""
    return NovuServer.for_client(client)


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> t.Iterator[None]:
    """The server's time zone pinned to UTC, as the SDK's recorded answers
    were observed (its dates show in the server's zone)."""
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset to pin the server's time zone")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
