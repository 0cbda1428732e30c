"""The Novu API client against a real loopback HTTP server.

:class:`FakeNovuAPI` stands in for the Novu API (as ``mock_api.mjs`` did when
the oracle was captured): it records every request and answers with queued
responses, by default the mock's ``201``.
"""

from __future__ import annotations

import logging
import socket
import time
import typing as t

import pytest

from flask_novu.api import NovuAPI, OutboxRecord, _retry_after, order_trigger_body
from flask_novu.errors import MissingSecretKeyError, NovuAPIError

from _fake_novu_api import (
    KEY,
    LIVE_BRIDGE_TRIGGER,
    LIVE_WORKFLOW_TRIGGER,
    MOCK_RESPONSE,
    FakeNovuAPI,
)


def client(server: FakeNovuAPI, **options: t.Any) -> NovuAPI:
    options.setdefault("backoff", 0.0)
    return NovuAPI(KEY, server.url, **options)


def free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return int(port)


# -- what is sent -------------------------------------------------------------------


def test_trigger_raw_sends_the_bridge_trigger_bytes_of_the_oracle(novu_api: FakeNovuAPI) -> None:
    # Keys given in another order: the SDK's order is restored.
    body = {
        "overrides": {},
        "transactionId": "txn_abc",
        "payload": {"orderId": "ord_42"},
        "to": "sub_123",
        "name": "delayed-sms",
    }
    result = client(novu_api).trigger_raw(body)
    assert result == MOCK_RESPONSE
    (sent,) = novu_api.requests
    assert (sent.method, sent.path) == ("POST", "/v1/events/trigger")
    assert sent.body == LIVE_BRIDGE_TRIGGER
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["authorization"] == f"ApiKey {KEY}"
    assert sent.headers["user-agent"].startswith("flask-novu/")


def test_trigger_sends_the_workflow_trigger_bytes_of_the_oracle(novu_api: FakeNovuAPI) -> None:
    client(novu_api).trigger(
        "delayed-sms",
        {"subscriberId": "sub_123", "email": "ada@example.com"},
        {"orderId": "ord_42", "count": 1},
        transaction_id="txn_abc",
        overrides={"email": {"from": "ops@example.com"}},
        actor="actor_1",
        context={"tenant": "org-acme"},
        bridge_url="http://127.0.0.1:4000/api/novu",
    )
    assert novu_api.requests[0].body == LIVE_WORKFLOW_TRIGGER


def test_trigger_omits_absent_values_and_puts_controls_last(novu_api: FakeNovuAPI) -> None:
    api = client(novu_api)
    api.trigger("w", "sub", transaction_id="", actor=None)
    api.trigger("w", ["a", "b"], {}, controls={"steps": {"s": {"x": 1}}}, bridge_url="https://b/api/novu")
    assert novu_api.requests[0].body == b'{"name":"w","to":"sub"}'
    assert novu_api.requests[1].body == (
        b'{"name":"w","to":["a","b"],"payload":{},"bridgeUrl":"https://b/api/novu",'
        b'"controls":{"steps":{"s":{"x":1}}}}'
    )


def test_order_trigger_body_keeps_unknown_keys_after_known_ones() -> None:
    body = order_trigger_body({"extra": 1, "to": "s", "name": "w", "agentId": "a", "actor": None})
    assert list(body) == ["name", "to", "agentId", "extra"]


def test_cancel_and_sync(novu_api: FakeNovuAPI) -> None:
    api = client(novu_api)
    novu_api.respond(200, {"data": True})
    assert api.cancel("txn/42") == {"data": True}
    api.sync("https://example.com/api/novu")
    cancel, sync = novu_api.requests
    assert (cancel.method, cancel.path, cancel.body) == ("DELETE", "/v1/events/trigger/txn%2F42", b"")
    assert cancel.headers["authorization"] == f"ApiKey {KEY}"
    assert (sync.method, sync.path) == ("POST", "/v1/bridge/sync")
    assert sync.body == b'{"bridgeUrl":"https://example.com/api/novu"}'
    with pytest.raises(ValueError):
        api.cancel("")
    with pytest.raises(ValueError):
        api.sync("")


def test_empty_success_body_returns_none(novu_api: FakeNovuAPI) -> None:
    novu_api.respond(204, b"")
    assert client(novu_api).cancel("t") is None


def test_missing_secret_key_sends_nothing(novu_api: FakeNovuAPI) -> None:
    with pytest.raises(MissingSecretKeyError) as info:
        NovuAPI(None, novu_api.url).trigger("w", "sub")
    assert info.value.code == "MissingSecretKeyError"
    assert novu_api.requests == []


def test_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    api = NovuAPI.from_config(
        {"NOVU_SECRET_KEY": ["new", "old"], "NOVU_API_URL": "https://eu.api.novu.co/", "NOVU_API_RETRIES": 1}
    )
    assert (api.secret_key, api.api_url, api.retries) == ("new", "https://eu.api.novu.co", 1)
    monkeypatch.setenv("NOVU_API_KEY", "from-env")
    api = NovuAPI.from_config({})
    assert (api.secret_key, api.api_url) == ("from-env", "https://api.novu.co")


