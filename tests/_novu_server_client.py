"""A client that calls a bridge the way Novu's own servers do.

Novu's API (sync, preview) and worker (execute) are the real clients of a
bridge. What they send, read from Novu's source (the API's and worker's
bridge request code, its HTTP client service), is rebuilt here from those
facts:

* the URL: the bridge URL with ``action`` set first, then ``environmentType``
  (when the environment has a type), then the caller's keys: ``workflowId``,
  ``stepId`` and ``jobId`` for the worker's ``execute``; ``workflowId``,
  ``stepId``, ``layoutId`` and ``skipLayoutRendering`` (``"true"`` or
  ``"false"``) for the API's ``preview``. They are written by
  ``URLSearchParams.set``, so a key set to ``undefined`` is sent as the
  string ``undefined``;
* ``POST`` for ``execute`` and ``preview``, ``GET`` otherwise (no body);
* headers ``bypass-tunnel-reminder: true``, ``content-type:
  application/json`` and ``novu-signature: t=<ms>,v1=<hex HMAC-SHA256 of
  "<t>.<JSON.stringify(event or {})>">`` (so ``"{}"`` for a GET);
* retries: up to 3 more attempts (4 in all) on 408, 429, 500, 503, 504, 521,
  522 and 524 and on network errors (a 5 s timeout counts), waiting
  ``2 ** attempt * 500`` ms (1, 2, 4 s); every attempt re-sends the same
  request: same body, same ``jobId``, same signature header. The sync's
  ``discover`` and the ``preview`` pass a limit of 1 (2 attempts);
* an error body is shown as it is only when its ``code`` is one of the SDK's
  codes; otherwise Novu records a generic error chosen by the status
  (:func:`novu_reading`).

No waiting happens here: the delays Novu would wait are recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
import typing as t
from dataclasses import dataclass, field

#: The codes of the SDK's ErrorCodeEnum (@novu/framework 2.13.2); Novu's
#: ``isFrameworkError`` checks a body's ``code`` against them.
SDK_CODES = frozenset(
    """BridgeError ExecutionEventControlInvalidError ExecutionEventPayloadInvalidError
    ExecutionProviderOutputInvalidError ExecutionStateControlInvalidError
    ExecutionStateCorruptError ExecutionStateOutputInvalidError
    ExecutionStateResultInvalidError InvalidActionError MethodNotAllowedError
    MissingDependencyError MissingSecretKeyError ProviderExecutionFailedError
    ProviderNotFoundError SignatureExpiredError SignatureInvalidError
    SignatureMismatchError SignatureNotFoundError SignatureVersionInvalidError
    SigningKeyNotFoundError StepAlreadyExistsError StepControlCompilationFailedError
    StepExecutionFailedError StepNotFoundError WorkflowAlreadyExistsError
    WorkflowNotFoundError WorkflowPayloadInvalidError""".split()
)
RETRY_STATUSES = frozenset({408, 429, 500, 503, 504, 521, 522, 524})
DEFAULT_RETRIES = 3
RETRY_BASE_MS = 500
TIMEOUT_S = 5.0

#: Novu's reading of an error body without an SDK code, by status.
_GENERIC = {
    401: ("BRIDGE_AUTHENTICATION_FAILED", 401),
    404: ("BRIDGE_ENDPOINT_UNAVAILABLE", 404),
    405: ("BRIDGE_METHOD_NOT_CONFIGURED", 400),
    413: ("PAYLOAD_TOO_LARGE", 413),
    502: ("BRIDGE_ENDPOINT_NOT_FOUND", 404),
}


def js_number(value: float) -> str:
    """A float as ``JSON.stringify`` writes it."""
    if not math.isfinite(value):
        return "null"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}e{sign}{int(exponent.lstrip('+-'))}"
    return text


def json_stringify(value: t.Any) -> str:
    """``JSON.stringify(value)`` for plain JSON data (compact, no ASCII escaping,
    numbers as JavaScript writes them)."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(json_stringify(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{json_stringify(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not JSON data: {value!r}")


