"""The Flask side of the bridge: :class:`NovuBridgeView` and :func:`serve`.

The view translates HTTP requests into :class:`~flask_novu.engine.Bridge`
calls and their results (or errors) into JSON responses carrying the Novu
framework headers.

.. versionadded:: 0.1
"""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import math
import os
import time
import traceback
import typing as t

from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from werkzeug.exceptions import ClientDisconnected, HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response

from . import __version__
from .constants import (
    DEFAULT_ACTION,
    DEFAULT_MAX_CONTENT_LENGTH,
    DEFAULT_ROUTE,
    FRAMEWORK_SERVER,
    FRAMEWORK_VERSION,
    GET_ACTIONS,
    LEGACY_SIGNATURE_HEADER,
    POST_ACTIONS,
    SIGNATURE_HEADER,
)
from .engine import Bridge, Event, run_in_process
from .errors import (
    _MISSING,
    BridgeError,
    ConfigurationError,
    InvalidActionError,
    InvalidRequestError,
    MethodNotAllowedError,
    NovuError,
    PayloadTooLargeError,
    RouteNotFoundError,
    ServerError,
    SignatureError,
    WorkflowExecutionFailedError,
)
from .signature import verify_signature
from .wire import TRIGGER_EVENT, load, load_compat, load_event
from .workflows import Workflow

logger = logging.getLogger("flask_novu")

#: Headers of every bridge response, errors included.
STATIC_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Private-Network": "true",
    "Access-Control-Allow-Methods": "GET, POST",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "604800",
    "Novu-Framework-Version": FRAMEWORK_VERSION,
    "Novu-Framework-SDK": __version__,
    "Novu-Framework-Server": FRAMEWORK_SERVER,
    "User-Agent": f"novu-framework:v{__version__}",
}
_HEADER_LIST = list(STATIC_HEADERS.items())
#: Where the raw body of the current request is kept (read once).
_RAW_BODY_KEY = "flask_novu.raw_body"
ALL_METHODS = ["GET", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]


def _as_keys(value: t.Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8")
    if isinstance(value, str):
        return (value,)
    return tuple(v.decode("utf-8") if isinstance(v, (bytes, bytearray)) else str(v) for v in value if v)


def resolve_secret_keys(config: t.Mapping[str, t.Any], option: t.Any = None) -> tuple[str, ...]:
    """The accepted secret keys: the view option, else ``NOVU_SECRET_KEY`` in
    the app config, else the environment's ``NOVU_SECRET_KEY``, else
    ``NOVU_API_KEY``. A list means several keys (rotation)."""
    keys = _as_keys(option) or _as_keys(config.get("NOVU_SECRET_KEY"))
    if keys:
        return keys
    environ = os.environ
    return _as_keys(environ.get("NOVU_SECRET_KEY")) or _as_keys(environ.get("NOVU_API_KEY"))


def resolve_strict(config: t.Mapping[str, t.Any], option: t.Any, keys: tuple[str, ...]) -> bool:
    """Strict HMAC authentication: the option, else ``NOVU_STRICT_AUTHENTICATION``,
    else on exactly when a secret key is configured."""
    value = option if option is not None else config.get("NOVU_STRICT_AUTHENTICATION")
    if value is None:
        return bool(keys)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def check_auth_config(
    config: t.Mapping[str, t.Any], *, secret_key: t.Any = None, strict: t.Any = None, where: str
) -> None:
    """Registration-time check: fail closed, warn when open.

    :raises ConfigurationError: strict authentication is required but there
        is no secret key.
    """
    keys = resolve_secret_keys(config, secret_key)
    is_strict = resolve_strict(config, strict, keys)
    if is_strict and not keys:
        raise ConfigurationError(
            f"{where}: NOVU_STRICT_AUTHENTICATION is on but no secret key is configured; "
            "set NOVU_SECRET_KEY (app config or environment) or pass secret_key="
        )
    # Logged once per registration (not deduplicated process-wide: every app
    # of an app factory must say that it is open).
    if not keys:
        logger.warning(
            "%s: no NOVU_SECRET_KEY configured, the bridge accepts unsigned requests", where
        )
    elif not is_strict:
        logger.warning(
            "%s: NOVU_STRICT_AUTHENTICATION is off, the bridge accepts unsigned requests", where
        )


def _json_default(value: t.Any) -> t.Any:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def dumps(value: t.Any) -> bytes:
    """Compact JSON, as the official SDK sends it (``NaN`` and infinities,
    which JSON cannot carry, become ``null`` as in ``JSON.stringify``)."""
    try:
        text = _ENCODER.encode(value)
    except ValueError:
        text = _ENCODER.encode(_finite(value))
    return text.encode("utf-8")


def _finite(value: t.Any) -> t.Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _reject_constant(name: str) -> t.NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    # 1e999 parses as inf, which would be echoed back as the non-JSON Infinity.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


# Built once: ``json.dumps``/``json.loads`` with options build them per call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=_json_default, allow_nan=False
)


