"""Putting bridges into an app: :func:`serve`, :func:`register_bridge`
(the URL rules, the JSON 405 below the route, the CSRF exemption) and the
start-up check of the authentication settings.

.. versionadded:: 0.1
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import typing as t

from flask import Blueprint, Flask, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import MethodNotAllowed

from .constants import DEFAULT_ROUTE
from .errors import ConfigurationError, MethodNotAllowedError
from .responses import STATIC_HEADERS, handle_novu_error, install_error_handlers
from .settings import DEBUG_RELAXED_WARNING, debug_relaxes, resolve_secret_keys, resolve_strict, setting
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
    elif debug_relaxes(config, strict, keys):
        logger.warning(DEBUG_RELAXED_WARNING, where)
    elif not is_strict:
        logger.warning(
            "%s: NOVU_STRICT_AUTHENTICATION is off, the bridge accepts unsigned requests", where
        )


@dataclasses.dataclass
class BridgeMount:
    """A bridge view found on an app: its view function, the view instance
    serving it and the URL of its main rule."""

    endpoint: str
    view_func: t.Callable[..., t.Any]
    view: NovuBridgeView
    route: str


def bridge_views(app: Flask) -> list[BridgeMount]:
    """Every bridge view registered on ``app`` (on the app or its
    blueprints, by :func:`serve`, the extension or ``add_url_rule``), in
    registration order; ``route`` is the shortest URL rule of each view."""
    rules: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        rules.setdefault(rule.endpoint, []).append(rule.rule)
    found: list[BridgeMount] = []
    seen: set[int] = set()
    for endpoint, func in app.view_functions.items():
        view = getattr(func, "bridge_view", None)
        if not isinstance(view, NovuBridgeView) or id(view) in seen:
            continue
        seen.add(id(view))
        urls = sorted(rules.get(endpoint, [""]), key=len)
        found.append(BridgeMount(endpoint, func, view, urls[0].rstrip("/") or "/"))
    return found


def register_bridges(app: Flask) -> list[BridgeMount]:
    """Set up every bridge view mounted on ``app`` with ``add_url_rule``
    (as :func:`serve` and the extension do for theirs): the start-up check of
    its authentication settings (the open-bridge warning, strict mode without
    a key raises), the library's error handlers, the CSRF exemption, the
    rules :func:`serve` adds (a trailing slash, the compat route, JSON
    ``404`` below the route), the JSON ``405`` below it and the ``flask
    novu`` commands. Call it once,
    after mounting the views; calling it again does nothing more.

    Without it, a bridge mounted with ``add_url_rule`` still gets the error
    handlers and the start-up check at its first request.

    :returns: the bridges found.
    :raises ConfigurationError: a bridge requires signed requests but has
        no secret key.

    .. versionadded:: 0.1
    """
    mounts = bridge_views(app)
    setup_app(app)
    for mount in mounts:
        view = mount.view
        if app in view._ready:
            continue
        check_view_settings(app, view, mount.route)
        _add_missing_rules(app, mount)
        _json_405_below(app, mount.route)
        _exempt_from_csrf(app, mount.view_func)
        view._ready.add(app)
    return mounts


def _add_missing_rules(app: Flask, mount: BridgeMount) -> None:
    """The rules :func:`serve` adds (trailing slash, the compat route, the
    JSON 404 below the route) for a view mounted by hand, unless present."""
    if mount.route == "/":
        return
    present = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint == mount.endpoint}
    for rule in (
        f"{mount.route}/",
        f"{mount.route}/workflows/<workflow_id>/execute",
        f"{mount.route}/<path:subpath>",
    ):
        if rule not in present:
            app.add_url_rule(
                rule, endpoint=mount.endpoint, view_func=mount.view_func, methods=ALL_METHODS
            )


def setup_app(app: Flask) -> None:
    """Once per app: the library's error handlers and the ``flask novu`` commands."""
    if app.extensions.get(_STATE_KEY):
        return
    install_error_handlers(app)
    from .cli import novu_cli

    if "novu" not in app.cli.commands:
        app.cli.add_command(novu_cli)
    app.extensions[_STATE_KEY] = True


_STATE_KEY = "flask_novu.bridges"


def check_view_settings(app: Flask, view: NovuBridgeView, route: str) -> None:
    """:func:`check_auth_config` with the view's own options, and the app's
    ``NOVU_LIQUID_LIMITS``."""
    check_auth_config(
        app.config,
        secret_key=view.secret_key,
        strict=view.strict_authentication,
        where=f"Novu bridge at {route}",
    )
    apply_liquid_limits(app, view)


