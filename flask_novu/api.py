"""A small client of the Novu REST API: trigger, cancel and bridge sync.

It sends what the official ``@novu/framework`` SDK sends (same URLs, headers
and JSON key order) with the standard library only, retrying transient
failures with exponential backoff::

    api = NovuAPI("nv-secret")
    api.trigger("welcome", to="user-1", payload={"name": "Ada"})

When an *outbox* is given, :meth:`NovuAPI.trigger_raw` and
:meth:`NovuAPI.cancel` append an :class:`OutboxRecord` to it instead of
calling the API (see :meth:`flask_novu.Novu.record_triggers`).

.. versionadded:: 0.1
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import random
import socket
import sys
import time
import typing as t
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from . import __version__
from ._logsafe import for_log
from .constants import DEFAULT_API_REQUEST_DEADLINE, DEFAULT_API_URL
from .errors import MissingSecretKeyError, NovuAPIError
from .settings import setting

logger = logging.getLogger("flask_novu")

#: Keys of a trigger request, in the order the official SDK serialises them.
TRIGGER_KEYS = (
    "name",
    "to",
    "payload",
    "transactionId",
    "overrides",
    "actor",
    "context",
    "agentId",
    "bridgeUrl",
    "controls",
)
#: Statuses worth another attempt.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504}) | frozenset(range(505, 600))
#: The longest ``Retry-After`` honoured, in seconds.
MAX_RETRY_AFTER = 60.0

__all__ = ["TRIGGER_KEYS", "NovuAPI", "Outbox", "OutboxRecord", "client_for_app", "order_trigger_body"]


@dataclass(frozen=True)
class OutboxRecord:
    """A request that was recorded instead of sent.

    :param action: ``"trigger"`` or ``"cancel"``.
    :param method: the HTTP method it would have used.
    :param url: the URL it would have called.
    :param body: the JSON body (``None`` for ``cancel``).

    .. versionadded:: 0.1
    """

    action: str
    method: str
    url: str
    body: dict[str, t.Any] | None = None
    transaction_id: str | None = None
    recorded_at: float = field(default_factory=time.time)

    @property
    def workflow_id(self) -> str | None:
        """The ``name`` of a trigger."""
        return None if self.body is None else self.body.get("name")

    @property
    def to(self) -> t.Any:
        """The recipients of a trigger."""
        return None if self.body is None else self.body.get("to")

    @property
    def payload(self) -> t.Any:
        """The payload of a trigger."""
        return None if self.body is None else self.body.get("payload")


class Outbox(t.Protocol):
    """Anything records can be appended to (a ``list`` will do)."""

    def append(self, record: OutboxRecord, /) -> None:  # pragma: no cover - protocol
        ...


def _first_key(value: t.Any) -> str | None:
    if not value:
        return None
    if isinstance(value, str):
        return value
    for item in value:
        if item:
            return str(item)
    return None


def order_trigger_body(body: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """``body`` with the SDK's key order; ``None`` values are dropped and
    unknown keys kept after the known ones.

    .. versionadded:: 0.1
    """
    ordered = {key: body[key] for key in TRIGGER_KEYS if body.get(key) is not None}
    for key, value in body.items():
        if key not in ordered and value is not None:
            ordered[key] = value
    return ordered


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _error_message(status: int, reason: str, parsed: t.Any) -> tuple[str, str | None]:
    """The message and code of a Novu error body ``{statusCode, error, message}``."""
    message: t.Any = None
    code: str | None = None
    if isinstance(parsed, dict):
        message = parsed.get("message")
        error = parsed.get("error")
        code = error if isinstance(error, str) and error else None
    if isinstance(message, list):
        message = "; ".join(str(m) for m in message)
    if not message:
        message = f"The Novu API answered {status} {reason}".rstrip()
    return str(message), code


class NovuAPI:
    """Client of the Novu API endpoints the framework uses.

    :param secret_key: the Novu secret key (``Authorization: ApiKey <key>``);
        only checked when a request is sent.
    :param api_url: the API base URL (``https://eu.api.novu.co`` in the EU).
    :param timeout: seconds per attempt.
    :param retries: further attempts after a transient failure (``408``,
        ``429``, ``5xx``, a refused connection); timeouts of requests that
        are not idempotent (a trigger without ``transactionId``) are not
        retried, so a notification is never sent twice.
    :param backoff: base delay in seconds: ``backoff * 2**attempt`` plus up
        to ``backoff`` of jitter; a ``Retry-After`` header wins.
    :param request_deadline: seconds a call made while a Flask request is
        being handled may take in all, attempts, back-off and ``Retry-After``
        waits included (``None``: no deadline). A wait that would end past
        it is not made: the call fails with the last answer at once, so a
        worker is never held for minutes. Calls outside requests (the CLI,
        background jobs) retry without a deadline.
    :param user_agent: the ``User-Agent`` header.
    :param outbox: when given, triggers and cancels are appended to it as
        :class:`OutboxRecord` and nothing is sent.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        secret_key: str | None,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        user_agent: str = f"flask-novu/{__version__}",
        outbox: Outbox | None = None,
        request_deadline: float | None = DEFAULT_API_REQUEST_DEADLINE,
    ) -> None:
        self.secret_key = secret_key
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.user_agent = user_agent
        self.outbox = outbox
        self.request_deadline = None if request_deadline is None else max(0.0, float(request_deadline))

    @classmethod
    def from_config(
        cls, config: t.Mapping[str, t.Any], *, outbox: Outbox | None = None, **options: t.Any
    ) -> NovuAPI:
        """A client configured from a Flask config.

        Reads ``NOVU_SECRET_KEY`` (the first one when it is a list of keys),
        ``NOVU_API_URL``, and the optional ``NOVU_API_TIMEOUT``,
        ``NOVU_API_RETRIES`` and ``NOVU_API_REQUEST_DEADLINE``; the
        environment's ``NOVU_SECRET_KEY``,
        ``NOVU_API_KEY`` and ``NOVU_API_URL`` fill what the config lacks.
        """
        key = _first_key(setting(config, "NOVU_SECRET_KEY"))
        api_url = setting(config, "NOVU_API_URL")
        options.setdefault("timeout", setting(config, "NOVU_API_TIMEOUT"))
        options.setdefault("retries", setting(config, "NOVU_API_RETRIES"))
        options.setdefault("request_deadline", setting(config, "NOVU_API_REQUEST_DEADLINE"))
        return cls(key, api_url, outbox=outbox, **options)

    def __repr__(self) -> str:
        return f"<NovuAPI {self.api_url}>"

    # -- endpoints ---------------------------------------------------------------

    def trigger_raw(self, body: t.Mapping[str, t.Any]) -> t.Any:
        """``POST /v1/events/trigger`` with ``body`` (its keys put in the SDK's
        order, ``None`` values dropped).

        :returns: the API's parsed JSON response.
        :raises MissingSecretKeyError: no secret key.
        :raises NovuAPIError: the API refused the event or could not be reached.
        """
        ordered = order_trigger_body(body)
        transaction_id = ordered.get("transactionId")
        if self.outbox is not None:
            record = OutboxRecord(
                "trigger", "POST", self._url("/v1/events/trigger"), ordered, transaction_id
            )
            return self._record(record, workflow_id=ordered.get("name"))
        return self._request(
            "POST",
            "/v1/events/trigger",
            ordered,
            action="trigger",
            idempotent=bool(transaction_id),
            workflow_id=ordered.get("name"),
        )

    def trigger(
        self,
        workflow_id: str,
        to: t.Any,
        payload: t.Mapping[str, t.Any] | None = None,
        *,
        transaction_id: str | None = None,
        overrides: t.Mapping[str, t.Any] | None = None,
        actor: t.Any = None,
        context: t.Mapping[str, t.Any] | None = None,
        bridge_url: str | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
    ) -> t.Any:
        """Trigger ``workflow_id`` for ``to`` (a subscriber id, a subscriber
        object, a topic or a list of them).

        Empty strings and ``None`` are left out of the request, as the SDK does.

        :returns: the API's parsed JSON response.
        """
        body: dict[str, t.Any] = {
            "name": workflow_id,
            "to": to,
            "payload": dict(payload) if payload is not None else None,
            "transactionId": transaction_id or None,
            "overrides": overrides,
            "actor": actor or None,
            "context": context,
            "bridgeUrl": bridge_url or None,
            "controls": controls,
        }
        return self.trigger_raw(body)

    def cancel(self, transaction_id: str) -> t.Any:
        """``DELETE /v1/events/trigger/<transaction_id>``: cancel a triggered
        event (pending delays and digests).

        :returns: the API's parsed JSON response.
        """
        if not transaction_id:
            raise ValueError("cancel() needs a transaction id")
        path = "/v1/events/trigger/" + urllib.parse.quote(str(transaction_id), safe="")
        if self.outbox is not None:
            return self._record(
                OutboxRecord("cancel", "DELETE", self._url(path), None, str(transaction_id))
            )
        return self._request("DELETE", path, None, action="cancel", idempotent=True)

    def sync(self, bridge_url: str) -> t.Any:
        """``POST /v1/bridge/sync``: make Novu discover the bridge at ``bridge_url``.

        :returns: the API's parsed JSON response.
        """
        if not bridge_url:
            raise ValueError("sync() needs the public URL of the bridge")
        return self._request(
            "POST", "/v1/bridge/sync", {"bridgeUrl": bridge_url}, action="sync", idempotent=True
        )

    # -- transport ---------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.api_url + path

    def _record(self, record: OutboxRecord, workflow_id: str | None = None) -> dict[str, t.Any]:
        self.outbox.append(record)  # type: ignore[union-attr]
        logger.info(
            "novu api %s recorded, not sent",
            record.action,
            extra={"action": record.action, "workflowId": workflow_id, "outcome": "recorded"},
        )
        transaction_id = record.transaction_id or uuid.uuid4().hex
        return {"data": {"acknowledged": True, "status": "recorded", "transactionId": transaction_id}}

    def _headers(self) -> dict[str, str]:
        if not self.secret_key:
            raise MissingSecretKeyError()
        return {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"ApiKey {self.secret_key}",
            "User-Agent": self.user_agent,
        }

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return float(self.backoff * (2**attempt) + random.uniform(0, self.backoff))

    def _request(
        self,
        method: str,
        path: str,
        body: t.Any,
        *,
        action: str,
        idempotent: bool,
        workflow_id: str | None = None,
    ) -> t.Any:
        headers = self._headers()
        url = self._url(path)
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        started = time.perf_counter()
        deadline = self._deadline()
        attempt = 0
        while True:
            retry_after: float | None = None
            timeout = self.timeout if deadline is None else min(self.timeout, deadline - time.monotonic())
            try:
                if timeout <= 0:
                    raise _Unreachable("the request deadline passed", before_sending=True)
                status, response_headers, raw = self._send(method, url, data, headers, timeout, deadline)
            except _Unreachable as exc:
                retryable = exc.before_sending or idempotent
                delay = self._delay(attempt, None)
                if not retryable or attempt >= self.retries or _past(deadline, delay):
                    reason = f"{url}: {exc.reason}"
                    self._log(action, workflow_id, started, "unreachable", attempt, None, reason)
                    raise NovuAPIError(
                        f"Could not reach the Novu API ({exc.kind}).", status_code=502, reason=reason
                    ) from None
            else:
                retry_after = _retry_after(response_headers.get("Retry-After"))
                delay = self._delay(attempt, retry_after)
                if status not in RETRY_STATUSES or attempt >= self.retries or _past(deadline, delay):
                    return self._result(status, response_headers, raw, action, workflow_id, started, attempt)
            time.sleep(delay)
            attempt += 1

    def _deadline(self) -> float | None:
        """When a call must end (``time.monotonic()``): only inside a request."""
        if self.request_deadline is None:
            return None
        flask = sys.modules.get("flask")
        if flask is None or not flask.has_request_context():
            return None
        return time.monotonic() + self.request_deadline

    def _send(
        self,
        method: str,
        url: str,
        data: bytes | None,
        headers: dict[str, str],
        timeout: float | None = None,
        deadline: float | None = None,
    ) -> tuple[int, t.Any, bytes]:
        timeout = self.timeout if timeout is None else timeout
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers, _read(response, deadline)
        except urllib.error.HTTPError as exc:
            try:
                raw = _read(exc, deadline)
            except (TimeoutError, socket.timeout) as error:  # noqa: UP041
                raise _Unreachable(str(error), before_sending=False, kind="timed out") from error
            except (OSError, http.client.HTTPException) as error:
                raise _Unreachable(str(error) or type(error).__name__, before_sending=False) from error
            finally:
                exc.close()
            return exc.code, exc.headers, raw
        except urllib.error.URLError as exc:
            reason = exc.reason
            before = isinstance(reason, (ConnectionRefusedError, socket.gaierror))
            kind = "name resolution failed" if isinstance(reason, socket.gaierror) else (
                "connection refused" if isinstance(reason, ConnectionRefusedError)
                else "timed out" if isinstance(reason, (TimeoutError, socket.timeout))  # noqa: UP041
                else "connection failed"
            )
            raise _Unreachable(str(reason), before_sending=before, kind=kind) from None
        except (TimeoutError, socket.timeout) as exc:  # noqa: UP041 - distinct on Python 3.9
            raise _Unreachable(f"timed out after {timeout:.3g}s", before_sending=False, kind="timed out") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise _Unreachable(str(exc) or type(exc).__name__, before_sending=False) from exc

    def _result(
        self,
        status: int,
        headers: t.Mapping[str, str],
        raw: bytes,
        action: str,
        workflow_id: str | None,
        started: float,
        attempt: int,
    ) -> t.Any:
        parsed: t.Any = None
        text = raw.decode("utf-8", errors="replace") if raw else ""
        if text.strip():
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text
        if 200 <= status < 300:
            self._log(action, workflow_id, started, "success", attempt, status)
            return parsed
        reason = http.client.responses.get(status, "")
        message, code = _error_message(status, reason, parsed)
        self._log(action, workflow_id, started, "error", attempt, status)
        raise NovuAPIError(message, status_code=status, code=code, data={"message": message})

    def _log(
        self,
        action: str,
        workflow_id: str | None,
        started: float,
        outcome: str,
        retries: int,
        status: int | None,
        reason: str | None = None,
    ) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        level = logging.INFO if outcome == "success" else logging.WARNING
        logger.log(
            level,
            "novu api %s: %s (status %s, %d retries, %.1f ms)%s",
            action,
            outcome,
            status,
            retries,
            duration_ms,
            f": {for_log(reason)}" if reason else "",
            extra={
                "action": action,
                "workflowId": None if workflow_id is None else for_log(workflow_id),
                "duration_ms": duration_ms,
                "outcome": outcome,
                "status_code": status,
                "retries": retries,
            },
        )


