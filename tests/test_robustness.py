"""What user code raises, what text a request carries and what the Novu API
answers never crash a worker, forge a log line or leak internals."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import socket
import sys
import threading
import time
import typing as t

import pytest
from flask import Flask

from _fake_novu_api import KEY, MOCK_RESPONSE, FakeNovuAPI
from _growth import cpu_time, growth_times, per_doubling
from _guards import call
from flask_novu import Novu, serve, workflow
from flask_novu.errors import NovuAPIError
from flask_novu import signature
from flask_novu.signature import sign
from flask_novu.views import NovuBridgeView
from flask_novu.wire import load_event

OPEN = {"type": "object", "additionalProperties": True}
REPARSE_LIMIT = getattr(signature, "REPARSE_LIMIT", 256 * 1024)
LEAKS = ("/" + "site-packages", ".py", "Traceback", " at 0x", "sys.set_int_max_str_digits")


class UserBaseException(BaseException):
    """A BaseException subclass of the application's own (not Exception)."""


def _raiser(kind: str, exc: type[BaseException]) -> t.Callable[..., t.Any]:
    if kind == "async":

        async def failing(*args: t.Any, **kwargs: t.Any) -> t.Any:
            await asyncio.sleep(0)
            raise exc()

        return failing

    def failing_sync(*args: t.Any, **kwargs: t.Any) -> t.Any:
        raise exc()

    return failing_sync


def _workflows(exc: type[BaseException]) -> list[t.Any]:
    """One workflow per place user code runs, sync and async."""
    made = []
    for kind in ("sync", "async"):
        fail = _raiser(kind, exc)

        @workflow(f"resolver-{kind}", payload_schema=OPEN)
        def resolver_flow(payload: t.Any, step: t.Any, fail: t.Any = fail) -> None:
            step.sms("s", fail)

        @workflow(f"skip-{kind}", payload_schema=OPEN)
        def skip_flow(payload: t.Any, step: t.Any, fail: t.Any = fail) -> None:
            step.sms("s", lambda: {"body": "x"}, skip=fail)

        @workflow(f"provider-{kind}", payload_schema=OPEN)
        def provider_flow(payload: t.Any, step: t.Any, fail: t.Any = fail) -> None:
            step.sms("s", lambda: {"body": "x"}, providers={"twilio": fail})

        made += [resolver_flow, skip_flow, provider_flow]

    @workflow("function-sync", payload_schema=OPEN)
    def function_sync(payload: t.Any, step: t.Any) -> None:
        step.sms("s", lambda: {"body": "x"})
        if payload.get("go"):
            raise exc()

    @workflow("function-async", payload_schema=OPEN)
    async def function_async(payload: t.Any, step: t.Any) -> None:
        await step.sms("s", lambda: {"body": "x"})
        if payload.get("go"):
            raise exc()

    return [*made, function_sync, function_async]


PLACES = [
    (f"{place}-{kind}", status, code)
    for kind in ("sync", "async")
    for place, status, code in (
        ("resolver", 502, "StepExecutionFailedError"),
        ("skip", 502, "StepExecutionFailedError"),
        ("provider", 502, "ProviderExecutionFailedError"),
        ("function", 500, "BridgeError"),
    )
]