# -- errors and retries ----------------------------------------------------------------


def test_error_response_becomes_novu_api_error_without_retry(novu_api: FakeNovuAPI) -> None:
    novu_api.respond(
        422,
        {"statusCode": 422, "error": "Unprocessable Entity", "message": ["to should not be empty", "x"]},
    )
    with pytest.raises(NovuAPIError) as info:
        client(novu_api).trigger("w", "")
    error = info.value
    assert (error.status_code, error.code) == (422, "Unprocessable Entity")
    assert error.message == "to should not be empty; x"
    assert error.data == {"message": "to should not be empty; x"}
    assert len(novu_api.requests) == 1


def test_error_without_json_body(novu_api: FakeNovuAPI) -> None:
    novu_api.respond(401, b"nope", {"Content-Type": "text/plain"})
    with pytest.raises(NovuAPIError) as info:
        client(novu_api).cancel("t")
    assert info.value.status_code == 401
    assert info.value.code == "NovuAPIError"
    assert "401 Unauthorized" in info.value.message


def test_transient_failures_are_retried(novu_api: FakeNovuAPI) -> None:
    novu_api.respond(503, {"message": "busy"})
    novu_api.respond(429, {"message": "slow down"}, {"Retry-After": "0"})
    assert client(novu_api).trigger("w", "sub") == MOCK_RESPONSE
    assert len(novu_api.requests) == 3
    assert len({r.body for r in novu_api.requests}) == 1


def test_retries_give_up_with_the_last_error(novu_api: FakeNovuAPI) -> None:
    for _ in range(3):
        novu_api.respond(500, {"statusCode": 500, "error": "Internal Server Error", "message": "boom"})
    with pytest.raises(NovuAPIError) as info:
        client(novu_api, retries=2).trigger("w", "sub")
    assert (info.value.status_code, info.value.message) == (500, "boom")
    assert len(novu_api.requests) == 3


def test_retry_after_is_honoured(novu_api: FakeNovuAPI) -> None:
    novu_api.respond(429, {"message": "slow down"}, {"Retry-After": "1"})
    started = time.monotonic()
    client(novu_api).trigger("w", "sub")
    assert time.monotonic() - started >= 0.9
    assert len(novu_api.requests) == 2


def test_retry_after_header_values() -> None:
    assert _retry_after("2") == 2.0
    assert _retry_after("-3") == 0.0
    assert _retry_after("100000") == 60.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _retry_after("soon") is None
    assert _retry_after(None) is None


def test_backoff_grows_exponentially() -> None:
    api = NovuAPI(KEY, backoff=0.1)
    assert 0.1 <= api._delay(0, None) <= 0.2
    assert 0.4 <= api._delay(2, None) <= 0.5
    assert api._delay(5, 1.5) == 1.5


def test_unreachable_api_is_retried_then_502() -> None:
    port = free_port()
    api = NovuAPI(KEY, f"http://127.0.0.1:{port}", retries=2, backoff=0.0, timeout=1.0)
    with pytest.raises(NovuAPIError) as info:
        api.trigger("w", "sub")
    assert info.value.status_code == 502
    assert "Could not reach the Novu API" in info.value.message


def test_timeouts_retry_only_idempotent_requests(novu_api: FakeNovuAPI) -> None:
    api = client(novu_api, timeout=0.2, retries=1)
    novu_api.respond(201, MOCK_RESPONSE, delay=0.6)
    with pytest.raises(NovuAPIError) as info:
        api.trigger("w", "sub")  # no transactionId: a retry could notify twice
    assert "timed out" in info.value.message
    assert len(novu_api.requests) == 1

    novu_api.respond(201, MOCK_RESPONSE, delay=0.6)
    assert api.trigger("w", "sub", transaction_id="txn-1") == MOCK_RESPONSE
    assert len(novu_api.requests) == 3


def test_calls_are_logged_with_structured_fields(
    novu_api: FakeNovuAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    client(novu_api).trigger("welcome", "sub")
    (record,) = [r for r in caplog.records if getattr(r, "action", None) == "trigger"]
    assert record.workflowId == "welcome"  # type: ignore[attr-defined]
    assert record.outcome == "success"  # type: ignore[attr-defined]
    assert record.duration_ms >= 0  # type: ignore[attr-defined]


# -- the outbox --------------------------------------------------------------------------


def test_outbox_records_instead_of_sending(novu_api: FakeNovuAPI) -> None:
    outbox: list[OutboxRecord] = []
    api = NovuAPI(None, novu_api.url, outbox=outbox)
    result = api.trigger("welcome", "sub", {"a": 1}, transaction_id="txn-9")
    api.cancel("txn-9")
    assert novu_api.requests == []
    assert result["data"]["transactionId"] == "txn-9"
    trigger, cancel = outbox
    assert (trigger.action, trigger.method, trigger.workflow_id) == ("trigger", "POST", "welcome")
    assert (trigger.to, trigger.payload) == ("sub", {"a": 1})
    assert trigger.url == novu_api.url + "/v1/events/trigger"
    assert (cancel.action, cancel.method, cancel.transaction_id) == ("cancel", "DELETE", "txn-9")
    assert cancel.body is None and cancel.workflow_id is None
