"""Hostile input: every malformed request gets a clean JSON 4xx, never a 500,
a traceback, a file path or a hang."""

from __future__ import annotations

import json
import time
import typing as t

import pytest
from flask import Flask

from _bridge_apps import make_app
from _guards import call
from _servers import json_of, waitress_server
from _servers import request as http_request
from flask_novu.constants import DEFAULT_MAX_CONTENT_LENGTH

LEAKS = ("/" + "site-packages", ".py", "Traceback")
EXECUTE = "/api/novu?action=execute&workflowId=greeting&stepId=greet"
PREVIEW = "/api/novu?action=preview&workflowId=greeting&stepId=greet"
COMPAT = "/api/novu/workflows/greeting/execute"
TRIGGER = "/api/novu?action=trigger&workflowId=greeting"


def assert_clean(response: t.Any, status: int | None = None, code: str | None = None) -> dict[str, t.Any]:
    """A JSON error with ``message``/``code``/``detail`` and no stack or path."""
    text = response.get_data(as_text=True)
    if status is not None:
        assert response.status_code == status, text
    assert 400 <= response.status_code < 500, text
    assert response.mimetype == "application/json"
    assert response.headers["Novu-Framework-Version"] == "2024-06-26"
    body = json.loads(text)
    assert isinstance(body["message"], str) and body["message"]
    assert body["detail"] == body["message"]
    assert isinstance(body["code"], str)
    if code is not None:
        assert body["code"] == code, body
    for leak in LEAKS:
        assert leak not in text
    return t.cast("dict[str, t.Any]", body)


@pytest.fixture
def bridge_app() -> Flask:
    return make_app()


@pytest.fixture
def open_client(bridge_app: Flask) -> t.Any:
    return bridge_app.test_client()


# -- not JSON, not an object ------------------------------------------------------------


@pytest.mark.parametrize("url", [EXECUTE, PREVIEW, COMPAT, TRIGGER])
@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"payload": {}',
        b"\xff\xfe\x00{}",
        b'{"payload": {"name": "\xc3\x28"}}',
        b"[]",
        b'[{"payload": {}}]',
        b'"a string"',
        b"42",
        b"null",
        b"true",
        b"NaN",
        b'{"payload": {"name": NaN}}',
        b'{"payload": {"name": Infinity}}',
        b'{"payload": {"name": -Infinity}}',
        b'{"payload": {"name": 1e999}}',
        b'{"payload": {"name": -1e999}}',
        b'{"payload": {"n": ' + b"9" * 5000 + b"}}",
        b"[" * 200_000,
        b"[" * 200_000 + b"]" * 200_000,
        b'{"a":' * 200_000,
        b'{"payload": ' + b"[" * 600 + b"]" * 600 + b"}",
        b'{"payload": {"name": "x", "deep": ' + b'{"a":' * 400 + b"1" + b"}" * 400 + b"}}",
    ],
)
def test_bad_bodies(open_client: t.Any, url: str, body: bytes) -> None:
    response = call(lambda: open_client.post(url, data=body, content_type="application/json"))
    assert_clean(response, 400)


def test_moderately_deep_bodies_are_refused_before_the_engine_recurses(open_client: t.Any) -> None:
    """Nesting the JSON parser accepts but the engine's recursion would not."""
    for depth in (129, 300, 485, 900):
        nested = "[" * depth + "]" * depth
        for field in ("payload", "controls", "subscriber", "context", "env"):
            body = {"payload": {"name": "x"}, field: {"deep": "@"}}
            raw = json.dumps(body).replace('"@"', nested)
            response = open_client.post(EXECUTE, data=raw)
            assert_clean(response, 400, "BridgeError")
    ok = "[" * 100 + "]" * 100
    raw = json.dumps({"payload": {"name": "x", "deep": "@"}, "controls": {}}).replace('"@"', ok)
    assert open_client.post(EXECUTE, data=raw).status_code == 200


@pytest.mark.parametrize("field", ["payload", "controls", "subscriber", "context", "env"])
@pytest.mark.parametrize("value", [1, 1.5, "text", [], [1, 2], True])
def test_wrong_types_for_event_fields(open_client: t.Any, field: str, value: t.Any) -> None:
    body = {"payload": {"name": "x"}, "controls": {}, field: value}
    body_bytes = json.dumps(body).encode()
    assert_clean(open_client.post(EXECUTE, data=body_bytes), 400)
    # preview may mock what it cannot use (as the SDK does), but never fails.
    response = open_client.post(PREVIEW, data=body_bytes)
    if response.status_code != 200:
        assert_clean(response, 400)
    assert response.mimetype == "application/json"


@pytest.mark.parametrize(
    "state",
    [
        1,
        "state",
        {"stepId": "greet"},
        [1],
        ["greet"],
        [None],
        [[]],
        [{}],
        [{"outputs": {}}],
        [{"stepId": 7, "outputs": {}}],
        [{"stepId": None}],
        [{"stepId": "greet", "outputs": []}],
        [{"stepId": "greet", "outputs": "x"}],
        [{"stepId": "greet", "outputs": {}, "state": 5}],
    ],
)
def test_bad_state_entries(open_client: t.Any, state: t.Any) -> None:
    body = json.dumps({"payload": {"name": "x"}, "state": state})
    assert_clean(open_client.post(EXECUTE, data=body), 400)


