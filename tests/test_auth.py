"""HMAC authentication of the bridge, its configuration, and custom authentication."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import typing as t

import pytest
from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from _bridge_apps import ALL_WORKFLOWS, CALLS, OTHER_SECRET, SECRET, make_app
from _novu_server_client import NovuServer
from _servers import json_of, waitress_server
from _servers import request as http_request
from flask_novu import NovuBridgeView, serve
from flask_novu.errors import ConfigurationError, NovuError, SignatureError
from flask_novu.extension import Novu
from flask_novu.views import ALL_METHODS

# Messages captured from @novu/framework 2.13.2 (reference_responses.md §6).
NOT_FOUND = "Signature not found. Please provide a signature in the `novu-signature` header"
INVALID = "Signature is invalid. Please provide a valid signature in the `novu-signature` header"
EXPIRED = (
    "Signature expired. Please provide a signature with a timestamp no older than 5 minutes "
    "in the `novu-signature` header"
)
MISMATCH = (
    "Signature does not match the expected signature. Please ensure the signature provided in "
    "the `novu-signature` header is correct and try again."
)
NO_KEY = (
    "Signature key not found. Please provide a valid key in the Client constructor "
    "`config.secretKey`"
)

EXECUTE_URL = "/api/novu?action=execute&workflowId=recorder&stepId=record-sms"
EXECUTE_BODY = {"payload": {"run": True}, "controls": {}, "state": [], "subscriber": {}, "context": {}}


def now_ms() -> int:
    return int(time.time() * 1000)


def signature(secret: str, body: bytes = b"{}", timestamp: int | None = None) -> str:
    """An independent signer (not flask_novu's): ``t=<ms>,v1=<hex>``."""
    stamp = now_ms() if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def compact(value: t.Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def assert_error(response: t.Any, status: int, code: str, message: str | None = None) -> None:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == code
    assert body["detail"] == body["message"]
    if message is not None:
        assert body["message"] == message
    assert response.headers["Novu-Framework-Version"] == "2024-06-26"


def rejections(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "flask_novu" and r.getMessage().startswith("bridge request rejected")
    ]


@pytest.fixture
def strict_app(caplog: pytest.LogCaptureFixture) -> Flask:
    caplog.set_level(logging.DEBUG, logger="flask_novu")
    app = make_app()
    app.config["NOVU_SECRET_KEY"] = SECRET  # read per request
    return app


@pytest.fixture
def strict(strict_app: Flask) -> t.Any:
    return strict_app.test_client()


# -- configuration -----------------------------------------------------------------


def test_app_config_key_turns_strict_on(strict: t.Any) -> None:
    assert_error(strict.get("/api/novu?action=discover"), 401, "SignatureNotFoundError", NOT_FOUND)
    ok = strict.get("/api/novu?action=discover", headers={"novu-signature": signature(SECRET)})
    assert ok.status_code == 200 and ok.get_json()["workflows"]


@pytest.mark.parametrize("variable", ["NOVU_SECRET_KEY", "NOVU_API_KEY"])
def test_environment_keys(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, SECRET)
    client = make_app().test_client()
    assert_error(client.get("/api/novu?action=discover"), 401, "SignatureNotFoundError")
    signed = client.get("/api/novu?action=discover", headers={"novu-signature": signature(SECRET)})
    assert signed.status_code == 200


def test_key_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOVU_SECRET_KEY", "env-secret")
    monkeypatch.setenv("NOVU_API_KEY", "env-api-key")
    app = make_app()
    client = app.test_client()

    def status(key: str) -> int:
        headers = {"novu-signature": signature(key)}
        return int(client.get("/api/novu?action=discover", headers=headers).status_code)

    assert (status("env-secret"), status("env-api-key")) == (200, 401)
    app.config["NOVU_SECRET_KEY"] = "config-secret"
    assert (status("config-secret"), status("env-secret")) == (200, 401)
    option_app = make_app(secret_key="option-secret")
    option_app.config["NOVU_SECRET_KEY"] = "config-secret"
    option_client = option_app.test_client()
    headers = {"novu-signature": signature("option-secret")}
    assert option_client.get("/api/novu?action=discover", headers=headers).status_code == 200
    headers = {"novu-signature": signature("config-secret")}
    assert option_client.get("/api/novu?action=discover", headers=headers).status_code == 401


@pytest.mark.parametrize("where", ["option", "config"])
def test_key_rotation_accepts_every_listed_key(where: str) -> None:
    keys = ["sk_new", "sk_old"]
    app = make_app(secret_key=keys) if where == "option" else make_app()
    if where == "config":
        app.config["NOVU_SECRET_KEY"] = keys
    client = app.test_client()
    for key in keys:
        response = client.post(
            EXECUTE_URL, data=compact(EXECUTE_BODY),
            headers={"novu-signature": signature(key, compact(EXECUTE_BODY))},
        )
        assert response.status_code == 200, response.data
    retired = client.get("/api/novu?action=discover", headers={"novu-signature": signature("sk_gone")})
    assert_error(retired, 401, "SignatureMismatchError", MISMATCH)


def test_bytes_key_is_the_key_not_its_repr() -> None:
    client = make_app(secret_key=SECRET.encode()).test_client()
    ok = client.get("/api/novu?action=discover", headers={"novu-signature": signature(SECRET)})
    assert ok.status_code == 200


@pytest.mark.parametrize("value", [False, "false", "0"])
def test_strict_off_with_key_warns_once(caplog: pytest.LogCaptureFixture, value: t.Any) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    app = Flask(__name__)
    app.config.update(NOVU_SECRET_KEY=SECRET, NOVU_STRICT_AUTHENTICATION=value)
    serve(app, "/api/novu", ALL_WORKFLOWS)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/novu?action=discover").status_code == 200
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "NOVU_STRICT_AUTHENTICATION is off" in warnings[0].getMessage()
    assert SECRET not in warnings[0].getMessage()


def test_no_key_is_open_and_warns_at_registration_of_every_app(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    for _ in range(2):  # an app factory called twice: both apps warn
        before = len(caplog.records)
        app = make_app()
        records = [r for r in caplog.records[before:] if r.levelno >= logging.WARNING]
        assert [r.levelno for r in records] == [logging.WARNING]
        assert "no NOVU_SECRET_KEY" in records[0].getMessage()
        assert app.test_client().get("/api/novu?action=discover").status_code == 200


def test_no_key_init_app_warns(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="flask_novu")
    app = Flask(__name__)
    Novu(app, workflows=ALL_WORKFLOWS)
    assert any(
        r.levelno == logging.WARNING and "no NOVU_SECRET_KEY" in r.getMessage() for r in caplog.records
    )
    assert app.test_client().get("/api/novu?action=discover").status_code == 200


@pytest.mark.parametrize("value", [True, "true", "1"])
def test_strict_without_key_fails_at_registration(value: t.Any) -> None:
    app = Flask(__name__)
    app.config["NOVU_STRICT_AUTHENTICATION"] = value
    with pytest.raises(ConfigurationError, match="no secret key"):
        serve(app, "/api/novu", ALL_WORKFLOWS)
    with pytest.raises(ConfigurationError, match="no secret key"):
        Novu(Flask(__name__), workflows=ALL_WORKFLOWS, strict_authentication=True)
    other = Flask(__name__)
    other.config["NOVU_STRICT_AUTHENTICATION"] = value
    with pytest.raises(ConfigurationError):
        Novu().init_app(other)
    # Nothing was mounted by the failed serve().
    assert app.test_client().get("/api/novu?action=discover").status_code == 404


def test_strict_view_without_key_fails_closed_per_request() -> None:
    """A view mounted by hand (no registration check) still refuses to run open."""
    app = Flask(__name__)
    app.config["NOVU_STRICT_AUTHENTICATION"] = True
    app.add_url_rule(
        "/hook", view_func=NovuBridgeView.as_view("hook", workflows=ALL_WORKFLOWS), methods=ALL_METHODS
    )
    client = app.test_client()
    response = client.get("/hook?action=discover", headers={"novu-signature": signature("anything")})
    assert_error(response, 401, "SigningKeyNotFoundError", NO_KEY)


# -- what needs a signature ----------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/api/novu", 200),
        ("GET", "/api/novu?action=", 200),
        ("GET", "/api/novu?action=health-check", 200),
        ("OPTIONS", "/api/novu", 200),
        ("PUT", "/api/novu", 405),
        ("POST", "/api/novu", 400),  # health-check is not a POST action
    ],
)
def test_health_check_is_exempt(strict: t.Any, method: str, path: str, status: int) -> None:
    response = strict.open(path, method=method)
    assert response.status_code == status
    assert response.get_json() is not None


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/novu?action=discover"),
        ("GET", "/api/novu?action=code&workflowId=recorder"),
        ("GET", "/api/novu?action=bogus"),
        ("OPTIONS", "/api/novu?action=discover"),
        ("PUT", "/api/novu?action=discover"),
        ("PATCH", "/api/novu?action=execute"),
        ("DELETE", "/api/novu?action=discover"),
        ("POST", EXECUTE_URL),
        ("POST", "/api/novu?action=preview&workflowId=recorder&stepId=record-sms"),
        ("POST", "/api/novu?action=trigger&workflowId=recorder"),
        ("POST", "/api/novu?action=bogus"),
        ("POST", "/api/novu/workflows/recorder/execute"),
        ("GET", "/api/novu/workflows/recorder/execute"),
        ("GET", "/api/novu/anything/below"),
        ("POST", "/api/novu/anything?action=health-check"),
    ],
)
def test_everything_else_needs_a_signature(
    strict: t.Any, caplog: pytest.LogCaptureFixture, method: str, path: str
) -> None:
    before = len(CALLS)
    response = strict.open(path, method=method, data=compact(EXECUTE_BODY))
    assert_error(response, 401, "SignatureNotFoundError", NOT_FOUND)
    assert len(CALLS) == before
    assert [r.levelno for r in rejections(caplog)] == [logging.WARNING]


