"""Bridge responses: the framework headers, the response class that sends
them without a copy, and the JSON rendering of errors.

.. versionadded:: 0.1
"""

from __future__ import annotations

import logging
import traceback
import typing as t

from flask import Blueprint, Flask, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import __version__
from ._logsafe import for_log
from ._werkzeug import raw_header_list
from .codec import NotJSONError, dumps
from .constants import FRAMEWORK_SERVER, FRAMEWORK_VERSION
from . import errors as _errors
from .errors import (
    _MISSING,
    InvalidRequestError,
    MethodNotAllowedError,
    NovuError,
    PayloadTooLargeError,
    RouteNotFoundError,
    ServerError,
)

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


def json_response(value: t.Any, status: int = 200) -> Response:
    """A JSON response carrying the framework headers (``value`` may be
    already encoded ``bytes``)."""
    body = value if isinstance(value, bytes) else dumps(value)
    response_class = bridge_response_class(current_app.response_class)
    response = response_class(body, status=status, mimetype="application/json")
    headers = response.headers
    # The constant headers were checked once at import: skip Werkzeug's
    # per-value validation when its list is reachable.
    raw = raw_header_list(headers)
    if raw is not None:
        raw.extend(_HEADER_LIST)
    else:  # pragma: no cover - other Werkzeug internals
        headers.extend(_HEADER_LIST)
    return response


def with_framework_headers(response: Response) -> Response:
    """``response`` with the framework headers (added unless present)."""
    # json_response() ends the header list with the framework headers.
    raw = raw_header_list(response.headers)
    if not (raw and raw[-1] is _HEADER_LIST[-1]) and (
        "Novu-Framework-Version" not in response.headers
    ):
        response.headers.update(STATIC_HEADERS)
    return response


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


def error_body(error: NovuError) -> dict[str, t.Any]:
    """The JSON body of an error.

    Failures of user code (5xx) never show a stack trace or a file path,
    unless the app runs in debug mode (then ``data.stack``, as the SDK).
    """
    if not isinstance(error, ServerError):
        return error.to_dict()
    if current_app.debug:
        cause = _cause(error)
        error.data = {"stack": _stack(cause) if cause is not None else str(error.cause)}
    else:
        error.data = _MISSING
    return error.to_dict()


def _cause(error: ServerError) -> BaseException | None:
    # The engine may describe the cause as text and chain the exception.
    return error.cause if isinstance(error.cause, BaseException) else error.__cause__


def log_server_error(error: ServerError, what: str = "bridge error") -> None:
    """Log a failure answered with a 5xx, once, at ERROR on the ``flask_novu``
    logger, with the traceback of its cause (the server's operator sees what
    the caller is not shown)."""
    if getattr(error, "_flask_novu_logged", False):
        return
    error._flask_novu_logged = True  # type: ignore[attr-defined]
    cause = _cause(error)
    # The message may quote request data: escaped, one failure one line (and
    # its traceback). A value that has no JSON form says which type it was.
    detail = cause.detail if isinstance(cause, NotJSONError) else None
    logger.error(
        "%s: %s%s",
        for_log(what, _LOGGED_MESSAGE_CHARS),
        for_log(error.message, _LOGGED_MESSAGE_CHARS),
        f" ({for_log(detail)})" if detail else "",
        exc_info=cause if cause is not None else error,
    )


#: How much of an error message a log line quotes.
_LOGGED_MESSAGE_CHARS = 2000


def _stack(cause: BaseException) -> str:
    return "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))


def from_http_exception(exc: HTTPException) -> NovuError:
    """The bridge error standing for a Werkzeug HTTP error."""
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


#: Where the view serving the current request is kept (bridge requests only).
VIEW_KEY = "flask_novu.view"


def handle_bridge_error(error: NovuError) -> t.Any:
    """The library's error handler, registered for each domain exception.

    It defers to a handler the app or a blueprint registered for a more
    general :class:`~flask_novu.errors.NovuError` class (Flask would
    otherwise always pick the library's more specific one); without one, it
    answers a bridge request with the view's
    :meth:`~flask_novu.NovuBridgeView.error_response`, and leaves any other
    request to Flask's ordinary handling (the error propagates: ``500``).
    """
    view = request.environ.get(VIEW_KEY)
    # In the app's own views, any handler of the app counts (one for
    # Exception too): the library's must not hide it.
    handler = _user_handler(error, bridge=view is not None)
    if handler is not None:
        return current_app.ensure_sync(handler)(error)
    if view is None:
        raise error
    return view.error_response(error)


handle_bridge_error.flask_novu_default = True  # type: ignore[attr-defined]


def _user_handler(error: NovuError, *, bridge: bool) -> t.Callable[..., t.Any] | None:
    """The handler Flask would pick for ``error`` if the library had none
    (blueprints first, then the app). For a bridge request only handlers of
    ``NovuError`` classes count: an app's catch-all ``Exception`` handler
    does not take over the bridge."""
    spec = current_app.error_handler_spec
    for name in (*request.blueprints, None):
        handlers = spec.get(name, {}).get(None)
        if not handlers:
            continue
        for cls in type(error).__mro__:
            if bridge and not issubclass(cls, NovuError):
                break
            handler = handlers.get(cls)
            if handler is not None and not getattr(handler, "flask_novu_default", False):
                return t.cast("t.Callable[..., t.Any]", handler)
    return None


def domain_errors() -> list[type[NovuError]]:
    """:class:`~flask_novu.errors.NovuError` and every domain exception of
    :mod:`flask_novu.errors`, base classes first."""
    found = [getattr(_errors, name) for name in _errors.__all__]
    classes = [cls for cls in found if issubclass(cls, NovuError)]
    return sorted(classes, key=lambda cls: len(cls.__mro__))


def install_error_handlers(scaffold: Flask | Blueprint, *, setup: bool = True) -> None:
    """Register :func:`handle_bridge_error` on ``scaffold`` (an app or a
    blueprint) for each domain exception, except the classes that already
    have a handler there (the app's own, registered earlier, stays).

    :param setup: register through ``register_error_handler`` (at set-up);
        ``False`` writes the handler map directly (on first use, when Flask
        no longer accepts set-up calls).
    """
    handlers = scaffold.error_handler_spec[None][None]
    for cls in domain_errors():
        if cls in handlers:
            continue
        if setup:
            scaffold.register_error_handler(cls, handle_bridge_error)
        else:
            handlers[cls] = handle_bridge_error