@pytest.mark.parametrize(
    "body",
    [
        {"payload": {}},
        {"to": 5, "payload": {}},
        {"to": "sub", "payload": []},
        {"to": "sub", "payload": {}, "metadata": "x"},
    ],
)
def test_bad_compat_bodies(open_client: t.Any, body: t.Any) -> None:
    assert_clean(open_client.post(COMPAT, json=body), 400)


# -- ids, query strings ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url, code",
    [
        ("/api/novu?action=execute&workflowId=nope&stepId=greet", "WorkflowNotFoundError"),
        # An unknown step of a known workflow: the SDK asks for the state of
        # the steps before it (ExecutionStateCorruptError), still a 4xx.
        ("/api/novu?action=execute&workflowId=greeting&stepId=nope", None),
        ("/api/novu?action=preview&workflowId=&stepId=", "WorkflowNotFoundError"),
        ("/api/novu?action=execute&workflowId=%E2%9C%93%F0%9F%92%A5&stepId=x", "WorkflowNotFoundError"),
        ("/api/novu?action=execute&workflowId=greeting&stepId=%F0%9F%92%A5%00", None),
        ("/api/novu?action=code&workflowId=greeting&stepId=%F0%9F%92%A5", "StepNotFoundError"),
        ("/api/novu?action=execute&workflowId=%FF%FE&stepId=x", "WorkflowNotFoundError"),
        ("/api/novu/workflows/%E2%9C%93/execute", "WorkflowNotFoundError"),
    ],
)
def test_unknown_and_unicode_ids(open_client: t.Any, url: str, code: str | None) -> None:
    method = "GET" if "action=code" in url else "POST"
    body = {"payload": {}, "controls": {}, "to": "s"}
    response = open_client.open(url, method=method, json=body)
    assert_clean(response, 404 if code else None, code)


def test_unicode_ids_in_code_action(open_client: t.Any) -> None:
    body = assert_clean(open_client.get("/api/novu?action=code&workflowId=%E6%BC%A2%E5%AD%97"), 404)
    assert "\u6f22\u5b57" in body["message"]


def test_very_long_query_strings(open_client: t.Any) -> None:
    junk = "x" * 100_000
    assert_clean(open_client.get(f"/api/novu?action={junk}"), 400, "InvalidActionError")
    assert_clean(open_client.post(f"/api/novu?action=execute&workflowId={junk}", json={}), 404)
    many = "&".join(f"k{i}=v" for i in range(10_000))
    response = open_client.get(f"/api/novu?action=discover&{many}")
    assert response.status_code == 200


def test_very_long_query_string_over_a_real_server(bridge_app: Flask) -> None:
    with waitress_server(bridge_app, threads=2) as (host, port):
        status, headers, data = http_request(
            host, port, "GET", "/api/novu?action=" + "y" * 100_000, timeout=30
        )
    assert status == 400 and json_of(data)["code"] == "InvalidActionError"
    assert headers["content-type"] == "application/json"


# -- sizes -------------------------------------------------------------------------------


def _padded(size: int) -> bytes:
    head = b'{"payload":{"name":"x"},"controls":{},"pad":"'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def test_default_limit_is_32_mib(open_client: t.Any) -> None:
    assert DEFAULT_MAX_CONTENT_LENGTH == 32 * 1024 * 1024
    over = _padded(DEFAULT_MAX_CONTENT_LENGTH + 1)
    assert_clean(call(lambda: open_client.post(EXECUTE, data=over)), 413, "BridgeError")
    exact = _padded(DEFAULT_MAX_CONTENT_LENGTH)
    assert call(lambda: open_client.post(EXECUTE, data=exact)).status_code == 200


def test_config_and_option_limits(bridge_app: Flask) -> None:
    bridge_app.config["NOVU_MAX_CONTENT_LENGTH"] = 2048
    client = bridge_app.test_client()
    assert_clean(client.post(EXECUTE, data=_padded(2049)), 413, "BridgeError")
    assert client.post(EXECUTE, data=_padded(2048)).status_code == 200
    option_client = make_app(max_content_length=100).test_client()
    assert_clean(option_client.post(EXECUTE, data=_padded(101)), 413, "BridgeError")
    assert option_client.post(EXECUTE, data=_padded(100)).status_code == 200


def test_flask_max_content_length_also_answers_json(bridge_app: Flask) -> None:
    bridge_app.config["MAX_CONTENT_LENGTH"] = 1000
    response = bridge_app.test_client().post(EXECUTE, data=_padded(5000))
    assert_clean(response, 413, "BridgeError")