def test_signed_paths_below_the_route_are_json_404(strict: t.Any) -> None:
    response = strict.get("/api/novu/anything/below", headers={"novu-signature": signature(SECRET)})
    assert_error(response, 404, "BridgeError")


def test_compat_route_accepts_a_signed_call(strict: t.Any) -> None:
    body = compact({"to": "sub_1", "payload": {"run": True}})
    before = len(CALLS)
    response = strict.post(
        "/api/novu/workflows/recorder/execute", data=body,
        headers={"novu-signature": signature(SECRET, body), "content-type": "application/json"},
    )
    assert response.status_code == 200, response.data
    assert len(CALLS) > before


# -- header formats -------------------------------------------------------------------


def _discover(client: t.Any, header: str, name: str = "novu-signature") -> t.Any:
    return client.get("/api/novu?action=discover", headers={name: header})


def test_header_variants(strict: t.Any) -> None:
    stamp = now_ms()
    mac = signature(SECRET, timestamp=stamp).split("v1=")[1]
    assert _discover(strict, f"t={stamp},v1={mac}").status_code == 200
    assert _discover(strict, f"v1={mac}, t={stamp}").status_code == 200
    assert _discover(strict, f"t={stamp},v1={mac},v0=whatever").status_code == 200
    assert _discover(strict, f"t={stamp}.0,v1={mac}").status_code == 200
    assert _discover(strict, f"t={stamp},v1={mac}", "x-novu-signature").status_code == 200
    assert_error(_discover(strict, f"t={stamp},v1={mac.upper()}"), 401, "SignatureMismatchError")
    assert_error(_discover(strict, f"t={stamp},v1={mac[:-1]}"), 401, "SignatureMismatchError")


