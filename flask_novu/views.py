"""The Flask side of the bridge: :class:`NovuBridgeView`.

The view translates HTTP requests into :class:`~flask_novu.engine.Bridge`
calls and their results (or errors) into JSON responses carrying the Novu
framework headers.

.. versionadded:: 0.1
"""

from __future__ import annotations

import io
import logging
import time
import typing as t
import weakref

from flask import Flask, after_this_request, current_app, request
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from werkzeug.exceptions import ClientDisconnected, HTTPException
from werkzeug.wrappers import Response

from ._logsafe import for_log
from ._werkzeug import stream_untouched
from .codec import MAX_JSON_DEPTH, NotJSONError, loads_body
from .constants import (
    DEFAULT_ACTION,
    GET_ACTIONS,
    LEGACY_SIGNATURE_HEADER,
    POST_ACTIONS,
    SIGNATURE_HEADER,
)
from .engine import Bridge, Event, run_in_process
from .execution import execution_from_query
from .errors import (
    BridgeError,
    ConfigurationError,
    InvalidActionError,
    MethodNotAllowedError,
    NovuError,
    PayloadTooLargeError,
    RouteNotFoundError,
    ServerError,
    SignatureError,
    WorkflowExecutionFailedError,
)
from .responses import (
    VIEW_KEY,
    error_body,
    from_http_exception,
    json_response,
    log_server_error,
    with_framework_headers,
)
from .settings import (
    DEBUG_RELAXED_WARNING,
    debug_relaxes,
    resolve_secret_keys,
    resolve_strict,
    setting,
)
from .signature import verify_signature
from .wire import TRIGGER_EVENT, load, load_compat, load_event
from .workflows import Workflow

logger = logging.getLogger("flask_novu")

