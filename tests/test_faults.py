"""Failures of application code, and behaviour under threaded WSGI servers."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pytest

from _bridge_apps import SECRET, make_app
from _servers import gunicorn_server, json_of, waitress_server
from _servers import request as http_request

LEAKS = ("/" + "site-packages", ".py", "Traceback")
FAULTY_STEP = "/api/novu?action={action}&workflowId=faulty&stepId=broken-sms"


def signed(body: bytes = b"{}", secret: str = SECRET) -> dict[str, str]:
    stamp = int(time.time() * 1000)
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"novu-signature": f"t={stamp},v1={mac}", "content-type": "application/json"}


# -- application faults ---------------------------------------------------------------------


@pytest.mark.parametrize("action, verb", [("execute", "execute"), ("preview", "preview")])
def test_resolver_that_raises_is_a_502_without_stack(
    caplog: pytest.LogCaptureFixture, action: str, verb: str
) -> None:
    client = make_app().test_client()
    response = client.post(FAULTY_STEP.format(action=action), json={"payload": {}, "controls": {}})
    assert response.status_code == 502
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == "StepExecutionFailedError"
    assert body["message"] == (
        f"Failed to {verb} Step with id: `broken-sms`: the resolver failed on purpose"
    )
    assert body["detail"] == body["message"]
    assert "stack" not in json.dumps(body)
    for leak in LEAKS:
        assert leak not in response.get_data(as_text=True)


def test_workflow_function_raising_outside_steps_is_a_500_without_stack(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    client = make_app().test_client()
    response = client.post(
        FAULTY_STEP.format(action="execute"), json={"payload": {"raiseOutside": True}, "controls": {}}
    )
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == "BridgeError"
    assert "workflow function failed outside any step" in body["message"]
    assert body["detail"] == body["message"]
    assert "data" not in body
    for leak in LEAKS:
        assert leak not in response.get_data(as_text=True)
    assert response.headers["Novu-Framework-Version"] == "2024-06-26"
    # The operator still gets the traceback, in the log.
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and any(r.exc_info for r in errors)


@pytest.mark.parametrize(
    "payload, status, code",
    [({"raiseOutside": True}, 500, "BridgeError"), ({}, 502, "StepExecutionFailedError")],
)
def test_debug_mode_adds_the_stack(payload: dict[str, t.Any], status: int, code: str) -> None:
    app = make_app()
    app.debug = True
    response = app.test_client().post(
        FAULTY_STEP.format(action="execute"), json={"payload": payload, "controls": {}}
    )
    assert response.status_code == status
    body = response.get_json()
    assert body["code"] == code
    stack = body["data"]["stack"]
    assert "Traceback" in stack
    assert "failed on purpose" in stack or "outside any step" in stack


def test_faults_do_not_poison_later_requests() -> None:
    client = make_app().test_client()
    for _ in range(3):
        assert client.post(
            FAULTY_STEP.format(action="execute"), json={"payload": {"raiseOutside": True}, "controls": {}}
        ).status_code == 500
        ok = client.post(
            "/api/novu?action=execute&workflowId=greeting&stepId=greet",
            json={"payload": {"name": "after"}, "controls": {}},
        )
        assert ok.status_code == 200 and ok.get_json()["outputs"]["subject"] == "Hi after"


# -- threaded servers ------------------------------------------------------------------------


def _fast_requests(host: str, port: int, count: int) -> list[tuple[str, int, t.Any]]:
    """Mixed requests whose answers are checkable; returns (kind, status, body)."""
    results = []
    for i in range(count):
        kind = ("health", "discover", "execute", "unsigned")[i % 4]
        if kind == "health":
            status, _, data = http_request(host, port, "GET", "/api/novu", timeout=30)
        elif kind == "discover":
            status, _, data = http_request(
                host, port, "GET", "/api/novu?action=discover", headers=signed(), timeout=30
            )
        elif kind == "execute":
            body = json.dumps({"payload": {"name": f"n{i}"}, "controls": {}}).encode()
            status, _, data = http_request(
                host, port, "POST", "/api/novu?action=execute&workflowId=greeting&stepId=greet",
                body=body, headers=signed(body), timeout=30,
            )
        else:
            status, _, data = http_request(
                host, port, "GET", "/api/novu?action=discover", timeout=30
            )
        results.append((f"{kind}:{i}", status, json_of(data)))
    return results


def _check_fast(results: list[tuple[str, int, t.Any]]) -> None:
    for label, status, body in results:
        kind, i = label.split(":")
        if kind == "health":
            assert status == 200 and body["status"] == "ok"
        elif kind == "discover":
            assert status == 200 and {w["workflowId"] for w in body["workflows"]} >= {"slow", "greeting"}
        elif kind == "execute":
            # Each thread sees its own body (no cross-talk between requests).
            assert status == 200 and body["outputs"]["subject"] == f"Hi n{i}", body
        else:
            assert status == 401 and body["code"] == "SignatureNotFoundError"


def _slow_request_does_not_block_others(host: str, port: int, signal_dir: Path) -> None:
    body = json.dumps(
        {"payload": {"signalDir": str(signal_dir), "capSeconds": 20}, "controls": {}}
    ).encode()
    with ThreadPoolExecutor(max_workers=5) as pool:
        slow = pool.submit(
            http_request, host, port, "POST", "/api/novu?action=execute&workflowId=slow&stepId=slow-sms",
            body, signed(body), timeout=60,
        )
        for _ in range(2000):  # wait (at most ~20 s) until the slow resolver runs
            if (signal_dir / "started").exists() or slow.done():
                break
            time.sleep(0.01)
        assert (signal_dir / "started").exists(), slow.result() if slow.done() else "slow never started"
        fast = [pool.submit(_fast_requests, host, port, 12) for _ in range(4)]
        done, _ = wait(fast, timeout=60)
        assert len(done) == 4, "fast requests hung"
        # Ordering, not timing: every fast request finished while the slow one
        # was still blocked in its resolver.
        assert not slow.done()
        for future in fast:
            _check_fast(future.result())
        (signal_dir / "release").write_text("go")
        status, _, data = slow.result(timeout=60)
        assert status == 200, data
        assert json_of(data)["outputs"]["body"] == "slow done"


def test_waitress_threads_serve_around_a_slow_resolver(tmp_path: Path) -> None:
    app = make_app(secret_key=SECRET)
    with waitress_server(app, threads=8) as (host, port):
        _slow_request_does_not_block_others(host, port, tmp_path)


def test_gunicorn_gthread_serves_around_a_slow_resolver(tmp_path: Path) -> None:
    with gunicorn_server(threads=8, env={"NOVU_TEST_SECRET": SECRET}) as (host, port):
        _slow_request_does_not_block_others(host, port, tmp_path)


def test_slow_resolver_that_just_sleeps(tmp_path: Path) -> None:
    """A resolver sleeping 1 s: others complete while it sleeps."""
    app = make_app(secret_key=SECRET)
    body = json.dumps({"payload": {"sleep": 1}, "controls": {}}).encode()
    with waitress_server(app, threads=8) as (host, port):
        with ThreadPoolExecutor(max_workers=2) as pool:
            slow = pool.submit(
                http_request, host, port, "POST",
                "/api/novu?action=execute&workflowId=slow&stepId=slow-sms", body, signed(body),
                timeout=60,
            )
            results = pool.submit(_fast_requests, host, port, 4).result(timeout=60)
            finished_first = not slow.done()
            _check_fast(results)
            assert slow.result(timeout=60)[0] == 200
    assert finished_first


@pytest.mark.parametrize("server", ["waitress", "gunicorn"])
def test_concurrent_mixed_requests(server: str) -> None:
    def run(host: str, port: int) -> None:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(_fast_requests, host, port, 20) for _ in range(8)]
            done, _ = wait(futures, timeout=120)
            assert len(done) == len(futures), "requests hung"
            for future in futures:
                _check_fast(future.result())

    if server == "waitress":
        with waitress_server(make_app(secret_key=SECRET), threads=8) as (host, port):
            run(host, port)
    else:
        with gunicorn_server(threads=8, env={"NOVU_TEST_SECRET": SECRET}) as (host, port):
            run(host, port)


def test_non_finite_numbers_in_outputs_are_sent_as_null() -> None:
    from flask import Flask

    from flask_novu import serve, workflow

    @workflow("nan-output")
    def flow(payload: t.Any, step: t.Any) -> None:
        step.custom(
            "c",
            lambda: {"ratio": float("nan"), "big": float("inf"), "ok": 1.5},
            output_schema={"type": "object", "additionalProperties": True},
        )

    app = Flask(__name__)
    serve(app, workflows=[flow])
    response = app.test_client().post("/api/novu?action=execute&workflowId=nan-output&stepId=c", json={"payload": {}})
    assert response.status_code == 200
    assert b"NaN" not in response.data and b"Infinity" not in response.data
    assert response.get_json()["outputs"] == {"ratio": None, "big": None, "ok": 1.5}