def test_novu_signature_wins_over_the_legacy_header(strict: t.Any) -> None:
    good = signature(SECRET)
    response = strict.get(
        "/api/novu?action=discover",
        headers={"novu-signature": signature(OTHER_SECRET), "x-novu-signature": good},
    )
    assert_error(response, 401, "SignatureMismatchError", MISMATCH)


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        "t=1795693447713",
        "v1=abcdef",
        "t=,v1=abc",
        "t=abc,v1=abc",
        "t=NaN,v1=abc",
        "t=Infinity,v1=abc",
        "t=1e400,v1=abc",
        "t=1_795_693_447_713,v1=abc",
        ",,,=,==",
    ],
)
def test_malformed_headers_are_invalid(
    strict: t.Any, caplog: pytest.LogCaptureFixture, header: str
) -> None:
    assert_error(_discover(strict, header), 401, "SignatureInvalidError", INVALID)
    (record,) = rejections(caplog)
    assert record.levelno == logging.WARNING and "malformed" in record.getMessage()


@pytest.mark.parametrize("skew_minutes", [-6, 6, -60 * 24 * 365])
def test_expired_and_future_timestamps(strict: t.Any, skew_minutes: int) -> None:
    stamp = now_ms() + skew_minutes * 60_000
    assert_error(_discover(strict, signature(SECRET, timestamp=stamp)), 401, "SignatureExpiredError", EXPIRED)


