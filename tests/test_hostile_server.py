"""Hostile content against a real gunicorn worker (sync and gthread) with a
short worker timeout: every pathological request gets a JSON answer before
the arbiter would kill the worker, and the worker that answers afterwards is
the same process."""

from __future__ import annotations

import json
import sys
import typing as t

import pytest

from _fake_novu_api import FakeNovuAPI
from _hostile_app import SECRET
from _servers import gunicorn_server, json_of
from _servers import request as http_request
from flask_novu.signature import sign

#: gunicorn kills a worker silent for this long (sync workers: one request).
WORKER_TIMEOUT = 10
EXECUTE = "/api/novu?action=execute&workflowId={workflow}&stepId={step}"
PREVIEW = "/api/novu?action=preview&workflowId={workflow}&stepId={step}"
COMPAT = "/api/novu/workflows/{workflow}/execute"


def _event(payload: t.Any, **extra: t.Any) -> bytes:
    return json.dumps({"payload": payload, "controls": {}, **extra}).encode()


def _shapes() -> list[tuple[str, str, bytes, dict[str, str], set[int]]]:
    """``(name, path, body, headers, accepted statuses)`` of each shape."""
    json_headers = {"Content-Type": "application/json"}
    shapes: list[tuple[str, str, bytes, dict[str, str], set[int]]] = []

    def add(name: str, path: str, body: bytes, statuses: set[int], headers: dict[str, str] | None = None) -> None:
        shapes.append((name, path, body, {**json_headers, **(headers or {})}, statuses))

    # BaseExceptions of user code (cancellation above all).
    before: list[dict[str, t.Any]] = []
    for step in ("async", "sync", "provider"):
        add(f"cancelled {step}", EXECUTE.format(workflow="cancelled", step=step), _event({}, state=before), {502})
        before = [*before, {"stepId": step, "outputs": {"body": "x"}}]
    add("cancelled workflow", EXECUTE.format(workflow="cancelled", step="last"),
        _event({"raise": True}, state=[{"stepId": s, "outputs": {"body": "x"}} for s in ("async", "sync", "provider")]),
        {500})
    add("cancelled async workflow", EXECUTE.format(workflow="cancelled-async", step="last"),
        _event({"raise": True}, state=[{"stepId": "first", "outputs": {"body": "x"}}]), {500})
    add("cancelled compat", COMPAT.format(workflow="cancelled"), json.dumps({"to": "s", "payload": {}}).encode(), {500})
    # Text UTF-8 cannot carry.
    surrogate = b'{"payload":{"name":"trunc\\ud83d"},"controls":{},"to":"s"}'
    replayed = b'"state":[{"stepId":"generator","outputs":{}},{"stepId":"huge-int","outputs":{}}]'
    for action, path in (("execute", EXECUTE), ("preview", PREVIEW)):
        add(f"surrogate {action}", path.format(workflow="odd-outputs", step="echo"),
            surrogate.replace(b'"controls":{}', b'"controls":{},' + replayed), {200})
    add("surrogate email", EXECUTE.format(workflow="odd-outputs", step="mail"), surrogate.replace(b'"controls":{}', b'"controls":{},"state":[{"stepId":"generator","outputs":{}},{"stepId":"huge-int","outputs":{}},{"stepId":"echo","outputs":{}}]'), {200})
    add("surrogate compat", COMPAT.format(workflow="recorder"), surrogate, {200})
    # Odd outputs and numbers.
    add("generator output", EXECUTE.format(workflow="odd-outputs", step="generator"), _event({}), {500})
    if hasattr(sys, "get_int_max_str_digits"):
        add("huge int output", EXECUTE.format(workflow="odd-outputs", step="huge-int"),
            _event({}, state=[{"stepId": "generator", "outputs": {}}]), {500})
    add("huge int input", EXECUTE.format(workflow="greeting", step="greet"),
        b'{"payload":{"n":' + b"9" * 1_000_000 + b"}}", {400})
    # Deep and big JSON.
    add("deep arrays", EXECUTE.format(workflow="greeting", step="greet"), b"[" * 1_000_000, {400})
    add("nested just too deep", EXECUTE.format(workflow="greeting", step="greet"),
        b'{"payload":{"a":[' + b",".join([b"[" * 60 + b"]" * 60] * 20_000) + b"," + b"[" * 129 + b"]" * 129 + b"]}}", {400})
    add("big string", EXECUTE.format(workflow="greeting", step="greet"),
        b'{"payload":{"name":"x","pad":"' + b"x" * 24_000_000 + b'"},"controls":{}}', {200})
    add("many keys", EXECUTE.format(workflow="greeting", step="greet"),
        b'{"payload":{' + b",".join(b'"k%d":%d' % (i, i) for i in range(400_000)) + b'},"controls":{}}', {200})
    # A fresh timestamp and a wrong signature on a big, costly body.
    costly = b'{"payload":{' + b",".join(b'"k%d":[%d]' % (i, i) for i in range(1_500_000)) + b"}}"
    add("wrong signature", "/api/strict?action=execute&workflowId=greeting&stepId=greet", costly, {401},
        {"novu-signature": sign("sk_wrong", costly)})
    # Content that goes through Liquid and the sanitiser.
    for name, html in {
        "unclosed tags": "<body " * 16_000,
        "slashed closers": "</a/" * 24_000,
        "nested divs": "<div>" * 20_000,
        "many attributes": "<p " + " ".join(f"a{i}=x" for i in range(16_000)) + ">",
        "entity flood": "&amp;" * 20_000,
        "unclosed comments": "<!--" * 24_000,
    }.items():
        add(f"email body: {name}", EXECUTE.format(workflow="rendered-mail", step="mail"), _event({"name": html}), {200})
    liquid = {
        "replace chain": "{% assign s = 'xxxxxxxxxx' %}" + "{% assign s = s | replace: 'x', 'xxxxxxxxxx' %}" * 9 + "{{ s | size }}",
        "offset loop": "{% for i in (1..1000000000) offset:999999999 %}{{ i }}{% endfor %}",
        "runs of braces": "{{" * 50_000,
        "runs of tags": "{%" * 50_000,
    }
    for name, template in liquid.items():
        add(f"liquid: {name}", EXECUTE.format(workflow="rendered-mail", step="mail"),
            json.dumps({"payload": {}, "controls": {"subject": "s", "body": template}}).encode(), {200, 400})
    add("liquid: lone surrogate in the payload", EXECUTE.format(workflow="rendered-mail", step="mail"),
        b'{"payload":{"name":"trunc\\ud83d"},"controls":{}}', {200})
    return shapes


