"""Real WSGI servers on 127.0.0.1 ephemeral ports, for tests.

Both context managers stop their server on exit, with bounded waits.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import typing as t
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent


@contextlib.contextmanager
def waitress_server(app: t.Any, threads: int = 8, **options: t.Any) -> t.Iterator[tuple[str, int]]:
    """Serve ``app`` with waitress in a background thread; yields ``(host, port)``."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=threads, **options)
    port = server.effective_port
    stop = threading.Event()

    def run() -> None:
        # waitress's own run() loops forever; poll in short rounds instead and
        # close everything from this same thread once asked to stop.
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)
        server.close()
        server.asyncore.close_all(server._map)
        server.task_dispatcher.shutdown(timeout=5)

    thread = threading.Thread(target=run, name="waitress-test", daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", int(port)
    finally:
        stop.set()
        thread.join(timeout=15)
        assert not thread.is_alive(), "waitress did not stop"


@contextlib.contextmanager
def gunicorn_server(
    app_spec: str = "_bridge_apps:make_app()",
    *,
    threads: int = 8,
    env: dict[str, str] | None = None,
    worker_class: str = "gthread",
    timeout: int = 30,
) -> t.Iterator[tuple[str, int]]:
    """Run gunicorn (one ``gthread`` worker, or ``worker_class``; killed by
    the arbiter after ``timeout`` silent seconds) on a socket bound here and
    handed over with ``fd://``; yields ``(host, port)``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    fd = sock.fileno()
    os.set_inheritable(fd, True)
    child_env = dict(os.environ)
    child_env["PYTHONPATH"] = os.pathsep.join(
        [str(TESTS_DIR)] + ([child_env["PYTHONPATH"]] if child_env.get("PYTHONPATH") else [])
    )
    child_env.update(env or {})
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"fd://{fd}",
        "--worker-class", worker_class, "--workers", "1", "--threads", str(threads),
        "--timeout", str(timeout), "--graceful-timeout", "2", "--log-level", "warning",
        app_spec,
    ]
    process = subprocess.Popen(
        command, env=child_env, pass_fds=(fd,), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_serving("127.0.0.1", port, process)
        yield "127.0.0.1", port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
        sock.close()


def _wait_until_serving(host: str, port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):  # at most ~30 s
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{output}")
        try:
            status, _, _ = request(host, port, "GET", "/api/novu", timeout=2)
        except OSError:
            time.sleep(0.1)
            continue
        if status == 200:
            return
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start serving")


def request(
    host: str,
    port: int,
    method: str,
    path: str,
    body: bytes | t.Iterable[bytes] | None = None,
    headers: dict[str, str] | None = None,
    *,
    timeout: float = 30,
    chunked: bool = False,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection; ``(status, headers, body)``."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        connection.close()


def json_of(data: bytes) -> t.Any:
    return json.loads(data.decode("utf-8"))
