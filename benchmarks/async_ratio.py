"""What an ``async def`` workflow costs next to the same workflow written sync.

Two twins of the benchmark's six-step workflow (``apps.six_steps``): the
sync one itself, and ``bench-six-steps-async``, the same steps, controls and
outputs written with ``async def`` (the workflow and every resolver; nothing
in them waits on I/O, so the difference is the cost of running async code).
Both are served by one app; each measurement alternates the two variants
many times (A B B A ...) and reports the median of the per-pair ratios
async/sync with their interquartile range, so a shared, noisy machine moves
both sides of a pair alike. ::

    python benchmarks/async_ratio.py                  # in process
    python benchmarks/async_ratio.py --gunicorn 4440  # also under gunicorn

Rows:

* ``execute``: ``POST ?action=execute`` of the last step, the five before it
  replayed from state (Flask test client, the whole request);
* ``engine``: the same through ``Bridge.execute`` with no Flask around it;
* ``compat``: the FastAPI-era route, every step run in process;
* ``async resolver``: a sync workflow whose target step's resolver alone is
  ``async def``, against the all-sync workflow;
* under gunicorn (``--gunicorn PORT``): ``execute`` over HTTP, one
  connection per request, for the sync and the gthread worker.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import time
import typing as t

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import apps  # noqa: E402

from flask import Flask  # noqa: E402

from flask_novu import Bridge, serve, workflow  # noqa: E402

ASYNC_SIX_STEPS = "bench-six-steps-async"
ASYNC_RESOLVER = "bench-six-steps-async-resolver"
_CONTROLS = {}  # step id -> control schema, copied from the sync twin's discovery
_OUTPUT = {}


def _schemas() -> None:
    for definition in Bridge([apps.six_steps]).get(apps.SIX_STEPS).steps:
        _CONTROLS[definition.step_id] = definition.control_schema.json_schema
        _OUTPUT[definition.step_id] = definition.output_schema.json_schema


_schemas()


def _email_body(controls: dict[str, t.Any], summary: t.Any, payload: t.Any) -> dict[str, t.Any]:
    return {
        "subject": controls["subject"],
        "body": (
            f"<h1>{controls['heading']}</h1>"
            f'<p onclick="steal()">You have {summary["count"]} new events '
            f"on the {summary['plan']} plan.</p>"
            "<ul>"
            + "".join(f"<li><b>{item}</b></li>" for item in payload["items"])
            + "</ul>"
            '<a href="https://example.com/orders" target="_blank">Orders</a>'
            '<img src="https://example.com/x.png" onerror="bad()">'
            "<script>alert(1)</script>"
        ),
    }


@workflow(ASYNC_SIX_STEPS, payload_schema=apps.SIX_PAYLOAD_SCHEMA)
async def six_steps_async(payload, step):
    async def inbox(controls):
        return {
            "subject": controls["subject"],
            "body": controls["body"],
            "avatar": "https://example.com/avatar.png",
            "primaryAction": {"label": "Open", "redirect": {"url": "/orders"}},
            "data": {"plan": payload["plan"]},
        }

    async def wait(controls):
        return {"type": "regular", "amount": controls["amount"], "unit": controls["unit"]}

    async def collect(controls):
        return {"amount": controls["amount"], "unit": controls["unit"]}

    await step.in_app("inbox", inbox, control_schema=_CONTROLS["inbox"])
    waited = await step.delay("wait", wait, control_schema=_CONTROLS["wait"])
    digest = await step.digest("collect", collect, control_schema=_CONTROLS["collect"])

    async def sms(controls):
        return {"body": f"{controls['body']} (waited {waited['duration']} ms)"}

    async def compute():
        return {
            "count": len(digest["events"]),
            "first": digest["events"][0]["id"] if digest["events"] else None,
            "plan": payload["plan"],
        }

    await step.sms("sms-reminder", sms, control_schema=_CONTROLS["sms-reminder"])
    summary = await step.custom("compute", compute, output_schema=_OUTPUT["compute"])

    async def email(controls):
        return _email_body(controls, summary, payload)

    async def skip(controls):
        return controls["sendEmail"] is False

    await step.email(apps.LAST_STEP, email, control_schema=_CONTROLS[apps.LAST_STEP], skip=skip)


@workflow(ASYNC_RESOLVER, payload_schema=apps.SIX_PAYLOAD_SCHEMA)
def six_steps_async_resolver(payload, step):
    """The sync workflow with only the target step's resolver ``async def``."""
    step.in_app("inbox", lambda controls: {}, control_schema=_CONTROLS["inbox"])
    waited = step.delay(
        "wait",
        lambda c: {"type": "regular", "amount": c["amount"], "unit": c["unit"]},
        control_schema=_CONTROLS["wait"],
    )
    digest = step.digest(
        "collect", lambda c: {"amount": c["amount"], "unit": c["unit"]}, control_schema=_CONTROLS["collect"]
    )
    step.sms("sms-reminder", lambda c: {"body": f"{waited['duration']}"}, control_schema=_CONTROLS["sms-reminder"])
    summary = step.custom(
        "compute",
        lambda: {"count": len(digest["events"]), "first": None, "plan": payload["plan"]},
        output_schema=_OUTPUT["compute"],
    )

    async def email(controls):
        return _email_body(controls, summary, payload)

    step.email(
        apps.LAST_STEP,
        email,
        control_schema=_CONTROLS[apps.LAST_STEP],
        skip=lambda controls: controls["sendEmail"] is False,
    )