_FORM_SAFE = frozenset(b"*-._0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _form_encode(text: str) -> str:
    """application/x-www-form-urlencoded, as ``URLSearchParams`` serialises."""
    out = []
    for byte in text.encode("utf-8"):
        if byte in _FORM_SAFE:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def search_params(pairs: t.Sequence[tuple[str, t.Any]]) -> str:
    """``URLSearchParams.set`` in order (a later set replaces in place); a
    ``None`` value is JavaScript's ``undefined``, written as such."""
    ordered: dict[str, str] = {}
    for key, value in pairs:
        ordered[key] = "undefined" if value is None else str(value)
    return "&".join(f"{_form_encode(k)}={_form_encode(v)}" for k, v in ordered.items())


def novu_signature(secret: str, event: t.Any, timestamp_ms: int) -> str:
    payload = f"{timestamp_ms}.{json_stringify(event if event is not None else {})}"
    digest = hmac.new(secret.encode("utf-8"), payload.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"t={timestamp_ms},v1={digest}"


@dataclass
class Attempt:
    """One request Novu sent, and the answer."""

    url: str
    headers: dict[str, str]
    body: bytes | None
    status: int
    response: t.Any
    #: How long Novu waits before the next attempt (ms), ``None`` for the last.
    delay_ms: int | None = None


@dataclass
class NovuReading:
    """What Novu makes of an error answer."""

    status: int
    code: str
    message: str | None
    passed_through: bool


def novu_reading(status: int, body: t.Any) -> NovuReading:
    """Novu's reading of an error response: the body itself when its
    ``code`` is an SDK code, else a generic error chosen by the status
    (unknown statuses: ``UNKNOWN_BRIDGE_REQUEST_ERROR`` recorded as 500)."""
    if isinstance(body, dict) and body.get("code") in SDK_CODES:
        message = body.get("message")
        return NovuReading(status, t.cast(str, body["code"]), message if isinstance(message, str) else None, True)
    code, mapped = _GENERIC.get(status, ("UNKNOWN_BRIDGE_REQUEST_ERROR", 500))
    return NovuReading(mapped, code, None, False)


@dataclass
class NovuServer:
    """Calls a bridge as Novu's API and worker do.

    :param send: ``send(method, path_and_query, headers, body) -> (status, json)``
        (a Flask test client or a real HTTP connection, see :meth:`for_client`).
    :param secret_key: the environment's secret key (``None``: Novu's local
        Studio, which sends no signature).
    :param environment_type: the environment's type, sent as ``environmentType``
        (``None``: older servers, which do not send it).
    """

    send: t.Callable[[str, str, dict[str, str], bytes | None], tuple[int, t.Any]]
    secret_key: str | None = "sk_test_novu_server"
    route: str = "/api/novu"
    environment_type: str | None = "DEV"
    clock: t.Callable[[], float] = time.time
    attempts: list[Attempt] = field(default_factory=list)

    @classmethod
    def for_client(cls, client: t.Any, **options: t.Any) -> NovuServer:
        """A Novu server talking to a Flask test client."""

        def send(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, t.Any]:
            response = client.open(url, method=method, headers=headers, data=body)
            try:
                parsed = json.loads(response.get_data(as_text=True))
            except ValueError:
                parsed = response.get_data(as_text=True)
            return response.status_code, parsed

        return cls(send, **options)

    # -- building requests ---------------------------------------------------------

    def url(self, action: str, params: t.Sequence[tuple[str, t.Any]] = ()) -> str:
        pairs: list[tuple[str, t.Any]] = [("action", action)]
        if self.environment_type:
            pairs.append(("environmentType", self.environment_type))
        pairs.extend(params)
        return f"{self.route}?{search_params(pairs)}"

    def headers(self, event: t.Any) -> dict[str, str]:
        headers = {"bypass-tunnel-reminder": "true", "content-type": "application/json"}
        if self.secret_key is not None:
            stamp = int(self.clock() * 1000)
            headers["novu-signature"] = novu_signature(self.secret_key, event, stamp)
        return headers

    # -- sending ---------------------------------------------------------------------

    def request(
        self,
        action: str,
        params: t.Sequence[tuple[str, t.Any]] = (),
        event: t.Any = None,
        *,
        retries: int = DEFAULT_RETRIES,
    ) -> tuple[int, t.Any]:
        """One call with Novu's retries; every attempt is kept in :attr:`attempts`."""
        method = "POST" if action in ("execute", "preview") else "GET"
        url = self.url(action, params)
        headers = self.headers(event)  # built once: retries re-send them
        body = json_stringify(event).encode("utf-8") if method == "POST" and event is not None else None
        attempt = 0
        while True:
            status, parsed = self.send(method, url, dict(headers), body)
            record = Attempt(url, dict(headers), body, status, parsed)
            self.attempts.append(record)
            attempt += 1
            if status not in RETRY_STATUSES or attempt > retries:
                return status, parsed
            record.delay_ms = 2**attempt * RETRY_BASE_MS

    def execute(
        self,
        workflow_id: str,
        step_id: str,
        *,
        job_id: str,
        payload: t.Any = None,
        controls: t.Any = None,
        state: t.Sequence[t.Any] = (),
        subscriber: t.Any = None,
    ) -> tuple[int, t.Any]:
        """The worker's ``execute`` of one job (the event's keys in its order)."""
        event = {
            "payload": payload if payload is not None else {},
            "controls": controls if controls is not None else {},
            "state": list(state),
            "subscriber": subscriber if subscriber is not None else {},
        }
        params = [("workflowId", workflow_id), ("stepId", step_id), ("jobId", job_id)]
        return self.request("execute", params, event)

    def preview(
        self,
        workflow_id: str,
        step_id: str,
        *,
        payload: t.Any = None,
        controls: t.Any = None,
        layout_id: str | None = None,
        skip_layout_rendering: bool = False,
    ) -> tuple[int, t.Any]:
        """The API's ``preview`` (retry limit 1)."""
        event = {
            "controls": controls or {},
            "payload": payload or {},
            "state": [],
            "subscriber": {},
            "context": {},
            "stepId": step_id,
            "workflowId": workflow_id,
            "action": "preview",
        }
        params = [
            ("workflowId", workflow_id),
            ("stepId", step_id),
            ("layoutId", layout_id),
            ("skipLayoutRendering", "true" if skip_layout_rendering else "false"),
        ]
        return self.request("preview", params, event, retries=1)

    def discover(self) -> tuple[int, t.Any]:
        """The sync's ``discover`` (retry limit 1)."""
        return self.request("discover", retries=1)

    def health_check(self) -> tuple[int, t.Any]:
        return self.request("health-check")