@pytest.mark.parametrize("worker_class", ["sync", "gthread"])
def test_hostile_content_keeps_the_worker(worker_class: str) -> None:
    with FakeNovuAPI() as novu_api:
        env = {"NOVU_TEST_API_URL": novu_api.url}
        with gunicorn_server(
            "_hostile_app:make_app()", worker_class=worker_class, timeout=WORKER_TIMEOUT, threads=4, env=env
        ) as (host, port):
            status, _, data = http_request(host, port, "GET", "/pid")
            assert status == 200
            pid = json_of(data)["pid"]
            failures = []
            for name, path, body, headers, statuses in _shapes():
                # A killed worker answers nothing (or HTML from a new one):
                # the client waits longer than the worker timeout to see it.
                try:
                    status, response_headers, data = http_request(
                        host, port, "POST", path, body, headers, timeout=3 * WORKER_TIMEOUT
                    )
                except OSError as exc:
                    failures.append((name, repr(exc)))
                    continue
                if status not in statuses or response_headers.get("content-type") != "application/json":
                    failures.append((name, status, data[:200]))
                    continue
                text = data.decode("utf-8")
                if any(leak in text for leak in ("Traceback", ".py", " at 0x", "set_int_max_str_digits")):
                    failures.append((name, "leak", text[:200]))
            # Novu answers 429 with Retry-After: 60; the request is not held.
            novu_api.respond(429, {"message": "slow down"}, {"Retry-After": "60"})
            trigger = json.dumps({"to": "sub"}).encode()
            status, _, data = http_request(
                host, port, "POST", "/api/strict?action=trigger&workflowId=greeting", trigger,
                {"Content-Type": "application/json", "novu-signature": sign(SECRET, trigger)},
                timeout=3 * WORKER_TIMEOUT,
            )
            if status != 429:
                failures.append(("retry-after", status, data[:200]))
            status, _, data = http_request(host, port, "GET", "/pid")
            assert status == 200 and json_of(data)["pid"] == pid, "the worker was replaced"
            assert not failures, failures