WORKFLOWS = [apps.six_steps, six_steps_async, six_steps_async_resolver]


def create_app() -> Flask:
    app = Flask("bench_async")
    serve(app, apps.ROUTE, WORKFLOWS)
    return app


app = create_app()


def _query(workflow_id: str) -> str:
    return f"{apps.ROUTE}?action=execute&workflowId={workflow_id}&stepId={apps.LAST_STEP}"


def _event(workflow_id: str) -> t.Any:
    event = apps.execute_event()
    event.workflow_id = workflow_id
    return event


# -- paired measurement --------------------------------------------------------------


def paired(
    sync: t.Callable[[], None],
    other: t.Callable[[], None],
    pairs: int,
    batch: int,
    cpu: t.Callable[[], float | None] = time.process_time,
) -> dict[str, list[float]]:
    """Per-pair ratios other/sync, each side timed over ``batch`` calls, ABBA order.

    Both clocks are read: ``wall`` (what a caller waits) and ``cpu`` (by
    default this process's CPU time, every thread included; the server's
    under gunicorn): steadier on a shared machine, blind to time spent
    waiting for another thread to be scheduled.
    """

    def timed(fn: t.Callable[[], None]) -> tuple[float, float]:
        wall, used = time.perf_counter(), cpu() or 0.0
        for _ in range(batch):
            fn()
        return time.perf_counter() - wall, (cpu() or 0.0) - used

    for fn in (sync, other):  # warm up: discovery, caches
        timed(fn)
    ratios: dict[str, list[float]] = {"wall": [], "cpu": []}
    for index in range(pairs):
        if index % 2:
            b, a = timed(other), timed(sync)
        else:
            a, b = timed(sync), timed(other)
        ratios["wall"].append(b[0] / a[0])
        if a[1] > 0:
            ratios["cpu"].append(b[1] / a[1])
    return ratios


def report(name: str, ratios: dict[str, list[float]]) -> dict[str, t.Any]:
    row: dict[str, t.Any] = {"name": name}
    text = []
    for clock, values in ratios.items():
        if len(values) < 2:
            continue
        quartiles = statistics.quantiles(values, n=4)
        row[clock] = {"median": statistics.median(values), "q1": quartiles[0], "q3": quartiles[2]}
        text.append(f"{clock} {row[clock]['median']:.3f} (IQR {quartiles[0]:.3f}-{quartiles[2]:.3f})")
    print(f"{name:<32} async/sync  " + "  ".join(text) + f"  [{len(ratios['wall'])} pairs]", flush=True)
    return row