def bridge_response_class(base: type[Response]) -> type[Response]:
    """The app's response class, sending its headers without copying them.

    Werkzeug copies (and re-validates) every header of every response before
    sending it, to fix ``Location`` headers and lengths. A bridge response has
    neither a ``Location`` nor a missing ``Content-Length``, so its headers are
    sent as they are, unless a hook changed that (then Werkzeug's way applies).
    """
    found = _RESPONSE_CLASSES.get(base)
    if found is not None:
        return found

    class BridgeResponse(base):  # type: ignore[valid-type,misc]
        def get_wsgi_headers(self, environ: t.Any) -> t.Any:
            status = self.status_code
            if status >= 200 and status not in (204, 304) and _sendable_as_is(self.headers):
                return self.headers
            return super().get_wsgi_headers(environ)

    BridgeResponse.__name__ = BridgeResponse.__qualname__ = f"Bridge{base.__name__}"
    _RESPONSE_CLASSES[base] = BridgeResponse
    return BridgeResponse


_RESPONSE_CLASSES: dict[type[Response], type[Response]] = {}


def _sendable_as_is(headers: t.Any) -> bool:
    """Headers with a ``Content-Length`` and nothing Werkzeug would rewrite."""
    names = {key.lower() for key, _ in headers}
    return "content-length" in names and not names & {"location", "content-location"}


