"""Memory under a long soak: the bridge's worker RSS over 50,000 requests.

Serves ``apps.bridge_app`` under gunicorn (one sync worker, loopback) and
sends it a mix of requests: health-check, discover, the execute of the last
of six steps and the FastAPI-era compat route, with payloads that change on
every request. With ``--unique-controls`` every execute also carries Liquid
controls never seen before, so the template cache fills up to its bound
(``LiquidLimits.max_cache_bytes``, 32 MB by default) instead of hitting.
The worker's resident memory (``VmRSS`` from ``/proc``, Linux) is read every
``--every`` requests; the figure to read is the growth over the second half
of the run, which must be flat once the bounded caches are full. ::

    python benchmarks/soak.py                        # 50,000 requests, about 2 minutes
    python benchmarks/soak.py --unique-controls      # every template new
    python benchmarks/soak.py --requests 10000 --every 1000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import apps  # noqa: E402
import load  # noqa: E402


def worker_pid(master: int) -> int | None:
    """The pid of gunicorn's (only) worker: the child of ``master``."""
    for pid, fields in load.proc_stats():
        if int(fields[1]) == master:
            return pid
    return None


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def request_for(i: int, unique: bool) -> tuple[str, str, bytes | None]:
    """The ``i``-th request of the mix: (method, path, body)."""
    route = apps.ROUTE
    kind = i % 8
    if kind == 0:
        return "GET", f"{route}?action=health-check", None
    if kind == 1:
        return "GET", f"{route}?action=discover", None
    if kind in (2, 3):
        payload = {"to": f"sub_{i}", "payload": {"userName": f"User {i}", "plan": "pro"}}
        return "POST", f"{route}/workflows/{apps.COMPAT_WORKFLOW}/execute", json.dumps(payload).encode()
    body = json.loads(json.dumps(apps.EXECUTE_LAST_BODY))
    body["payload"]["userName"] = f"User {i}"
    body["payload"]["items"] = [f"item {i}-{n}" for n in range(i % 5 + 1)]
    body["subscriber"]["firstName"] = f"Ada {i}"
    if unique:
        body["controls"]["heading"] = f"Order {i}: {{{{ payload.userName | upcase }}}} <b>#{i}</b>"
    query = f"{route}?{apps.EXECUTE_LAST_QUERY}"
    return "POST", query, json.dumps(body, separators=(",", ":")).encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--every", type=int, default=5_000, help="read the worker's RSS every N requests")
    parser.add_argument("--threads", type=int, default=2, help="client threads")
    parser.add_argument("--port", type=int, default=4450)
    parser.add_argument("--unique-controls", action="store_true", help="new Liquid controls on every execute")
    args = parser.parse_args(argv)
    if not os.path.isdir("/proc"):
        raise SystemExit("soak.py reads memory from /proc (Linux)")

    server = load.gunicorn_server("bridge", "bridge_app", args.port, "sync")
    server.start(None)
    samples: list[tuple[int, float]] = []
    errors = [0]
    try:
        server.wait_ready()
        assert server.proc is not None
        pid = worker_pid(server.proc.pid)
        if pid is None:
            raise RuntimeError("gunicorn's worker not found")
        samples.append((0, rss_mb(pid)))
        counter = iter(range(args.requests))
        lock = threading.Lock()
        done = [0]

        def client() -> None:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                method, path, body = request_for(i, args.unique_controls)
                conn = http.client.HTTPConnection(load.HOST, args.port, timeout=30)
                try:
                    conn.request(method, path, body, load.JSON_HEADERS if body else {})
                    response = conn.getresponse()
                    response.read()
                    if response.status != 200:
                        errors[0] += 1
                except (OSError, http.client.HTTPException):
                    errors[0] += 1
                finally:
                    conn.close()
                with lock:
                    done[0] += 1
                    if done[0] % args.every == 0:
                        samples.append((done[0], rss_mb(pid)))

        began = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
    finally:
        server.stop()

    print(
        f"{args.requests} requests in {elapsed:.0f} s ({args.requests / elapsed:.0f}/s), errors {errors[0]}, "
        f"controls {'new on every execute' if args.unique_controls else 'repeated'}"
    )
    for n, mb in samples:
        print(f"  after {n:7d} requests  worker RSS {mb:7.1f} MB")
    half = [mb for n, mb in samples if n >= args.requests // 2]
    if len(half) >= 2:
        growth = half[-1] - half[0]
        print(
            f"growth over the second half: {growth:+.1f} MB ({growth / half[0] * 100:+.1f} %); "
            f"over the whole run: {samples[-1][1] - samples[0][1]:+.1f} MB"
        )
    return 1 if errors[0] else 0


if __name__ == "__main__":
    sys.exit(main())