def in_process(pairs: int, batch: int) -> list[dict[str, t.Any]]:
    client = app.test_client()
    body = apps.EXECUTE_LAST_BODY

    def post(workflow_id: str) -> t.Callable[[], None]:
        url = _query(workflow_id)

        def call() -> None:
            response = client.post(url, json=body)
            assert response.status_code == 200, response.get_data(as_text=True)

        return call

    bridge = Bridge(WORKFLOWS)
    events = {wid: _event(wid) for wid in (apps.SIX_STEPS, ASYNC_SIX_STEPS)}

    def engine(workflow_id: str) -> t.Callable[[], None]:
        return lambda: bridge.execute(events[workflow_id]) and None

    def compat(workflow_id: str) -> t.Callable[[], None]:
        url = f"{apps.ROUTE}/workflows/{workflow_id}/execute"
        payload = {"to": "sub_1", "payload": apps.SIX_PAYLOAD}

        def call() -> None:
            response = client.post(url, json=payload)
            assert response.status_code == 200, response.get_data(as_text=True)

        return call

    rows = [
        report("execute (test client)", paired(post(apps.SIX_STEPS), post(ASYNC_SIX_STEPS), pairs, batch)),
        report("engine (Bridge.execute)", paired(engine(apps.SIX_STEPS), engine(ASYNC_SIX_STEPS), pairs, batch)),
        report("compat (every step run)", paired(compat(apps.SIX_STEPS), compat(ASYNC_SIX_STEPS), pairs, batch)),
        report(
            "async resolver, sync workflow",
            paired(post(apps.SIX_STEPS), post(ASYNC_RESOLVER), pairs, batch),
        ),
    ]
    return rows


# -- under gunicorn ----------------------------------------------------------------


def under_gunicorn(port: int, worker_class: str, pairs: int, batch: int) -> dict[str, t.Any]:
    argv = [
        sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", worker_class,
        "--threads", "4", "--bind", f"127.0.0.1:{port}", "--chdir", HERE, "--pythonpath", HERE,
        "--log-level", "warning", "async_ratio:app",
    ]  # fmt: skip
    proc = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        body = __import__("json").dumps(apps.EXECUTE_LAST_BODY).encode()
        headers = {"Content-Type": "application/json"}

        def post(workflow_id: str) -> t.Callable[[], None]:
            url = _query(workflow_id)

            def call() -> None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("POST", url, body, headers)
                response = connection.getresponse()
                response.read()
                connection.close()
                assert response.status == 200, response.status

            return call

        deadline = time.monotonic() + 30
        while True:
            try:
                post(apps.SIX_STEPS)()
                break
            except (OSError, AssertionError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start: {proc.stderr.read() if proc.stderr else ''}")
                time.sleep(0.2)
        from load import session_cpu_seconds

        ratios = paired(
            post(apps.SIX_STEPS), post(ASYNC_SIX_STEPS), pairs, batch, cpu=lambda: session_cpu_seconds(proc.pid)
        )
        return report(f"execute (gunicorn {worker_class}, server cpu)", ratios)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=60)
    parser.add_argument("--batch", type=int, default=50, help="requests per side of a pair")
    parser.add_argument("--gunicorn", type=int, metavar="PORT", help="also measure under gunicorn on PORT")
    parser.add_argument("--no-in-process", action="store_true", help="skip the in-process rows")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; median of per-pair ratios")
    if not args.no_in_process:
        in_process(args.pairs, args.batch)
    if args.gunicorn:
        for worker_class in ("sync", "gthread"):
            under_gunicorn(args.gunicorn, worker_class, args.pairs // 2, args.batch * 4)
    return 0


if __name__ == "__main__":
    sys.exit(main())