@pytest.mark.parametrize("skew_minutes", [-4, 4])
def test_timestamps_within_tolerance(strict: t.Any, skew_minutes: int) -> None:
    stamp = now_ms() + skew_minutes * 60_000
    assert _discover(strict, signature(SECRET, timestamp=stamp)).status_code == 200


@pytest.mark.parametrize("v1", ["\u00e9" * 64, "\u00ff", "abc\u00e9", "x" * 10_000])
def test_non_ascii_or_odd_signatures_are_a_mismatch_not_a_crash(strict: t.Any, v1: str) -> None:
    # Werkzeug decodes header bytes as latin-1; hmac.compare_digest() refuses
    # non-ASCII str, which used to surface as a 500.
    assert_error(_discover(strict, f"t={now_ms()},v1={v1}"), 401, "SignatureMismatchError", MISMATCH)


def test_empty_header_is_not_found(strict: t.Any) -> None:
    assert_error(_discover(strict, ""), 401, "SignatureNotFoundError", NOT_FOUND)


# -- what is signed ---------------------------------------------------------------------


def test_raw_body_and_compact_reserialisation_are_both_accepted(strict: t.Any) -> None:
    pretty = json.dumps(EXECUTE_BODY, indent=2).encode()
    for signed in (pretty, compact(EXECUTE_BODY)):
        response = strict.post(
            EXECUTE_URL, data=pretty, headers={"novu-signature": signature(SECRET, signed)}
        )
        assert response.status_code == 200, response.data


def test_novus_own_requests_are_accepted(strict: t.Any) -> None:
    """Signed as Novu's servers sign (``JSON.stringify`` of the event, ``{}``
    for a GET), with their extra query keys and headers: a payload with
    non-ASCII text, integral and tiny floats and HTML passes the check."""
    server = NovuServer.for_client(strict, secret_key=SECRET)
    payload = {"run": True, "name": "Zoë – “quoted” </script>", "amount": 5.0, "tiny": 1e-7, "big": 1e21}
    status, body = server.execute("recorder", "record-sms", job_id="66f0c1d2", payload=payload)
    assert (status, body["outputs"]) == (200, {"body": "recorded"})
    assert b'"amount":5,' in (server.attempts[-1].body or b"")  # JavaScript writes 5.0 as 5
    assert server.discover()[0] == 200
    other = NovuServer.for_client(strict, secret_key=OTHER_SECRET)
    assert other.discover()[0] == 401


def test_tampered_body_is_a_mismatch(strict: t.Any) -> None:
    signed = compact(EXECUTE_BODY)
    tampered = compact({**EXECUTE_BODY, "payload": {"run": True, "admin": True}})
    before = len(CALLS)
    response = strict.post(EXECUTE_URL, data=tampered, headers={"novu-signature": signature(SECRET, signed)})
    assert_error(response, 401, "SignatureMismatchError", MISMATCH)
    assert len(CALLS) == before


def test_get_signs_empty_object(strict: t.Any) -> None:
    assert _discover(strict, signature(SECRET, b"{}")).status_code == 200
    assert_error(_discover(strict, signature(SECRET, b"")), 401, "SignatureMismatchError")
    # A body sent with a non-POST method is not what is signed.
    response = strict.open(
        "/api/novu?action=discover", method="PUT", data=b'{"a":1}',
        headers={"novu-signature": signature(SECRET, b"{}")},
    )
    assert_error(response, 405, "MethodNotAllowedError")


def test_empty_post_body_signs_empty_object(strict: t.Any) -> None:
    response = strict.post(
        "/api/novu?action=bogus", data=b"", headers={"novu-signature": signature(SECRET, b"{}")}
    )
    assert_error(response, 400, "InvalidActionError")


# -- before parsing, before workflow code ------------------------------------------------


def test_check_runs_before_the_body_is_parsed(strict: t.Any) -> None:
    for body in (b"{not json", b"\xff\xfe", b"[" * 100_000):
        response = strict.post(EXECUTE_URL, data=body)
        assert_error(response, 401, "SignatureNotFoundError")
        wrong = strict.post(EXECUTE_URL, data=body, headers={"novu-signature": signature(OTHER_SECRET, body)})
        assert_error(wrong, 401, "SignatureMismatchError")
        signed = strict.post(EXECUTE_URL, data=body, headers={"novu-signature": signature(SECRET, body)})
        assert_error(signed, 400, "BridgeError")