def _too_deep(value: t.Any, limit: int) -> bool:
    """Whether ``value`` nests arrays/objects more than ``limit`` levels (iteratively)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


class NovuBridgeView(MethodView):
    """The Novu Bridge endpoint as a class-based view::

        app.add_url_rule(
            "/api/novu",
            view_func=NovuBridgeView.as_view("novu", workflows=[welcome]),
            methods=ALL_METHODS,
        )

    ``get`` answers ``health-check``, ``discover`` and ``code``; ``post``
    answers ``execute``, ``preview`` and ``trigger``; ``options`` answers
    ``{}``. Any other method gets ``405``.

    :param workflows: the workflows to serve.
    :param bridge: an existing :class:`~flask_novu.engine.Bridge` instead.
    :param secret_key: the secret key, or a list of keys during a rotation;
        defaults to ``NOVU_SECRET_KEY`` (app config, then environment), then
        the environment's ``NOVU_API_KEY``.
    :param strict_authentication: require signed requests; defaults to
        ``NOVU_STRICT_AUTHENTICATION``, else on when a key is configured.
    :param max_content_length: the largest body accepted, in bytes; defaults
        to ``NOVU_MAX_CONTENT_LENGTH`` (32 MiB).
    :param api_client: the :class:`~flask_novu.api.NovuAPI` used by
        ``?action=trigger``; built from the app config when omitted.

    Subclass it to customise authentication: override :meth:`authenticate`.

    .. versionadded:: 0.1
    """

    init_every_request = False
    methods = ALL_METHODS
    #: Deepest nesting of arrays/objects accepted in a request body.
    max_json_depth = 128

    def __init__(
        self,
        workflows: t.Iterable[Workflow] | None = None,
        *,
        bridge: Bridge | None = None,
        secret_key: str | t.Sequence[str] | None = None,
        strict_authentication: bool | None = None,
        max_content_length: int | None = None,
        api_client: t.Any = None,
    ) -> None:
        if bridge is not None and workflows:
            raise ConfigurationError("pass either workflows= or bridge=, not both")
        self.bridge = bridge if bridge is not None else Bridge(workflows or ())
        self.secret_key = secret_key
        self.strict_authentication = strict_authentication
        self.max_content_length = max_content_length
        self.api_client = api_client

    # -- settings ----------------------------------------------------------------

    def secret_keys(self) -> tuple[str, ...]:
        """The secret keys accepted for this request."""
        return resolve_secret_keys(current_app.config, self.secret_key)

    def is_strict(self, keys: tuple[str, ...]) -> bool:
        return resolve_strict(current_app.config, self.strict_authentication, keys)

    def body_limit(self) -> int:
        if self.max_content_length is not None:
            return self.max_content_length
        limit = current_app.config.get("NOVU_MAX_CONTENT_LENGTH")
        return int(limit) if limit is not None else DEFAULT_MAX_CONTENT_LENGTH

    # -- request helpers ------------------------------------------------------------

    @property
    def action(self) -> str:
        """The ``action`` query parameter (``health-check`` when absent or empty)."""
        return request.args.get("action") or DEFAULT_ACTION

    def raw_body(self) -> bytes | None:
        """The raw request body of a POST (``None`` for other methods), read
        once and at most :meth:`body_limit` bytes.

        :raises PayloadTooLargeError: the body is larger than the limit.
        """
        req = request._get_current_object()  # type: ignore[attr-defined]
        if req.method != "POST":
            return None
        environ = req.environ
        if _RAW_BODY_KEY in environ:
            return t.cast(bytes, environ[_RAW_BODY_KEY])
        limit = self.body_limit()
        length = req.content_length
        if length is not None and "stream" not in req.__dict__:
            # Untouched body of known length: read it from the WSGI input
            # directly (Werkzeug's stream wrapper costs more than the read)
            # and leave a copy there, so later readers still get the body.
            flask_limit = req.max_content_length
            if length > limit or (flask_limit is not None and length > flask_limit):
                raise PayloadTooLargeError()
            data = environ["wsgi.input"].read(length) if length else b""
            if len(data) != length:
                raise ClientDisconnected()
            environ["wsgi.input"] = io.BytesIO(data)
        elif length is not None:  # the app read the body already (cached)
            if length > limit:
                raise PayloadTooLargeError()
            data = req.get_data(cache=True)
        else:  # chunked: read no more than the limit allows
            chunks, size = [], 0
            while size <= limit:
                chunk = request.stream.read(min(65536, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            if size > limit:
                raise PayloadTooLargeError()
            data = b"".join(chunks)
        environ[_RAW_BODY_KEY] = data
        return data

    def json_body(self) -> t.Any:
        """The parsed JSON body; ``{}`` when empty.

        :raises InvalidRequestError: not UTF-8, not JSON, or nested too deeply.
        """
        raw = self.raw_body()
        if not raw or not raw.strip():
            return {}
        try:
            value = _DECODER.decode(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidRequestError("The request body is not valid UTF-8.") from None
        except RecursionError:
            raise InvalidRequestError("The request body is nested too deeply.") from None
        except ValueError as exc:
            raise InvalidRequestError(f"The request body is not valid JSON: {exc}") from None
        limit = self.max_json_depth
        if raw.count(b"[") + raw.count(b"{") > limit and _too_deep(value, limit):
            # The engine (validation, Liquid, sanitising) recurses per level.
            raise InvalidRequestError("The request body is nested too deeply.")
        return value

    # -- authentication --------------------------------------------------------------

    def authenticate(self, action: str) -> None:
        """Authenticate the current request; raise to reject it.

        Called for every request before the body is parsed and before any
        workflow code runs. The default verifies the HMAC ``novu-signature``
        header when strict authentication is on, for every action but
        ``health-check``. Override it to add checks, calling ``super()``::

            class GuardedView(NovuBridgeView):
                def authenticate(self, action):
                    if request.remote_addr not in ALLOWED:
                        raise SignatureError("Forbidden")
                    super().authenticate(action)

        :raises SignatureError: the request is rejected (401).
        """
        if action == DEFAULT_ACTION and request.view_args in (None, {}):
            return
        keys = self.secret_keys()
        if not self.is_strict(keys):
            return
        header = request.headers.get(SIGNATURE_HEADER) or request.headers.get(
            LEGACY_SIGNATURE_HEADER
        )
        # The body is read only once the header passed its cheap checks.
        verify_signature(header, keys, self.raw_body)

    # -- dispatch --------------------------------------------------------------------

    def dispatch_request(self, **kwargs: t.Any) -> ResponseReturnValue:
        action = self.action
        started = time.perf_counter()
        try:
            self.authenticate(action)
            if "subpath" in kwargs:
                raise RouteNotFoundError()
            if "workflow_id" in kwargs:
                response = self.compat_execute(kwargs["workflow_id"])
            else:
                method = getattr(self, request.method.lower(), None)
                if request.method == "HEAD":
                    method = self.get
                if method is None:
                    raise MethodNotAllowedError()
                response = method()
        except SignatureError as exc:
            logger.warning(
                "bridge request rejected: %s",
                exc.reason,
                extra={"action": action, "outcome": "rejected", "remote_addr": request.remote_addr},
            )
            response = self.error_response(exc)
        except NovuError as exc:
            response = self.error_response(exc)
        except HTTPException as exc:
            response = self.error_response(_from_http_exception(exc))
        except Exception as exc:  # anything unexpected: JSON 500, logged
            logger.exception("unexpected error in the Novu bridge (action %s)", action)
            response = self.error_response(BridgeError(exc))
        # json_response() ends the header list with the framework headers.
        raw = getattr(response.headers, "_list", None)
        if not (raw and raw[-1] is _HEADER_LIST[-1]) and (
            "Novu-Framework-Version" not in response.headers
        ):
            response.headers.update(STATIC_HEADERS)
        if logger.isEnabledFor(logging.INFO):
            _log_request(action, response, started)
        return response

    def json_response(self, value: t.Any, status: int = 200) -> Response:
        """A JSON response carrying the framework headers."""
        body = value if isinstance(value, bytes) else dumps(value)
        response_class = bridge_response_class(current_app.response_class)
        response = response_class(body, status=status, mimetype="application/json")
        headers = response.headers
        # The constant headers were checked once at import: skip Werkzeug's
        # per-value validation when its list is reachable.
        raw = getattr(headers, "_list", None)
        if isinstance(raw, list):
            raw.extend(_HEADER_LIST)
        else:  # pragma: no cover - other Werkzeug internals
            headers.extend(_HEADER_LIST)
        return response

    def error_response(self, error: NovuError) -> Response:
        """The JSON response of an error.

        Failures of user code (5xx) never show a stack trace or a file path,
        unless the app runs in debug mode (then ``data.stack``, as the SDK).
        """
        if not isinstance(error, ServerError):
            return self.json_response(error.to_dict(), error.status_code)
        # The engine may describe the cause as text and chain the exception.
        cause = error.cause if isinstance(error.cause, BaseException) else error.__cause__
        if error.status_code != 502:
            logger.error("bridge error: %s", error.message, exc_info=cause)
        if current_app.debug:
            error.data = {"stack": _stack(cause) if cause is not None else str(error.cause)}
        else:
            error.data = _MISSING
        return self.json_response(error.to_dict(), error.status_code)

    # -- GET -------------------------------------------------------------------------

    def get(self) -> Response:
        """``health-check``, ``discover`` and ``code``."""
        action = self.action
        if action not in GET_ACTIONS:
            raise InvalidActionError(action, GET_ACTIONS)
        if action == "code":
            code = self.bridge.code(_query("workflowId", "workflow_id"), _query("stepId", "step_id"))
            return self.json_response(code)
        return self.json_response(self.bridge.serialized(action))

    # -- POST ------------------------------------------------------------------------

    def post(self) -> Response:
        """``execute``, ``preview`` and ``trigger``."""
        action = self.action
        if action not in POST_ACTIONS:
            raise InvalidActionError(action, POST_ACTIONS)
        workflow_id = _query("workflowId", "workflow_id")
        if action == "trigger":
            return self.trigger(workflow_id)
        if action == "agent-event":
            agent_id = request.args.get("agentId", "")
            return self.json_response({"error": f"Agent '{agent_id}' not registered"}, 404)
        # Absent controls are {} (the SDK rejects them; Novu always sends them).
        body = load_event(self.json_body())
        event = Event(
            action=action,
            workflow_id=workflow_id,
            step_id=_query("stepId", "step_id"),
            payload=body["payload"],
            controls=body["controls"],
            state=body["state"] or [],
            subscriber=body["subscriber"] or {},
            context=body["context"] or {},
            env=body["env"] or {},
            actor=body["actor"],
        )
        result = self.bridge.execute(event, async_to_sync=current_app.async_to_sync)
        return self.json_response(result)

    def trigger(self, workflow_id: str) -> Response:
        """``POST ?action=trigger``: forward the event to the Novu API.

        Sends ``name`` = ``workflowId`` and the body's keys in the SDK's order
        (``payload`` and ``overrides`` default to ``{}``), without payload
        validation, and answers with the API's JSON verbatim. Recorded, not
        sent, under :meth:`~flask_novu.Novu.record_triggers` or
        ``NOVU_SUPPRESS_SEND``.
        """
        from .api import client_for_app

        body = load(TRIGGER_EVENT, self.json_body(), "trigger event")
        client = self.api_client or client_for_app(current_app, secret_key=self.secret_key)
        return self.json_response(client.trigger_raw({"name": workflow_id, **body}))

    def options(self) -> Response:
        """CORS preflight: ``{}`` with the framework headers."""
        return self.json_response({})

    # -- the FastAPI-era route ---------------------------------------------------------

    def compat_execute(self, workflow_id: str) -> Response:
        """``POST <route>/workflows/<workflow_id>/execute``: run every step in process."""
        if request.method != "POST":
            raise MethodNotAllowedError("Method not allowed. Please use `POST`")
        workflow = self.bridge.get(workflow_id)
        body = load_compat(self.json_body())
        try:
            result = run_in_process(
                workflow,
                body["to"],
                body["payload"],
                body["metadata"],
                bridge=self.bridge,
                async_to_sync=current_app.async_to_sync,
            )
        except NovuError:
            raise
        except Exception as exc:
            logger.exception("workflow %r failed", workflow_id)
            raise WorkflowExecutionFailedError(workflow_id, exc) from exc
        return self.json_response(result)


def _log_request(action: str, response: Response, started: float) -> None:
    """One structured log line per bridge request."""
    status = response.status_code
    outcome = "success" if status < 400 else "rejected" if status in (401, 403) else "error"
    duration_ms = round((time.perf_counter() - started) * 1000, 3)
    workflow_id = _query("workflowId", "workflow_id") or (request.view_args or {}).get("workflow_id", "")
    step_id = _query("stepId", "step_id")
    logger.info(
        "bridge %s %s %s -> %s in %.1f ms",
        request.method,
        action,
        "/".join(filter(None, (workflow_id, step_id))) or "-",
        status,
        duration_ms,
        extra={
            "action": action,
            "workflowId": workflow_id,
            "stepId": step_id,
            "duration_ms": duration_ms,
            "outcome": outcome,
            "status": status,
        },
    )


def _stack(cause: BaseException) -> str:
    return "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))


def _query(*names: str) -> str:
    for name in names:
        value = request.args.get(name)
        if value is not None:
            return value
    return ""


def _from_http_exception(exc: HTTPException) -> NovuError:
    if exc.code == 413:
        return PayloadTooLargeError()
    if exc.code == 405:
        return MethodNotAllowedError()
    if exc.code == 404:
        return RouteNotFoundError()
    error = InvalidRequestError(exc.description or "Bad request")
    error.status_code = exc.code or 400
    return error


def handle_novu_error(error: NovuError) -> Response:
    """App-level error handler for :class:`~flask_novu.errors.NovuError`."""
    body = error.to_dict()
    if isinstance(error, ServerError):
        body.pop("data", None)
    response = current_app.response_class(dumps(body), status=error.status_code, mimetype="application/json")
    return response


def register_bridge(
    app: Flask,
    view_func: t.Callable[..., t.Any],
    route: str,
) -> None:
    """Mount ``view_func`` on ``route``, the compat route and a JSON 404 below it."""
    route = "/" + route.strip("/") if route.strip("/") else ""
    if not route:
        raise ConfigurationError("the bridge route must not be the site root")
    app.add_url_rule(route, view_func=view_func, methods=ALL_METHODS)
    # A bridge URL registered with a trailing slash reaches the bridge too
    # (not Flask's HTML 404).
    app.add_url_rule(f"{route}/", view_func=view_func, methods=ALL_METHODS)
    app.add_url_rule(
        f"{route}/workflows/<workflow_id>/execute", view_func=view_func, methods=ALL_METHODS
    )
    app.add_url_rule(f"{route}/<path:subpath>", view_func=view_func, methods=ALL_METHODS)
    app.register_error_handler(NovuError, handle_novu_error)
    _json_405_below(app, route)
    _exempt_from_csrf(app, view_func)


def _json_405_below(app: Flask, route: str) -> None:
    """Methods the routes do not list (``TRACE``, ``PROPFIND``...) get the
    bridge's JSON ``405`` below ``route``; elsewhere the app's own handling
    (an earlier 405 handler, or Flask's default) is kept."""
    previous = app.error_handler_spec[None][405].get(MethodNotAllowed)

    def handler(exc: MethodNotAllowed) -> t.Any:
        path = request.path
        if path == route or path.startswith(route + "/"):
            response = handle_novu_error(MethodNotAllowedError())
            response.headers.update(STATIC_HEADERS)
            return response
        return previous(exc) if previous is not None else exc

    app.register_error_handler(MethodNotAllowed, handler)


def _exempt_from_csrf(app: Flask, view_func: t.Callable[..., t.Any]) -> None:
    """Keep Flask-WTF's CSRFProtect off the bridge (it authenticates with
    HMAC), whether CSRFProtect is initialised before or after the bridge."""
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(view_func)
        return
    if importlib.util.find_spec("flask_wtf") is None:
        return  # no CSRFProtect can come later: no per-request hook
    def exempt_late() -> None:
        late = app.extensions.get("csrf")
        if late is not None:
            late.exempt(view_func)
        # From the first request on, Flask refuses new setup (CSRFProtect can
        # no longer be added): the hook's work is done, it leaves the list.
        # Rebinding (not mutating) keeps the list Flask iterates intact.
        hooks = app.before_request_funcs.get(None)
        if hooks is not None and exempt_late in hooks:
            app.before_request_funcs[None] = [hook for hook in hooks if hook is not exempt_late]

    # Registered before CSRFProtect's own hook, so it runs first.
    app.before_request(exempt_late)


def serve(
    app: Flask,
    route: str = DEFAULT_ROUTE,
    workflows: t.Iterable[Workflow] = (),
    *,
    endpoint: str | None = None,
    view_class: type[NovuBridgeView] = NovuBridgeView,
    **options: t.Any,
) -> t.Callable[..., t.Any]:
    """Serve ``workflows`` on ``route`` of ``app`` (as the earlier Python framework did).

    Registers :class:`NovuBridgeView` on ``route``, the FastAPI-era route
    ``POST <route>/workflows/<workflow_id>/execute`` and JSON 404s below the
    route. Misconfiguration (duplicate ids, a workflow failing discovery,
    strict authentication without a key) raises here.

    :param options: passed to :class:`NovuBridgeView`.
    :returns: the view function.

    .. versionadded:: 0.1
    """
    check_auth_config(
        app.config,
        secret_key=options.get("secret_key"),
        strict=options.get("strict_authentication"),
        where=f"Novu bridge at {route}",
    )
    name = endpoint or "novu_bridge" + route.replace("/", "_")
    view_func = view_class.as_view(name, workflows=list(workflows), **options)
    register_bridge(app, view_func, route)
    return view_func
