"""A loopback stand-in for the Novu API that records what it receives."""

from __future__ import annotations

import json
import threading
import time
import typing as t
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

KEY = "sk_test_reference_secret"
#: The mock API's answer in the oracle captures.
MOCK_RESPONSE = {"data": {"acknowledged": True, "status": "processed", "transactionId": "txn_mock_123"}}
#: LIVE §5/§10: what the bridge's ?action=trigger sent.
LIVE_BRIDGE_TRIGGER = (
    b'{"name":"delayed-sms","to":"sub_123","payload":{"orderId":"ord_42"},'
    b'"transactionId":"txn_abc","overrides":{}}'
)
#: LIVE §10: what workflow.trigger() sent.
LIVE_WORKFLOW_TRIGGER = (
    b'{"name":"delayed-sms","to":{"subscriberId":"sub_123","email":"ada@example.com"},'
    b'"payload":{"orderId":"ord_42","count":1},"transactionId":"txn_abc",'
    b'"overrides":{"email":{"from":"ops@example.com"}},"actor":"actor_1",'
    b'"context":{"tenant":"org-acme"},"bridgeUrl":"http://127.0.0.1:4000/api/novu"}'
)


class Recorded(t.NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> t.Any:
        return json.loads(self.body)


class FakeNovuAPI:
    """A ``ThreadingHTTPServer`` on ``127.0.0.1:<ephemeral>``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.responses: list[tuple[int, dict[str, str], bytes, float]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake._lock:
                    fake.requests.append(
                        Recorded(
                            self.command,
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                        )
                    )
                    if fake.responses:
                        status, headers, payload, delay = fake.responses.pop(0)
                    else:
                        status, headers, payload, delay = 201, {}, json.dumps(MOCK_RESPONSE).encode(), 0.0
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout tests)
                    pass

            do_GET = do_POST = do_DELETE = do_PUT = _handle

            def log_message(self, format: str, *args: t.Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def respond(
        self, status: int, body: t.Any = None, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> None:
        """Queue one response (``body``: bytes, or a value sent as JSON)."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.responses.append((status, dict(headers or {}), raw, delay))

    def __enter__(self) -> FakeNovuAPI:  # noqa: PYI034
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_fake_api(monkeypatch: pytest.MonkeyPatch) -> t.Iterator[FakeNovuAPI]:
    """Body of the ``novu_api`` fixture: no proxy may divert loopback calls."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with FakeNovuAPI() as server:
        yield server