def _chunks(total: int, size: int = 4096) -> t.Iterator[bytes]:
    data = _padded(total)
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("server_limit", [None, "flask"])
def test_chunked_bodies_under_a_real_server(server_limit: str | None) -> None:
    app = make_app(max_content_length=64 * 1024)
    if server_limit == "flask":
        app.config["MAX_CONTENT_LENGTH"] = 48 * 1024
    with waitress_server(app, threads=2) as (host, port):
        status, headers, data = http_request(
            host, port, "POST", EXECUTE, body=_chunks(1024 * 1024), chunked=True, timeout=60
        )
        assert status == 413, data
        body = json_of(data)
        assert body["code"] == "BridgeError"
        assert headers["content-type"] == "application/json"
        # A small chunked body (no Content-Length) is read in full and works.
        status, _, data = http_request(
            host, port, "POST", EXECUTE, body=_chunks(10_000), chunked=True, timeout=60
        )
        assert status == 200, data
        assert json_of(data)["outputs"]["subject"] == "Hi x"


def test_content_length_lie_does_not_hang(bridge_app: Flask) -> None:
    """The client announces more bytes than it sends, then closes its side."""
    import socket

    with waitress_server(bridge_app, threads=2) as (host, port):
        with socket.create_connection((host, port), timeout=30) as sock:
            sock.sendall(
                b"POST " + EXECUTE.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"payload\":"
            )
            sock.shutdown(socket.SHUT_WR)
            data = b""
            while True:  # bounded by the socket timeout and EOF
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        # waitress never hands an incomplete body to the app: no response or a 400.
        assert b"Traceback" not in data and b"site-packages" not in data


# -- Liquid bombs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "{% for i in (1..100000000) %}x{% endfor %}",
        "{% for i in (1..100000000) reversed %}x{% endfor %}",
        "{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}x{% endfor %}{% endfor %}{% endfor %}",
        "{% tablerow i in (1..100000000) %}x{% endtablerow %}",
        "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s }}",
        "{% capture s %}xxxxxxxxxx{% endcapture %}{% for i in (1..60) %}{% capture s %}{{s}}{{s}}{% endcapture %}{% endfor %}",
        "{% assign s = 'x' | split: '' %}{% for i in (1..40) %}{% assign s = s | concat: s %}{% endfor %}{{ s | size }}",
        "{{ (1..100000000) | join: ',' }}",
        "{% for i in (1..9000) %}{{ '" + "x" * 1000 + "' }}{% endfor %}",
        "{% if true %}" * 500 + "x" + "{% endif %}" * 500,
        "{% cycle 'a', 'b' %}" * 20_000,
        "{{ " + "(" * 1000 + "1" + ")" * 1000 + " }}",
        "{% for i in (1..",
    ],
)
@pytest.mark.parametrize("url", [EXECUTE, PREVIEW])
def test_liquid_bombs_fail_fast(
    open_client: t.Any, template: str, url: str, limit_cost: float
) -> None:
    """A bomb costs no more than a template that legitimately uses the
    rendering limits (a budget relative to this machine, in CPU time of the
    request's thread, so a loaded machine does not fail it)."""
    body = {"payload": {"name": "x"}, "controls": {"subject": template}}
    response, cost = _cpu_cost(lambda: open_client.post(url, json=body))
    assert_clean(response, 400, "StepControlCompilationFailedError")
    assert cost < 20 * limit_cost, (cost, limit_cost)


def _cpu_cost(function: t.Callable[[], t.Any], repeat: int = 2) -> tuple[t.Any, float]:
    """``function()``'s result and its least CPU time over ``repeat`` runs
    (each run in a thread, under :func:`call`'s hang guard)."""
    best, result = float("inf"), None
    for _ in range(repeat):

        def timed() -> tuple[t.Any, float]:
            started = time.thread_time()
            value = function()
            return value, time.thread_time() - started

        result, cost = call(timed)
        best = min(best, cost)
    return result, best


@pytest.fixture(scope="module")
def limit_cost() -> float:
    """CPU time of a request whose template renders right at the limits
    (9,000 iterations of 100 bytes: under the 10,000 iterations and 1 MB)."""
    client = make_app().test_client()
    template = "{% for i in (1..9000) %}{{ '" + "x" * 100 + "' }}{% endfor %}"
    body = {"payload": {"name": "x"}, "controls": {"subject": template}}
    response, cost = _cpu_cost(lambda: client.post(EXECUTE, json=body), repeat=3)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return max(cost, 0.005)


def test_nothing_leaks_paths_unless_debug(open_client: t.Any) -> None:
    # A broad sweep of odd requests, none of which may mention a file.
    requests = [
        ("GET", "/api/novu?action=code&workflowId=greeting&stepId=nope"),
        ("PUT", "/api/novu"),
        ("DELETE", "/api/novu?action=x"),
        ("GET", "/api/novu/x/y/z"),
        ("POST", "/api/novu?action=agent-event&agentId=%00"),
        ("POST", "/api/novu?action=discover"),
    ]
    for method, url in requests:
        response = open_client.open(url, method=method, data=b"{")
        assert response.status_code < 500
        assert response.mimetype == "application/json"
        text = response.get_data(as_text=True)
        for leak in LEAKS:
            assert leak not in text