def apply_liquid_limits(app: Flask, view: NovuBridgeView) -> None:
    """Give the view's bridge the app's ``NOVU_LIQUID_LIMITS``, unless the
    bridge was built with limits of its own.

    :raises ConfigurationError: the setting is invalid.
    """
    limits = setting(app.config, "NOVU_LIQUID_LIMITS")
    if limits is not None and not view.bridge.limits_given:
        view.bridge.liquid_limits = limits


def first_use(app: Flask, view: NovuBridgeView) -> None:
    """The set-up of a view no registration call set up (a plain
    ``add_url_rule`` mount), done at its first request on ``app``.

    Invalid settings (strict authentication without a key) are logged at
    ERROR; the view then refuses every request with the SDK's ``401
    SigningKeyNotFoundError``.
    """
    if not app.extensions.get(_STATE_KEY):
        install_error_handlers(app, setup=False)
        app.extensions[_STATE_KEY] = True
    try:
        check_view_settings(app, view, request.path)
    except ConfigurationError as exc:
        logger.error("%s", exc.message)
    view._ready.add(app)


def register_bridge(
    app: Flask,
    view_func: t.Callable[..., t.Any],
    route: str,
) -> None:
    """Mount ``view_func`` on ``route``, the compat route and a JSON 404
    below it, with the JSON 405 below the route, the library's error
    handlers, the CSRF exemption and the ``flask novu`` commands."""
    route = _clean_route(route)
    _add_rules(app, view_func, route)
    setup_app(app)
    _json_405_below(app, route)
    _exempt_from_csrf(app, view_func)
    view = getattr(view_func, "bridge_view", None)
    if isinstance(view, NovuBridgeView):
        apply_liquid_limits(app, view)
        view._ready.add(app)


def _clean_route(route: str) -> str:
    route = "/" + route.strip("/") if route.strip("/") else ""
    if not route:
        raise ConfigurationError("the bridge route must not be the site root")
    return route


def _add_rules(target: Flask | Blueprint, view_func: t.Callable[..., t.Any], route: str) -> None:
    target.add_url_rule(route, view_func=view_func, methods=ALL_METHODS)
    # A bridge URL registered with a trailing slash reaches the bridge too
    # (not Flask's HTML 404).
    target.add_url_rule(f"{route}/", view_func=view_func, methods=ALL_METHODS)
    target.add_url_rule(
        f"{route}/workflows/<workflow_id>/execute", view_func=view_func, methods=ALL_METHODS
    )
    target.add_url_rule(f"{route}/<path:subpath>", view_func=view_func, methods=ALL_METHODS)
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
    app: Flask | Blueprint,
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
    name = endpoint or "novu_bridge" + route.replace("/", "_")
    if isinstance(app, Blueprint):
        return _serve_on_blueprint(app, route, list(workflows), name, view_class, options)
    check_auth_config(
        app.config,
        secret_key=options.get("secret_key"),
        strict=options.get("strict_authentication"),
        where=f"Novu bridge at {route}",
    )
    view_func = view_class.as_view(name, workflows=list(workflows), **options)
    register_bridge(app, view_func, route)
    return view_func


def _serve_on_blueprint(
    blueprint: Blueprint,
    route: str,
    workflows: list[Workflow],
    name: str,
    view_class: type[NovuBridgeView],
    options: dict[str, t.Any],
) -> t.Callable[..., t.Any]:
    """:func:`serve` on a blueprint: the rules now, the rest when the
    blueprint is registered on an app (its config is known then)."""
    route = _clean_route(route)
    view_func = view_class.as_view(name, workflows=workflows, **options)
    _add_rules(blueprint, view_func, route)
    install_error_handlers(blueprint)

    def on_register(state: BlueprintSetupState) -> None:
        app = t.cast(Flask, state.app)
        full_route = _clean_route((state.url_prefix or "").rstrip("/") + route)
        view = t.cast(NovuBridgeView, view_func.bridge_view)  # type: ignore[attr-defined]
        check_view_settings(app, view, full_route)
        setup_app(app)
        _json_405_below(app, full_route)
        _exempt_from_csrf(app, view_func)
        view._ready.add(app)

    blueprint.record_once(on_register)
    return view_func