def test_unsigned_request_is_rejected_without_reading_an_oversized_body(strict_app: Flask) -> None:
    strict_app.config["NOVU_MAX_CONTENT_LENGTH"] = 1024
    client = strict_app.test_client()
    big = b'{"payload":{"run":true},"pad":"' + b"x" * 4096 + b'"}'
    assert_error(client.post(EXECUTE_URL, data=big), 401, "SignatureNotFoundError")
    stale = signature(SECRET, big, timestamp=now_ms() - 3_600_000)
    assert_error(client.post(EXECUTE_URL, data=big, headers={"novu-signature": stale}), 401, "SignatureExpiredError")
    signed = client.post(EXECUTE_URL, data=big, headers={"novu-signature": signature(SECRET, big)})
    assert_error(signed, 413, "BridgeError")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "garbage",
        "EXPIRED",
        "WRONG",
    ],
)
def test_rejected_requests_never_run_workflow_code(
    strict: t.Any, caplog: pytest.LogCaptureFixture, header: str | None
) -> None:
    body = compact(EXECUTE_BODY)
    if header == "EXPIRED":
        header = signature(SECRET, body, timestamp=now_ms() - 600_000)
    elif header == "WRONG":
        header = signature(OTHER_SECRET, body)
    headers = {} if header is None else {"novu-signature": header}
    before = len(CALLS)
    response = strict.post(EXECUTE_URL, data=body, headers=headers)
    assert response.status_code == 401
    assert len(CALLS) == before
    # The same request, correctly signed, does run the workflow and its resolver.
    ok = strict.post(EXECUTE_URL, data=body, headers={"novu-signature": signature(SECRET, body)})
    assert ok.status_code == 200, ok.data
    assert CALLS[before:] == ["workflow", "resolver"]


