"""Property-based tests: random requests never make the bridge fail badly."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import socket
import time
import typing as t
from urllib.parse import urlencode

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _bridge_apps import PROTOCOL_HEADERS, SECRET, make_app

#: The only 5xx a request may cause: user code or the Novu API failing (502).
ALLOWED_5XX = {(502, "StepExecutionFailedError"), (502, "ProviderExecutionFailedError"), (502, "NovuAPIError")}
LEAKS = ("/" + "site-packages", ".py", "Traceback")
FUZZ = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@functools.lru_cache(maxsize=None)
def _app(strict: bool) -> Flask:
    app = make_app(secret_key=SECRET) if strict else make_app()
    # ?action=trigger must never leave the machine: a closed loopback port.
    app.config.update(
        NOVU_API_URL=f"http://127.0.0.1:{_closed_port()}", NOVU_API_RETRIES=0, NOVU_API_TIMEOUT=2
    )
    return app


def _sign(body: bytes) -> str:
    stamp = int(time.time() * 1000)
    mac = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
KEYS = ["payload", "controls", "state", "subscriber", "context", "env", "actor", "to", "metadata",
        "name", "stepId", "outputs", "subject", "body", "signalDir", "sleep"]
event_like = st.dictionaries(
    st.sampled_from(KEYS),
    json_values
    | st.lists(st.fixed_dictionaries({"stepId": st.sampled_from(["greet", "x", "record-sms"])},
                                     optional={"outputs": json_values, "state": json_values}), max_size=3)
    | st.dictionaries(st.sampled_from(KEYS), json_values, max_size=4),
    max_size=6,
)
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    event_like.map(lambda v: json.dumps(v).encode()),
    event_like.map(lambda v: json.dumps(v, indent=2).encode()),
    st.sampled_from([b"", b"{", b"NaN", b"[" * 5000, b'{"payload":1e999}', b"\xff"]),
)
ids = st.one_of(
    st.sampled_from(["greeting", "greet", "recorder", "record-sms", "slow", "faulty", "broken-sms", ""]),
    st.text(max_size=30),
)
queries = st.dictionaries(
    st.sampled_from(["action", "workflowId", "stepId", "workflow_id", "step_id", "agentId", "x"]),
    st.one_of(
        st.sampled_from(["discover", "health-check", "code", "execute", "preview", "trigger",
                         "agent-event", ""]),
        ids,
    ),
    max_size=4,
)
paths = st.sampled_from([
    "/api/novu", "/api/novu/", "/api/novu/workflows/greeting/execute",
    "/api/novu/workflows/nope/execute", "/api/novu/deeper/path",
])
header_values = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=255, blacklist_characters="\x7f"),
    max_size=80,
)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, t.Any]:
    body = draw(bodies)
    headers: dict[str, str] = {}
    signature = draw(st.sampled_from(["none", "valid", "random"]))
    if signature == "valid":
        headers["novu-signature"] = _sign(body if body.strip() else b"{}")
    elif signature == "random":
        headers[draw(st.sampled_from(["novu-signature", "x-novu-signature"]))] = draw(header_values)
    if draw(st.booleans()):
        headers["Content-Type"] = draw(st.sampled_from(
            ["application/json", "text/plain", "application/x-www-form-urlencoded",
             "multipart/form-data; boundary=x", "application/json; charset=latin-1"]))
    for name in draw(st.lists(st.sampled_from(["X-Forwarded-For", "Accept", "X-Junk"]), max_size=2)):
        headers[name] = draw(header_values)
    return {
        "method": draw(st.sampled_from(["GET", "POST", "POST", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"])),
        "path": draw(paths),
        "query": urlencode(draw(queries)),
        "body": body,
        "headers": headers,
        "strict": draw(st.booleans()),
    }


def _check(response: t.Any) -> None:
    text = response.get_data(as_text=True)
    assert response.mimetype == "application/json", text[:200]
    body = json.loads(text)
    for name, value in PROTOCOL_HEADERS.items():
        assert response.headers.get(name) == value, name
    if response.status_code >= 400 and isinstance(body, dict) and "code" in body:
        assert isinstance(body["message"], str)
        assert body["detail"] == body["message"]
    if response.status_code >= 500:
        assert (response.status_code, body.get("code")) in ALLOWED_5XX, text[:300]
    for leak in LEAKS:
        assert leak not in text


@FUZZ
@given(requests())
def test_random_requests_never_fail_badly(req: dict[str, t.Any]) -> None:
    client = _app(req["strict"]).test_client()
    url = req["path"] + ("?" + req["query"] if req["query"] else "")
    response = client.open(url, method=req["method"], data=req["body"], headers=req["headers"])
    _check(response)


@FUZZ
@given(event_like, st.sampled_from(["execute", "preview"]),
       st.sampled_from([("greeting", "greet"), ("recorder", "record-sms"), ("faulty", "broken-sms")]))
def test_signed_random_events(event: dict[str, t.Any], action: str, target: tuple[str, str]) -> None:
    """Correctly signed events with random shapes reach the engine: still no 500."""
    event.pop("signalDir", None)
    event.pop("sleep", None)
    body = json.dumps(event).encode()
    client = _app(True).test_client()
    response = client.post(
        f"/api/novu?action={action}&workflowId={target[0]}&stepId={target[1]}",
        data=body, headers={"novu-signature": _sign(body)},
    )
    assert response.status_code != 401
    _check(response)