class _Unreachable(Exception):
    def __init__(self, reason: str, *, before_sending: bool, kind: str = "connection failed") -> None:
        super().__init__(reason)
        self.reason = reason
        self.before_sending = before_sending
        #: What the caller is told (no host, no errno).
        self.kind = kind


def _past(deadline: float | None, delay: float) -> bool:
    """Whether waiting ``delay`` seconds (and trying again) would end past ``deadline``."""
    return deadline is not None and time.monotonic() + delay >= deadline


def _read(response: t.Any, deadline: float | None) -> bytes:
    """The body of ``response``; within ``deadline`` when one is set (each
    read is also bounded by the connection's timeout)."""
    if deadline is None:
        return t.cast(bytes, response.read())
    chunks: list[bytes] = []
    while True:
        if time.monotonic() >= deadline:
            raise TimeoutError("the request deadline passed while reading the answer")
        chunk = response.read(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def client_for_app(app: t.Any, *, secret_key: t.Any = None) -> NovuAPI:
    """The API client for ``app``: the :class:`~flask_novu.Novu` extension's
    (which honours ``NOVU_SUPPRESS_SEND`` and recording) when it is
    registered, else one built from ``app.config``.

    :param secret_key: a key (or list of keys) overriding ``NOVU_SECRET_KEY``.

    .. versionadded:: 0.1
    """
    extension = app.extensions.get("novu")
    if extension is not None and hasattr(extension, "api"):
        return t.cast(NovuAPI, extension.api(app))
    config: t.Mapping[str, t.Any] = app.config
    if _first_key(secret_key):
        config = {**app.config, "NOVU_SECRET_KEY": secret_key}
    return NovuAPI.from_config(config)