def test_rejections_are_logged_without_key_or_signature(
    strict: t.Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = compact(EXECUTE_BODY)
    bad = [
        ({}, "missing"),
        ({"novu-signature": "garbage"}, "malformed"),
        ({"novu-signature": signature(SECRET, body, timestamp=now_ms() - 3_600_000)}, "tolerance"),
        ({"novu-signature": signature(OTHER_SECRET, body)}, "does not match"),
    ]
    sent: list[str] = []
    for headers, reason in bad:
        caplog.clear()
        assert strict.post(EXECUTE_URL, data=body, headers=headers).status_code == 401
        sent.extend(headers.values())
        (record,) = rejections(caplog)
        assert record.levelno == logging.WARNING
        assert reason in record.getMessage()
    everything = " ".join(
        f"{r.getMessage()} {r.__dict__!r} {caplog.text}" for r in caplog.records
    )
    for secret in (SECRET, OTHER_SECRET):
        assert secret not in everything
    for header in sent:
        if header != "garbage":
            assert header not in everything
            assert header.split("v1=")[1] not in everything


def test_open_bridge_does_not_check(caplog: pytest.LogCaptureFixture) -> None:
    client = make_app().test_client()
    response = client.get("/api/novu?action=discover", headers={"novu-signature": "garbage"})
    assert response.status_code == 200
    assert not rejections(caplog)


# -- customising authentication -----------------------------------------------------------


class ApiKeyMissingError(SignatureError):
    code = "ApiKeyMissingError"
    reason = "api key header missing or wrong"
    message = "Send the X-Api-Key header."


class ApiKeyView(NovuBridgeView):
    """HMAC plus an extra shared API key header."""

    def authenticate(self, action: str) -> None:
        supplied = request.headers.get("X-Api-Key", "")
        if not hmac.compare_digest(supplied.encode(), b"extra-key"):
            raise ApiKeyMissingError()
        super().authenticate(action)


class ForbiddenError(NovuError):
    status_code = 403
    code = "ForbiddenError"
    message = "This address may not call the bridge."


class AllowListView(NovuBridgeView):
    allowed = frozenset({"127.0.0.1", "203.0.113.7"})

    def authenticate(self, action: str) -> None:
        if request.remote_addr not in self.allowed:
            raise ForbiddenError()
        super().authenticate(action)


def _mount(kind: str, view_class: type[NovuBridgeView]) -> Flask:
    app = Flask(__name__)
    app.config["NOVU_SECRET_KEY"] = SECRET
    if kind == "serve":
        serve(app, "/api/novu", ALL_WORKFLOWS, view_class=view_class)
    else:
        app.add_url_rule(
            "/api/novu",
            view_func=view_class.as_view("custom_bridge", workflows=ALL_WORKFLOWS),
            methods=ALL_METHODS,
        )
    return app


@pytest.mark.parametrize("kind", ["serve", "add_url_rule"])
def test_api_key_subclass(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    client = _mount(kind, ApiKeyView).test_client()
    signed = {"novu-signature": signature(SECRET)}
    no_key = client.get("/api/novu?action=discover", headers=signed)
    assert_error(no_key, 401, "ApiKeyMissingError", "Send the X-Api-Key header.")
    assert any("api key header" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    wrong = client.get("/api/novu?action=discover", headers={**signed, "X-Api-Key": "nope"})
    assert_error(wrong, 401, "ApiKeyMissingError")
    unsigned = client.get("/api/novu?action=discover", headers={"X-Api-Key": "extra-key"})
    assert_error(unsigned, 401, "SignatureNotFoundError")
    ok = client.get("/api/novu?action=discover", headers={**signed, "X-Api-Key": "extra-key"})
    assert ok.status_code == 200 and ok.get_json()["workflows"]
    # The subclass also guards the health check (it runs before super()).
    assert client.get("/api/novu").status_code == 401
    assert client.get("/api/novu", headers={"X-Api-Key": "extra-key"}).status_code == 200


@pytest.mark.parametrize("kind", ["serve", "add_url_rule"])
def test_ip_allow_list_subclass(kind: str) -> None:
    app = _mount(kind, AllowListView)
    client = app.test_client()
    signed = {"novu-signature": signature(SECRET)}
    outsider = client.get(
        "/api/novu?action=discover", headers=signed, environ_base={"REMOTE_ADDR": "198.51.100.9"}
    )
    assert_error(outsider, 403, "ForbiddenError")
    insider = client.get(
        "/api/novu?action=discover", headers=signed, environ_base={"REMOTE_ADDR": "203.0.113.7"}
    )
    assert insider.status_code == 200
    unsigned_insider = client.get(
        "/api/novu?action=discover", environ_base={"REMOTE_ADDR": "203.0.113.7"}
    )
    assert_error(unsigned_insider, 401, "SignatureNotFoundError")


def test_ip_allow_list_behind_proxyfix() -> None:
    """Behind one trusted proxy: ProxyFix makes remote_addr the X-Forwarded-For client."""
    app = _mount("serve", AllowListView)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    client = app.test_client()
    signed = {"novu-signature": signature(SECRET)}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # the proxy itself is not on the list
    outsider = client.get(
        "/api/novu?action=discover", headers={**signed, "X-Forwarded-For": "198.51.100.9"},
        environ_base=proxy,
    )
    assert_error(outsider, 403, "ForbiddenError")
    # A client cannot smuggle an allowed address in front of its own: x_for=1
    # trusts only the last hop the proxy appended.
    spoofed = client.get(
        "/api/novu?action=discover",
        headers={**signed, "X-Forwarded-For": "203.0.113.7, 198.51.100.9"},
        environ_base=proxy,
    )
    assert_error(spoofed, 403, "ForbiddenError")
    insider = client.get(
        "/api/novu?action=discover", headers={**signed, "X-Forwarded-For": "203.0.113.7"},
        environ_base=proxy,
    )
    assert insider.status_code == 200


def test_ip_allow_list_over_waitress_with_a_trusted_proxy() -> None:
    """waitress drops X-Forwarded-* unless told which proxy to trust."""
    app = _mount("serve", AllowListView)
    path = "/api/novu?action=discover"
    signed = {"novu-signature": signature(SECRET)}
    with waitress_server(app, threads=2) as (host, port):
        status, _, _ = http_request(
            host, port, "GET", path, headers={**signed, "X-Forwarded-For": "198.51.100.9"}, timeout=10
        )
        assert status == 200  # header ignored: the peer 127.0.0.1 is allowed
    with waitress_server(
        app, threads=2, trusted_proxy="127.0.0.1", trusted_proxy_headers="x-forwarded-for"
    ) as (host, port):
        status, headers, body = http_request(
            host, port, "GET", path, headers={**signed, "X-Forwarded-For": "198.51.100.9"}, timeout=10
        )
        assert status == 403 and json_of(body)["code"] == "ForbiddenError"
        assert headers["content-type"] == "application/json"
        assert headers["novu-framework-version"] == "2024-06-26"
        status, _, _ = http_request(
            host, port, "GET", path, headers={**signed, "X-Forwarded-For": "203.0.113.7"}, timeout=10
        )
        assert status == 200
