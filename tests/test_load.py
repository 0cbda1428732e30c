"""A bounded load test against a real WSGI server (waitress) on loopback."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import random
import time
import typing as t
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait

from _bridge_apps import OTHER_SECRET, SECRET, make_app
from _servers import waitress_server

#: Total requests (override with FLASK_NOVU_LOAD_REQUESTS for a longer soak).
TOTAL = int(os.environ.get("FLASK_NOVU_LOAD_REQUESTS", "10000"))
CLIENT_THREADS = 8


def _sign(body: bytes, secret: str) -> str:
    stamp = int(time.time() * 1000)
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def _plan(index: int, rng: random.Random) -> tuple[str, str, bytes | None, dict[str, str], int, t.Callable[[t.Any], bool]]:
    """One request: method, path, body, headers, expected status, body check."""
    kind = rng.choice(["health", "discover", "execute", "execute", "preview", "code"])
    wrong = rng.random() < 0.10
    body: bytes | None = None
    check: t.Callable[[t.Any], bool]
    if kind == "health":
        method, path = "GET", "/api/novu?action=health-check"
        check = lambda b: b["status"] == "ok"  # noqa: E731
        wrong = False  # exempt: a wrong signature is not even looked at
    elif kind == "discover":
        method, path = "GET", "/api/novu?action=discover"
        check = lambda b: len(b["workflows"]) == 4  # noqa: E731
    elif kind == "code":
        method, path = "GET", "/api/novu?action=code&workflowId=greeting"
        check = lambda b: "greet" in b["code"]  # noqa: E731
    else:
        method = "POST"
        path = f"/api/novu?action={kind}&workflowId=greeting&stepId=greet"
        name = f"user{index}"
        body = json.dumps({"payload": {"name": name}, "controls": {}, "state": []}).encode()
        check = lambda b, name=name: b["outputs"]["subject"] == f"Hi {name}"  # noqa: E731
    headers = {"novu-signature": _sign(body or b"{}", OTHER_SECRET if wrong else SECRET)}
    if body is not None:
        headers["content-type"] = "application/json"
    if wrong:
        return method, path, body, headers, 401, lambda b: b["code"] == "SignatureMismatchError"
    return method, path, body, headers, 200, check


def _worker(host: str, port: int, count: int, seed: int) -> Counter[str]:
    rng = random.Random(seed)
    outcome: Counter[str] = Counter()
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        for i in range(count):
            method, path, body, headers, expected, check = _plan(seed * 1_000_000 + i, rng)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            try:
                ok = (
                    response.status == expected
                    and response.getheader("Content-Type") == "application/json"
                    and response.getheader("Novu-Framework-Version") == "2024-06-26"
                    and check(json.loads(data))
                )
            except (ValueError, KeyError, TypeError):
                ok = False
            outcome["ok" if ok else f"unexpected {response.status} {data[:120]!r}"] += 1
            outcome[f"status {response.status}"] += 1
    finally:
        connection.close()
    return outcome


def test_load_mixed_requests_over_waitress() -> None:
    app = make_app(secret_key=SECRET)
    per_thread = TOTAL // CLIENT_THREADS
    with waitress_server(app, threads=8) as (host, port):
        with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
            futures = [pool.submit(_worker, host, port, per_thread, seed) for seed in range(CLIENT_THREADS)]
            done, _ = wait(futures, timeout=600)
            assert len(done) == CLIENT_THREADS, "load test hung"
    total: Counter[str] = Counter()
    for future in futures:
        total.update(future.result())
    unexpected = {k: v for k, v in total.items() if k.startswith("unexpected")}
    assert unexpected == {}
    assert total["ok"] == per_thread * CLIENT_THREADS
    # The mix really contained rejections (about 10 %) and successes.
    assert total["status 401"] > per_thread * CLIENT_THREADS * 0.04
    assert total["status 200"] > per_thread * CLIENT_THREADS * 0.8