#: Where the raw body of the current request is kept (read once).
_RAW_BODY_KEY = "flask_novu.raw_body"
#: The methods a bridge's URL rules accept (others get a JSON ``405``).
ALL_METHODS = ["GET", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]


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
    max_json_depth = MAX_JSON_DEPTH

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
        #: The apps this view was set up for (error handlers, start-up checks).
        self._ready: weakref.WeakSet[Flask] = weakref.WeakSet()

    # -- settings ----------------------------------------------------------------

    def secret_keys(self) -> tuple[str, ...]:
        """The secret keys accepted for this request."""
        return resolve_secret_keys(current_app.config, self.secret_key)

    def is_strict(self, keys: tuple[str, ...]) -> bool:
        return resolve_strict(current_app.config, self.strict_authentication, keys)

    def body_limit(self) -> int:
        return int(setting(current_app.config, "NOVU_MAX_CONTENT_LENGTH", self.max_content_length))

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
        if length is not None and stream_untouched(req):
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
        return loads_body(self.raw_body(), self.max_json_depth)

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
            if keys and not self._debug_warned:
                self._warn_if_debug_relaxes(keys)
            return
        header = request.headers.get(SIGNATURE_HEADER) or request.headers.get(
            LEGACY_SIGNATURE_HEADER
        )
        # The body is read only once the header passed its cheap checks.
        verify_signature(header, keys, self.raw_body)

    #: Whether the debug-mode warning was logged (once per view).
    _debug_warned = False

    def _warn_if_debug_relaxes(self, keys: tuple[str, ...]) -> None:
        if debug_relaxes(current_app.config, self.strict_authentication, keys):
            self._debug_warned = True
            logger.warning(DEBUG_RELAXED_WARNING, f"Novu bridge at {request.path}")

    # -- dispatch --------------------------------------------------------------------

    @classmethod
    def as_view(
        cls, name: str, *class_args: t.Any, **class_kwargs: t.Any
    ) -> t.Callable[..., ResponseReturnValue]:
        """The view function, as :meth:`flask.views.View.as_view` makes it,
        with the view instance serving it as its ``bridge_view`` attribute
        (how the ``flask novu`` commands and :func:`~flask_novu.register_bridges`
        find every bridge of an app, whatever mounted it)."""
        instance = cls(*class_args, **class_kwargs)
        view: t.Any
        if cls.init_every_request:
            view = super().as_view(name, *class_args, **class_kwargs)
        else:

            def view(**kwargs: t.Any) -> ResponseReturnValue:
                return current_app.ensure_sync(instance.dispatch_request)(**kwargs)  # type: ignore[no-any-return]

            if cls.decorators:
                view.__name__ = name
                view.__module__ = cls.__module__
                for decorator in cls.decorators:
                    view = decorator(view)
            view.view_class = cls
            view.__name__ = name
            view.__doc__ = cls.__doc__
            view.__module__ = cls.__module__
            view.methods = cls.methods
            view.provide_automatic_options = cls.provide_automatic_options
        view.bridge_view = instance
        return t.cast("t.Callable[..., ResponseReturnValue]", view)

    def dispatch_request(self, **kwargs: t.Any) -> ResponseReturnValue:
        """Answer a bridge request; errors are raised for Flask's error
        handlers (the library's render them with :meth:`error_response`)."""
        action = self.action
        started = time.perf_counter()
        request.environ[VIEW_KEY] = self
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app not in self._ready:
            from .registration import first_use

            first_use(app, self)
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
                extra={"action": for_log(action), "outcome": "rejected", "remote_addr": request.remote_addr},
            )
            self._after_error(action, started)
            raise
        except ServerError as exc:
            log_server_error(exc)
            self._after_error(action, started)
            raise
        except NovuError:
            self._after_error(action, started)
            raise
        except HTTPException as exc:
            self._after_error(action, started)
            raise from_http_exception(exc) from None
        except (SystemExit, KeyboardInterrupt):
            raise  # the server is shutting down
        except BaseException as exc:  # anything else, CancelledError included: JSON 500, logged
            error = _unexpected(exc)
            log_server_error(error, f"unexpected error in the Novu bridge (action {action})")
            self._after_error(action, started)
            raise error from exc
        with_framework_headers(response)
        if logger.isEnabledFor(logging.INFO):
            _log_request(action, response, started)
        return response

    def _after_error(self, action: str, started: float) -> None:
        """The response of an error (the library's or the app's handler)
        gets the framework headers and the request's log line."""

        def finish(response: Response) -> Response:
            with_framework_headers(response)
            if logger.isEnabledFor(logging.INFO):
                _log_request(action, response, started)
            return response

        after_this_request(finish)

    def json_response(self, value: t.Any, status: int = 200) -> Response:
        """A JSON response carrying the framework headers."""
        return json_response(value, status)

    def error_response(self, error: NovuError) -> Response:
        """The JSON response of an error.

        Failures of user code (5xx) never show a stack trace or a file path,
        unless the app runs in debug mode (then ``data.stack``, as the SDK).
        """
        return self.json_response(error_body(error), error.status_code)

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
        step_id = _query("stepId", "step_id")
        event = Event(
            action=action,
            workflow_id=workflow_id,
            step_id=step_id,
            payload=body["payload"],
            controls=body["controls"],
            state=body["state"] or [],
            subscriber=body["subscriber"] or {},
            context=body["context"] or {},
            env=body["env"] or {},
            actor=body["actor"],
            execution=execution_from_query(action, workflow_id, step_id, request.args),
            absent=tuple(name for name in ("subscriber", "context") if body[name] is None),
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
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:  # CancelledError too
            raise WorkflowExecutionFailedError(workflow_id, exc) from exc
        return self.json_response(result)


def _log_request(action: str, response: Response, started: float) -> None:
    """One structured log line per bridge request."""
    status = response.status_code
    outcome = "success" if status < 400 else "rejected" if status in (401, 403) else "error"
    duration_ms = round((time.perf_counter() - started) * 1000, 3)
    workflow_id = _query("workflowId", "workflow_id") or (request.view_args or {}).get("workflow_id", "")
    step_id = _query("stepId", "step_id")
    # Everything from the request is escaped: one request, one log line.
    action, workflow_id, step_id = for_log(action), for_log(workflow_id), for_log(step_id)
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


def _unexpected(exc: BaseException) -> BridgeError:
    """A 500 for an exception no handler expected, with a message fit for the
    caller (the exception itself is logged, as the cause)."""
    if isinstance(exc, NotJSONError):
        return BridgeError(exc)
    error = BridgeError("an unexpected error occurred in the bridge")
    error.cause = exc
    return error


def _query(*names: str) -> str:
    for name in names:
        value = request.args.get(name)
        if value is not None:
            return value
    return ""
