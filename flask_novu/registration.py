"""Putting bridges into an app: :func:`serve`, :func:`register_bridge`
(the URL rules, the JSON 405 below the route, the CSRF exemption) and the
start-up check of the authentication settings.

.. versionadded:: 0.1
"""

from __future__ import annotations

import importlib.util
import logging
import typing as t

from flask import Flask, request
from werkzeug.exceptions import MethodNotAllowed

from .constants import DEFAULT_ROUTE
from .errors import ConfigurationError, MethodNotAllowedError, NovuError
from .responses import STATIC_HEADERS, handle_novu_error
from .settings import resolve_secret_keys, resolve_strict
from .views import ALL_METHODS, NovuBridgeView
from .workflows import Workflow

logger = logging.getLogger("flask_novu")


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