@pytest.mark.parametrize("exc", [asyncio.CancelledError, UserBaseException])
@pytest.mark.parametrize("workflow_id, status, code", PLACES)
def test_base_exceptions_of_user_code_are_clean_json_errors(
    caplog: pytest.LogCaptureFixture, exc: type[BaseException], workflow_id: str, status: int, code: str
) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    app = Flask(__name__)
    serve(app, workflows=_workflows(exc))
    client = app.test_client()
    url = f"/api/novu?action=execute&workflowId={workflow_id}&stepId=s"
    body = {"payload": {"go": True}, "controls": {}}
    if workflow_id.startswith("function"):  # the step ran already: its result is replayed
        url = url.replace("stepId=s", "stepId=after")
        body["state"] = [{"stepId": "s", "outputs": {"body": "x"}}]
    response = client.post(url, json=body)
    text = response.get_data(as_text=True)
    assert (response.status_code, response.mimetype) == (status, "application/json"), text
    payload = response.get_json()
    assert payload["code"] == code and payload["detail"] == payload["message"]
    assert exc.__name__ in payload["message"]
    for leak in LEAKS:
        assert leak not in text
    errors = [r for r in caplog.records if r.name == "flask_novu" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info and errors[0].exc_info[0] is exc
    # The worker goes on serving.
    assert client.get("/api/novu").status_code == 200


@pytest.mark.parametrize("workflow_id", ["resolver-sync", "resolver-async", "provider-async"])
def test_generator_exit_of_user_code_is_a_clean_json_500(caplog: pytest.LogCaptureFixture, workflow_id: str) -> None:
    """The engine lets GeneratorExit through (it closes coroutines with it):
    the view still answers JSON, and logs it."""
    caplog.set_level(logging.INFO, logger="flask_novu")
    app = Flask(__name__)
    serve(app, workflows=_workflows(GeneratorExit))
    response = app.test_client().post(
        f"/api/novu?action=execute&workflowId={workflow_id}&stepId=s", json={"payload": {"go": True}}
    )
    assert response.status_code in (500, 502) and response.mimetype == "application/json"
    assert not [leak for leak in LEAKS if leak in response.get_data(as_text=True)]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info


@pytest.mark.parametrize("exc", [asyncio.CancelledError, UserBaseException])
def test_base_exceptions_on_the_compat_route(caplog: pytest.LogCaptureFixture, exc: type[BaseException]) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    app = Flask(__name__)
    serve(app, workflows=_workflows(exc))
    for workflow_id in ("resolver-sync", "resolver-async", "function-async"):
        response = app.test_client().post(
            f"/api/novu/workflows/{workflow_id}/execute", json={"to": "sub", "payload": {"go": True}}
        )
        assert response.status_code == 500 and response.mimetype == "application/json"
        body = response.get_json()
        assert body["message"] == f"Failed to execute workflow with id: `{workflow_id}`: {exc.__name__}"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 3 and all(r.exc_info for r in errors)


@pytest.mark.parametrize("exc", [SystemExit, KeyboardInterrupt])
@pytest.mark.parametrize("workflow_id", ["resolver-sync", "resolver-async", "provider-sync", "skip-async"])
def test_system_exit_and_keyboard_interrupt_still_propagate(exc: type[BaseException], workflow_id: str) -> None:
    app = Flask(__name__)
    serve(app, workflows=_workflows(exc))
    with pytest.raises(exc):
        app.test_client().post(
            f"/api/novu?action=execute&workflowId={workflow_id}&stepId=s", json={"payload": {}}
        )


def test_the_engine_still_halts_after_the_target_step() -> None:
    """The engine stops a run with a BaseException of its own: user code that
    catches everything but SystemExit cannot turn it into a failure."""
    ran: list[str] = []

    @workflow("greedy", payload_schema=OPEN)
    def greedy(payload: t.Any, step: t.Any) -> None:
        try:
            step.sms("first", lambda: {"body": "one"})
        except Exception:  # pragma: no cover - the halt is not an Exception
            ran.append("swallowed")
        ran.append("after first")
        step.sms("second", lambda: {"body": "two"})

    app = Flask(__name__)
    serve(app, workflows=[greedy])
    response = app.test_client().post(
        "/api/novu?action=execute&workflowId=greedy&stepId=first", json={"payload": {}}
    )
    assert response.status_code == 200 and response.get_json()["outputs"] == {"body": "one"}
    assert "swallowed" not in ran


# -- text that UTF-8 cannot carry ---------------------------------------------------------


@workflow("echo", payload_schema=OPEN)
def echo(payload: t.Any, step: t.Any) -> None:
    first = step.custom(
        "first", lambda: {"name": payload.get("name")}, output_schema=OPEN
    )
    step.custom(
        "second",
        lambda controls: {"fromState": first.get("name"), "fromControls": controls.get("note")},
        control_schema={"type": "object", "properties": {"note": {"type": "string", "default": "n"}}},
        output_schema=OPEN,
    )
    step.email(
        "mail",
        lambda: {"subject": f"Hi {payload.get('name')}", "body": f"<p>{payload.get('name')}<script>x</script></p>"},
    )


#: What JSON.stringify writes for these strings in Node (escapes for the lone halves).
SURROGATES = {
    "\ud83d": '"\\ud83d"',
    "trunc\ud83d": '"trunc\\ud83d"',
    "\ude00x\ud83d\ude00": '"\\ude00x\U0001f600"',
}


def _surrogate_app() -> Flask:
    app = Flask(__name__)
    serve(app, workflows=[echo])
    return app


@pytest.mark.parametrize("text", list(SURROGATES))
def test_lone_surrogates_are_sent_back_as_json_stringify_does(text: str) -> None:
    client = _surrogate_app().test_client()
    raw = json.dumps({"payload": {"name": text}, "controls": {"note": text}, "to": "sub"})
    escaped = SURROGATES[text]
    for action in ("execute", "preview"):
        response = client.post(
            f"/api/novu?action={action}&workflowId=echo&stepId=first", data=raw,
            content_type="application/json",
        )
        assert response.status_code == 200, response.data
        assert response.data.startswith(b'{"outputs":{"name":' + escaped.encode() + b"}")
    state = json.dumps(
        {"payload": {}, "controls": {"note": text}, "state": [{"stepId": "first", "outputs": {"name": text}}]}
    )
    response = client.post(
        "/api/novu?action=execute&workflowId=echo&stepId=second", data=state, content_type="application/json"
    )
    assert response.status_code == 200, response.data
    assert response.data.startswith(
        b'{"outputs":{"fromState":' + escaped.encode() + b',"fromControls":' + escaped.encode() + b"}"
    )
    # The sanitiser's HTML parser refuses surrogates: they still come out.
    response = client.post(
        "/api/novu?action=execute&workflowId=echo&stepId=mail", data=state.replace('"first"', '"x"'),
        content_type="application/json",
    )
    state_body = json.loads(state.replace('"first"', '"x"'))
    state_body["state"] = [{"stepId": "first", "outputs": {"name": text}}, {"stepId": "second", "outputs": {}}]
    response = client.post(
        "/api/novu?action=execute&workflowId=echo&stepId=mail", data=json.dumps({**state_body, "payload": {"name": text}}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.data
    outputs = response.get_json()["outputs"]
    same = json.loads(escaped)  # pairs of halves are one character in JSON
    assert outputs == {"subject": f"Hi {same}", "body": f"<p>{same}</p>"}
    response = client.post("/api/novu/workflows/echo/execute", data=raw, content_type="application/json")
    assert response.status_code == 200, response.data
    assert b'"payload":{"name":' + escaped.encode() + b"}" in response.data


@pytest.mark.parametrize(
    "template",
    ["Hi {{ payload.name }}", "Hi {{ payload.name | upcase }}", "{% for i in (1..2) %}{{ payload.name }}{% endfor %}"],
)
def test_lone_surrogates_render_through_liquid(template: str) -> None:
    """A truncated emoji in the payload renders through Liquid as the SDK
    renders it (the half comes back as a ``\\ud83d`` escape), not a 400."""
    client = _surrogate_app().test_client()
    body = json.dumps({"payload": {"name": "ada\ud83d"}, "controls": {"note": template},
                       "state": [{"stepId": "first", "outputs": {"name": "x"}}]})
    response = client.post("/api/novu?action=execute&workflowId=echo&stepId=second", data=body,
                           content_type="application/json")
    assert response.status_code == 200, response.data
    note = response.get_json()["outputs"]["fromControls"]
    expected = template.replace("{{ payload.name }}", "ada\ud83d").replace("{{ payload.name | upcase }}", "ADA\ud83d")
    if template.startswith("{% for"):
        expected = "ada\ud83d" * 2
    assert note == expected
    assert b"\\ud83d" in response.data


def test_a_signature_over_escaped_surrogates_is_accepted() -> None:
    app = Flask(__name__)
    serve(app, workflows=[echo], secret_key=KEY)
    client = app.test_client()
    # A pretty body signed over its compact form, as the SDK verifies it.
    pretty = b'{"payload": {"name": "\\ud83d"}, "controls": {}}'
    compact = b'{"payload":{"name":"\\ud83d"},"controls":{}}'
    response = client.post(
        "/api/novu?action=execute&workflowId=echo&stepId=first", data=pretty,
        headers={"novu-signature": sign(KEY, compact)}, content_type="application/json",
    )
    assert response.status_code == 200, response.data


# -- the Novu API inside a request --------------------------------------------------------


def _trigger_app(novu_api: FakeNovuAPI, **config: t.Any) -> Flask:
    app = Flask(__name__)
    app.config.update(NOVU_SECRET_KEY=KEY, NOVU_API_URL=novu_api.url, **config)
    novu = Novu(app, workflows=[echo])

    @app.post("/signup")
    def signup() -> t.Any:
        try:
            return novu.trigger("echo", "sub", {"name": "x"}, transaction_id="txn-1")
        except NovuAPIError as exc:
            return {"message": exc.message}, exc.status_code

    return app


def test_retry_after_does_not_hold_a_request(novu_api: FakeNovuAPI) -> None:
    app = _trigger_app(novu_api)
    client = app.test_client()
    for url in ("/api/novu?action=trigger&workflowId=echo", "/signup"):
        novu_api.requests.clear()
        novu_api.respond(429, {"statusCode": 429, "message": "slow down"}, {"Retry-After": "60"})
        response = call(
            lambda: client.post(url, json={"to": "sub"}, headers={"novu-signature": sign(KEY, {"to": "sub"})}),
            seconds=40,
        )
        assert response.status_code == 429 and response.mimetype == "application/json", response.data
        assert response.get_json()["message"] == "slow down"
        assert len(novu_api.requests) == 1  # no retry that would end past the deadline


def test_one_deadline_covers_every_attempt_of_a_call_in_a_request(novu_api: FakeNovuAPI) -> None:
    app = _trigger_app(novu_api, NOVU_API_REQUEST_DEADLINE=0.5, NOVU_API_TIMEOUT=5)
    for _ in range(4):  # slower than the deadline, each attempt
        novu_api.respond(503, {"message": "busy"}, delay=1.0)
    response = call(lambda: app.test_client().post("/signup"), seconds=40)
    assert response.status_code == 502, response.data
    body = response.get_json()
    assert body["message"] == "Could not reach the Novu API (timed out)."
    assert len(novu_api.requests) == 1


def test_calls_outside_requests_keep_retrying(novu_api: FakeNovuAPI) -> None:
    app = _trigger_app(novu_api, NOVU_API_REQUEST_DEADLINE=0.001)
    novu_api.respond(503, {"message": "busy"}, {"Retry-After": "0"})
    novu_api.respond(503, {"message": "busy"}, {"Retry-After": "0"})
    with app.app_context():
        assert app.extensions["novu"].trigger("echo", "sub", transaction_id="t") == MOCK_RESPONSE
    assert len(novu_api.requests) == 3


def test_the_deadline_is_a_documented_default() -> None:
    app = Flask(__name__)
    Novu(app, workflows=[echo])
    assert app.config["NOVU_API_REQUEST_DEADLINE"] == 10.0


# -- logs ---------------------------------------------------------------------------------


def _formatted(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    lines: list[str] = []
    for record in caplog.records:
        record.exc_info = record.exc_text = None  # tracebacks are multi-line by nature
        lines += formatter.format(record).splitlines()
    return lines


def test_request_data_cannot_forge_log_lines(caplog: pytest.LogCaptureFixture, novu_api: FakeNovuAPI) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    app = _trigger_app(novu_api)
    client = app.test_client()
    forged = "x%0ACRITICAL%20root%20forged%0D%0AERROR%20x%E2%80%A8ERROR%20y"
    client.post(f"/api/novu?action=execute&workflowId={forged}&stepId={forged}", json={"payload": {}})
    client.get(f"/api/novu?action={forged}")
    client.post(f"/api/novu/workflows/{forged}/execute", json={"to": "s", "payload": {}})
    client.post(
        f"/api/novu?action=trigger&workflowId={forged}",
        json={"to": "sub"}, headers={"novu-signature": sign(KEY, {"to": "sub"})},
    )
    lines = _formatted(caplog)
    assert len(lines) == len(caplog.records) >= 4
    assert not [line for line in lines if not line.startswith(("INFO flask_novu", "WARNING flask_novu"))]
    assert any("x\\nCRITICAL root forged\\r\\nERROR x\\u2028ERROR y" in line for line in lines)


def test_error_messages_quoting_request_data_cannot_forge_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    @workflow("quoting", payload_schema=OPEN)
    def quoting(payload: t.Any, step: t.Any) -> None:
        def resolve() -> t.Any:
            raise ValueError(f"bad name {payload.get('name')}")

        step.sms("s", resolve)

    app = Flask(__name__)
    serve(app, workflows=[quoting])
    caplog.set_level(logging.INFO, logger="flask_novu")
    app.test_client().post(
        "/api/novu?action=execute&workflowId=quoting&stepId=s",
        json={"payload": {"name": "n\nCRITICAL forged"}},
    )
    lines = _formatted(caplog)
    assert len(lines) == len(caplog.records) >= 2
    assert any(line.startswith("ERROR") and "n\\nCRITICAL forged" in line for line in lines)
    assert not [line for line in lines if line.startswith("CRITICAL")]


# -- what callers are told ----------------------------------------------------------------


def _outputs_app(outputs: t.Callable[[], t.Any]) -> Flask:
    @workflow("odd", payload_schema=OPEN)
    def odd(payload: t.Any, step: t.Any) -> None:
        step.custom("c", outputs, output_schema=OPEN)

    app = Flask(__name__)
    serve(app, workflows=[odd])
    return app


def _assert_clean_500(response: t.Any) -> dict[str, t.Any]:
    text = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "application/json", text
    for leak in LEAKS + ("generator", "object", "digits"):
        assert leak not in text
    return t.cast("dict[str, t.Any]", response.get_json())


@pytest.mark.parametrize(
    "outputs, detail",
    [
        (lambda: {"x": (i for i in range(3))}, "generator"),
        (lambda: {"x": object()}, "object"),
        (lambda: {"x": [threading.Lock()]}, "lock"),
    ],
)
def test_non_json_outputs_answer_without_memory_addresses(
    caplog: pytest.LogCaptureFixture, outputs: t.Callable[[], t.Any], detail: str
) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    response = _outputs_app(outputs).test_client().post(
        "/api/novu?action=execute&workflowId=odd&stepId=c", json={"payload": {}}
    )
    body = _assert_clean_500(response)
    assert body["message"] == "Unknown BridgeError: The response is not JSON-serialisable."
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert detail in error.getMessage() and error.exc_info


@pytest.mark.skipif(not hasattr(sys, "get_int_max_str_digits"), reason="no integer digit limit")
def test_huge_integer_outputs_answer_cleanly_and_are_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    response = _outputs_app(lambda: {"n": 10**5000}).test_client().post(
        "/api/novu?action=execute&workflowId=odd&stepId=c", json={"payload": {}}
    )
    _assert_clean_500(response)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "too long" in errors[0].getMessage()


@pytest.mark.parametrize("digits", [4301, 5001, 100_000])
def test_huge_integers_in_requests_answer_without_operator_advice(digits: int) -> None:
    app = _surrogate_app()
    body = b'{"payload":{"n":' + b"9" * digits + b"}}"
    response = app.test_client().post(
        "/api/novu?action=execute&workflowId=echo&stepId=first", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "The request body is not valid JSON: a number has more than 4300 digits"
    )
    ok = b'{"payload":{"name":-' + b"9" * 4300 + b"}}"
    response = app.test_client().post(
        "/api/novu?action=execute&workflowId=echo&stepId=first", data=ok, content_type="application/json"
    )
    assert response.status_code == 200, response.data


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_api_is_not_described_to_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    port = _closed_port()
    app = Flask(__name__)
    app.config.update(NOVU_SECRET_KEY=KEY, NOVU_API_URL=f"http://127.0.0.1:{port}", NOVU_API_RETRIES=0)
    serve(app, workflows=[echo])
    response = app.test_client().post(
        "/api/novu?action=trigger&workflowId=echo",
        json={"to": "sub"}, headers={"novu-signature": sign(KEY, {"to": "sub"})},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 502, text
    assert response.get_json()["message"] == "Could not reach the Novu API (connection refused)."
    assert "127.0.0.1" not in text and str(port) not in text and "Errno" not in text
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert f"127.0.0.1:{port}" in logged


# -- signatures and request parsing -------------------------------------------------------


def _min_time(function: t.Callable[[], t.Any], repeat: int = 3) -> float:
    """The least CPU time of this thread over ``repeat`` runs (other
    processes on a loaded machine do not count)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.thread_time()
        function()
        best = min(best, time.thread_time() - started)
    return best


def _same_size(size: int) -> tuple[bytes, bytes]:
    """Two bodies of ``size`` bytes: one long string (cheap to parse), many
    small keys (expensive to parse and re-serialise)."""
    head, tail = b'{"payload":{"s":"', b'"}}'
    cheap = head + b"x" * (size - len(head) - len(tail)) + tail
    items, total = [], len(b'{"payload":{}}')
    index = 0
    while total < size - 20:
        item = b'"k%d":%d' % (index, index)
        items.append(item)
        total += len(item) + 1
        index += 1
    costly = b'{"payload":{' + b",".join(items) + b"}}"
    return cheap, costly + b" " * (size - len(costly))


def test_a_wrong_signature_is_rejected_without_parsing_the_body() -> None:
    """Rejecting a large body with a fresh timestamp and a wrong signature
    costs about the same whatever the body holds (one HMAC over the raw
    bytes), not a parse and a re-serialisation."""
    app = _surrogate_app()
    app.config["NOVU_SECRET_KEY"] = KEY
    strict = Flask(__name__)
    serve(strict, workflows=[echo], secret_key=KEY)
    client = strict.test_client()
    cheap, costly = _same_size(8 * 1024 * 1024)
    wrong = sign("not-the-key", b"{}")

    def reject(body: bytes) -> None:
        response = client.post("/api/novu?action=execute&workflowId=echo&stepId=first", data=body,
                               headers={"novu-signature": wrong}, content_type="application/json")
        assert response.status_code == 401 and response.get_json()["code"] == "SignatureMismatchError"

    ratio = _min_time(lambda: reject(costly)) / _min_time(lambda: reject(cheap))
    assert ratio < 3, ratio  # a parse of the costly body is > 20x the HMAC


def test_signatures_over_the_compact_form_still_pass_up_to_the_reparse_limit() -> None:
    strict = Flask(__name__)
    serve(strict, workflows=[echo], secret_key=KEY)
    client = strict.test_client()
    for size in (100, REPARSE_LIMIT - 100):
        value = {"payload": {"name": "x" * size}}
        pretty = json.dumps(value, indent=2).encode()
        compact = json.dumps(value, separators=(",", ":")).encode()
        assert len(pretty) <= REPARSE_LIMIT
        response = client.post("/api/novu?action=execute&workflowId=echo&stepId=first", data=pretty,
                               headers={"novu-signature": sign(KEY, compact)}, content_type="application/json")
        assert response.status_code == 200, response.data
    # Larger bodies are checked as sent (Novu signs exactly what it sends).
    value = {"payload": {"name": "x" * REPARSE_LIMIT}}
    pretty = json.dumps(value, indent=2).encode()
    for signed_body, status in ((json.dumps(value, separators=(",", ":")).encode(), 401), (pretty, 200)):
        response = client.post("/api/novu?action=execute&workflowId=echo&stepId=first", data=pretty,
                               headers={"novu-signature": sign(KEY, signed_body)}, content_type="application/json")
        assert response.status_code == status, response.data


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


#: Request bodies of about ``n`` units of each pathological shape.
PARSING_SHAPES: dict[str, t.Callable[[int], bytes]] = {
    "many keys": lambda n: b'{"payload":{' + b",".join(b'"k%d":%d' % (i, i) for i in range(n)) + b"}}",
    "huge string": lambda n: b'{"payload":{"s":"' + b"\\u00e9x" * (n * 4) + b'"}}',
    "many deep arrays": lambda n: b'{"payload":{"a":[' + b",".join([_nested(120)] * (n // 60)) + b"]}}",
    "too deep arrays": lambda n: b'{"payload":{"a":[' + b",".join([_nested(60)] * (n // 60)) + b"," + _nested(140) + b"]}}",
    "long numbers": lambda n: b'{"payload":{"a":[' + b",".join([b"1." + b"7" * 4000] * (n // 200)) + b"]}}",
    "many strings": lambda n: b'{"payload":{"a":[' + b",".join([b'"ab\\"c"'] * n) + b"]}}",
}


@pytest.mark.parametrize("shape", list(PARSING_SHAPES))
def test_request_parsing_is_linear_in_the_body(shape: str) -> None:
    """JSON decoding, the depth check and the event and payload validation
    grow linearly: the time per doubling of the body stays far from 4x."""
    app = _surrogate_app()
    view = NovuBridgeView(workflows=[echo])
    make = PARSING_SHAPES[shape]
    workflow_ = view.bridge.get("echo")

    def parse(body: bytes) -> None:
        with app.test_request_context("/api/novu?action=execute", method="POST", data=body):
            try:
                event = load_event(view.json_body())
            except Exception:  # noqa: BLE001 - a clean 400 counts as parsed
                return
            workflow_.payload_schema.validate(event["payload"])

    # Start where one parse takes 15 ms: smaller bodies fit the CPU caches,
    # and the step out of them looked like superlinear growth.
    size = 25_000
    while cpu_time(functools.partial(parse, make(size))) < 0.015 and size < 400_000:
        size *= 2
    bodies = [make(size * 2**k) for k in range(4)]

    def linear(times: list[float]) -> bool:
        return per_doubling(times) < 3

    # Linear is 2 per doubling, quadratic 4: judge only the mean growth over
    # the three doublings.  A single step is not judged: under tox one step
    # measured 5.3x with the mean at 2.3x (the body left a cache level), and
    # quadratic growth still shows as 4x in the mean.
    times = growth_times([functools.partial(parse, body) for body in bodies], linear)
    assert linear(times), (shape, [round(later / earlier, 2) for earlier, later in zip(times, times[1:])])
