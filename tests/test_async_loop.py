"""How async workflows run: on the request thread's own event loop.

An app that does not override ``Flask.async_to_sync`` gets one event loop per
worker thread, reused across requests, instead of a thread and a loop per
call. These tests pin what users rely on: Flask's contexts and contextvars
inside async resolvers (and back out), real awaits, tasks left running,
overrides of ``async_to_sync``, nesting, concurrency under threaded servers,
and no threads or loops left behind.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextvars
import json
import os
import random
import threading
import typing as t

import pytest
from flask import Flask, current_app, g, request
from werkzeug.serving import make_server

from _servers import json_of, waitress_server
from _servers import request as http_request
from flask_novu import serve, workflow

TENANT: contextvars.ContextVar[str] = contextvars.ContextVar("tenant", default="none")
AUDIT: contextvars.ContextVar[str] = contextvars.ContextVar("audit", default="unset")
NAME = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}


@workflow("ctx", payload_schema=NAME)
async def ctx_flow(payload: dict[str, t.Any], step: t.Any) -> None:
    async def body() -> dict[str, t.Any]:
        await asyncio.sleep(random.uniform(0, 0.005))  # really suspends
        AUDIT.set(f"seen {payload['name']}")
        return {
            "body": json.dumps(
                {
                    "name": payload["name"],
                    "app": current_app.name,
                    "header": request.headers.get("X-Tenant", ""),
                    "g": g.get("tenant", ""),
                    "tenant": TENANT.get(),
                    "thread": threading.get_ident(),
                }
            )
        }

    await step.sms("sms", body)


@workflow("awaits", payload_schema=NAME)
async def awaits_flow(payload: dict[str, t.Any], step: t.Any) -> None:
    async def body() -> dict[str, t.Any]:
        async def double(n: int) -> int:
            await asyncio.sleep(0.001)
            return n * 2

        gathered = await asyncio.gather(*(asyncio.create_task(double(n)) for n in range(3)))
        try:
            await asyncio.wait_for(asyncio.sleep(5), timeout=0.01)
            timed = "no"
        except asyncio.TimeoutError:
            timed = "yes"
        loop = asyncio.get_running_loop()
        in_executor = await loop.run_in_executor(None, lambda: "ran")
        return {"body": f"{gathered} timeout={timed} executor={in_executor}"}

    await step.sms("sms", body)


LEFT_RUNNING: list[str] = []


@workflow("fire-and-forget", payload_schema=NAME)
async def fire_and_forget(payload: dict[str, t.Any], step: t.Any) -> None:
    async def background() -> None:
        try:
            await asyncio.sleep(10)
            LEFT_RUNNING.append("finished")
        except asyncio.CancelledError:
            LEFT_RUNNING.append("cancelled")
            raise

    async def body() -> dict[str, t.Any]:
        asyncio.get_running_loop().create_task(background())
        await asyncio.sleep(0)
        return {"body": "sent"}

    await step.sms("sms", body)


@workflow("sync-with-async-resolver", payload_schema=NAME)
def sync_flow(payload: dict[str, t.Any], step: t.Any) -> None:
    async def body() -> dict[str, t.Any]:
        await asyncio.sleep(0.001)
        AUDIT.set("from a sync workflow")
        return {"body": f"{payload['name']} on {threading.get_ident()}"}

    step.sms("sms", body)


@workflow("nested", payload_schema=NAME)
async def nested_flow(payload: dict[str, t.Any], step: t.Any) -> None:
    async def body() -> dict[str, t.Any]:
        await asyncio.sleep(0)
        # Sync code called from async code that runs another async workflow:
        # this thread's loop is busy, so it runs on a loop of its own.
        inner = awaits_flow.trigger(to="s", payload={"name": "inner"})
        return {"body": inner["step_results"]["sms"]["body"]}

    await step.sms("sms", body)


WORKFLOWS = [ctx_flow, awaits_flow, fire_and_forget, sync_flow, nested_flow]


def make_app(cls: type[Flask] = Flask) -> Flask:
    app = cls(__name__)

    @app.before_request
    def tenant() -> None:
        header = request.headers.get("X-Tenant", "")
        g.tenant = header
        TENANT.set(header or "none")

    @app.after_request
    def audit(response: t.Any) -> t.Any:
        response.headers["X-Audit"] = AUDIT.get()
        return response

    serve(app, workflows=WORKFLOWS)
    return app


def execute(client: t.Any, workflow_id: str, name: str = "Ada", tenant: str = "") -> t.Any:
    return client.post(
        f"/api/novu?action=execute&workflowId={workflow_id}&stepId=sms",
        json={"payload": {"name": name}},
        headers={"X-Tenant": tenant} if tenant else {},
    )


def test_async_resolvers_run_in_the_request_context_on_the_request_thread() -> None:
    app = make_app()
    response = execute(app.test_client(), "ctx", tenant="acme")
    assert response.status_code == 200, response.get_json()
    seen = json.loads(response.get_json()["outputs"]["body"])
    assert seen == {
        "name": "Ada",
        "app": app.name,
        "header": "acme",
        "g": "acme",
        "tenant": "acme",
        "thread": threading.get_ident(),  # the test client runs the app on this thread
    }


def test_context_variables_set_in_async_code_reach_the_request() -> None:
    client = make_app().test_client()
    assert execute(client, "ctx", name="Lin").headers["X-Audit"] == "seen Lin"
    assert execute(client, "sync-with-async-resolver").headers["X-Audit"] == "from a sync workflow"


def test_real_awaits_tasks_timeouts_and_executors() -> None:
    response = execute(make_app().test_client(), "awaits")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"]["body"] == "[0, 2, 4] timeout=yes executor=ran"


def test_tasks_left_running_are_cancelled_when_the_workflow_returns() -> None:
    client = make_app().test_client()
    LEFT_RUNNING.clear()
    assert execute(client, "fire-and-forget").get_json()["outputs"] == {"body": "sent"}
    assert LEFT_RUNNING == ["cancelled"]
    # ... and do not linger into the next request of the thread.
    assert execute(client, "awaits").status_code == 200
    assert LEFT_RUNNING == ["cancelled"]


def test_async_code_called_from_async_code_through_sync_code() -> None:
    response = execute(make_app().test_client(), "nested")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"]["body"] == "[0, 2, 4] timeout=yes executor=ran"


def test_no_thread_is_started_per_request() -> None:
    client = make_app().test_client()
    execute(client, "awaits")  # the executor's worker thread, once
    before = {thread.ident for thread in threading.enumerate()}
    started: list[str] = []

    def record(*args: t.Any) -> None:
        started.append(threading.current_thread().name)

    threading.setprofile(record)
    try:
        for name in ("ctx", "sync-with-async-resolver", "ctx"):
            assert execute(client, name).status_code == 200
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
    assert started == []
    # No new thread (threads of earlier tests may have ended meanwhile).
    assert {thread.ident for thread in threading.enumerate()} <= before


class OwnLoopFlask(Flask):
    """Overrides async_to_sync: every coroutine on a fresh asyncio.run."""

    calls: t.ClassVar[list[str]] = []

    def async_to_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
            OwnLoopFlask.calls.append(getattr(func, "__name__", "?"))
            return asyncio.run(func(*args, **kwargs))

        return run


def test_an_overridden_async_to_sync_is_honoured() -> None:
    OwnLoopFlask.calls.clear()
    client = make_app(OwnLoopFlask).test_client()
    assert execute(client, "awaits").get_json()["outputs"]["body"].startswith("[0, 2, 4]")
    assert execute(client, "sync-with-async-resolver").status_code == 200
    assert OwnLoopFlask.calls == ["_run_async", "process"]


def test_an_async_to_sync_set_on_the_instance_is_honoured() -> None:
    app = make_app()
    calls: list[str] = []

    def own(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
            calls.append("own")
            return asyncio.run(func(*args, **kwargs))

        return run

    app.async_to_sync = own  # type: ignore[method-assign]
    assert execute(app.test_client(), "ctx").status_code == 200
    assert calls == ["own"]


def test_the_loop_survives_a_failing_and_a_cancelled_run() -> None:
    @workflow("cancels")
    async def cancels(payload: t.Any, step: t.Any) -> None:
        async def body() -> dict[str, t.Any]:
            await asyncio.sleep(0)
            raise asyncio.CancelledError()

        await step.sms("sms", body)

    @workflow("fails")
    async def fails(payload: t.Any, step: t.Any) -> None:
        async def body() -> dict[str, t.Any]:
            await asyncio.sleep(0)
            raise LookupError("no template")

        await step.sms("sms", body)

    app = make_app()
    serve(app, "/other", workflows=[cancels, fails])
    client = app.test_client()
    assert client.post("/other?action=execute&workflowId=fails&stepId=sms", json={"payload": {}}).status_code == 502
    cancelled = client.post("/other?action=execute&workflowId=cancels&stepId=sms", json={"payload": {}})
    assert cancelled.status_code >= 500 and cancelled.mimetype == "application/json"
    assert execute(client, "awaits").status_code == 200
    assert execute(client, "ctx").status_code == 200


def _open_fds() -> list[str]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.append(os.readlink(f"/proc/self/fd/{fd}").split(":")[0])
        except OSError:  # closed meanwhile (the listing's own descriptor)
            pass
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_thread_per_request_server_leaves_no_threads_or_loops_behind() -> None:
    """Werkzeug's threaded server starts a thread per request: each thread's
    loop is closed when the thread ends (no file descriptors pile up)."""
    server = make_server("127.0.0.1", 0, make_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = "127.0.0.1", server.server_port
    body = json.dumps({"payload": {"name": "Ada"}}).encode()
    headers = {"Content-Type": "application/json"}

    def one(workflow_id: str) -> None:
        status, _, data = http_request(host, port, "POST", f"/api/novu?action=execute&workflowId={workflow_id}&stepId=sms", body, headers)
        assert status == 200, data

    try:
        for _ in range(5):
            one("ctx")
        threads_before, fds_before = threading.active_count(), _open_fds()
        for _ in range(100):
            one("ctx")
            one("sync-with-async-resolver")
        # A request thread ends (and releases its loop) just after its response.
        for _ in range(100):
            fds_after = _open_fds()
            if threading.active_count() <= threads_before and len(fds_after) <= len(fds_before) + 3:
                break
            threading.Event().wait(0.05)
        assert threading.active_count() <= threads_before
        grown = collections.Counter(fds_after) - collections.Counter(fds_before)
        assert len(fds_after) <= len(fds_before) + 3, f"new descriptors: {dict(grown)}"  # a loop has 3
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_concurrent_requests_under_waitress_do_not_cross_talk() -> None:
    app = make_app()
    with waitress_server(app, threads=4) as (host, port):

        def client(index: int) -> list[tuple[str, str]]:
            mismatches = []
            for n in range(15):
                name, tenant = f"user-{index}-{n}", f"tenant-{index}"
                status, headers, data = http_request(
                    host,
                    port,
                    "POST",
                    "/api/novu?action=execute&workflowId=ctx&stepId=sms",
                    json.dumps({"payload": {"name": name}}).encode(),
                    {"Content-Type": "application/json", "X-Tenant": tenant},
                )
                assert status == 200, data
                seen = json.loads(json_of(data)["outputs"]["body"])
                if (seen["name"], seen["tenant"], seen["header"], seen["g"]) != (name, tenant, tenant, tenant):
                    mismatches.append((name, str(seen)))
                if headers["x-audit"] != f"seen {name}":
                    mismatches.append((name, headers["x-audit"]))
            return mismatches

        threads_before = threading.active_count()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(client, range(8)))
        assert [m for result in results for m in result] == []
        assert threading.active_count() <= threads_before


def test_an_async_to_sync_given_to_the_engine_is_honoured() -> None:
    from flask_novu import Bridge, Event

    calls: list[str] = []

    def own(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
            calls.append(getattr(func, "__name__", "?"))
            return asyncio.run(func(*args, **kwargs))

        return run

    bridge = Bridge([awaits_flow])
    result = bridge.execute(Event("execute", "awaits", "sms", payload={"name": "x"}), async_to_sync=own)
    assert result["outputs"]["body"].startswith("[0, 2, 4]")
    assert calls == ["_run_async"]
