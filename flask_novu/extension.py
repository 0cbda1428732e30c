"""The :class:`Novu` Flask extension.

.. versionadded:: 0.1
"""

from __future__ import annotations

import os
import typing as t
import weakref

from flask import Flask, current_app, request

from .constants import DEFAULT_API_URL, DEFAULT_MAX_CONTENT_LENGTH, DEFAULT_ROUTE
from .engine import Bridge
from .views import NovuBridgeView, check_auth_config, register_bridge
from .workflows import Workflow, workflow

ENDPOINT = "novu_bridge"


class Novu:
    """Serve Novu workflows from a Flask app and talk to the Novu API::

        novu = Novu(workflows=[welcome])

        def create_app():
            app = Flask(__name__)
            app.config["NOVU_SECRET_KEY"] = "..."
            novu.init_app(app)
            return app

    :param app: the app, when not using an app factory.
    :param workflows: the workflows to serve; more can be added with
        :meth:`add_workflow` or :meth:`workflow` before :meth:`init_app`.
    :param view_class: the view to mount (a :class:`NovuBridgeView` subclass
        that customises authentication, for example).
    :param options: passed to the view (``secret_key``, ``strict_authentication``...).

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        app: Flask | None = None,
        workflows: t.Iterable[Workflow] | None = None,
        *,
        view_class: type[NovuBridgeView] = NovuBridgeView,
        **options: t.Any,
    ) -> None:
        self.workflows: list[Workflow] = list(workflows or [])
        self.view_class = view_class
        self.options = options
        self._bridges: weakref.WeakKeyDictionary[Flask, Bridge] = weakref.WeakKeyDictionary()
        if app is not None:
            self.init_app(app)

    # -- workflows -------------------------------------------------------------

    def add_workflow(self, item: Workflow) -> Workflow:
        """Serve one more workflow (in apps initialised after this call)."""
        if not isinstance(item, Workflow):
            raise TypeError(f"expected a workflow defined with @workflow, got {item!r}")
        self.workflows.append(item)
        return item

    def workflow(self, workflow_id: str, *args: t.Any, **kwargs: t.Any) -> t.Callable[[t.Callable[..., t.Any]], Workflow]:
        """Decorator: :func:`~flask_novu.workflow` plus :meth:`add_workflow`."""
        define = workflow(workflow_id, *args, **kwargs)

        def decorator(fn: t.Callable[..., t.Any]) -> Workflow:
            return self.add_workflow(define(fn))

        return decorator

    # -- registration ----------------------------------------------------------

    def init_app(self, app: Flask) -> None:
        """Register the bridge on ``app``.

        Sets the ``NOVU_*`` configuration defaults, mounts the bridge view
        on ``NOVU_ROUTE`` with the compat route, and exempts it from
        Flask-WTF's CSRF protection (the bridge authenticates with HMAC).

        :raises RuntimeError: the extension is already registered on ``app``.
        :raises ConfigurationError: duplicate workflow ids, a workflow that
            fails discovery, or strict authentication without a secret key.
        """
        if "novu" in app.extensions:
            raise RuntimeError(
                "A 'Novu' instance has already been registered on this Flask app. "
                "Import and use that instance instead."
            )
        config = app.config
        config.setdefault(
            "NOVU_SECRET_KEY",
            os.environ.get("NOVU_SECRET_KEY") or os.environ.get("NOVU_API_KEY"),
        )
        config.setdefault("NOVU_API_URL", os.environ.get("NOVU_API_URL") or DEFAULT_API_URL)
        config.setdefault("NOVU_STRICT_AUTHENTICATION", None)
        config.setdefault("NOVU_ROUTE", DEFAULT_ROUTE)
        config.setdefault("NOVU_BRIDGE_URL", os.environ.get("NOVU_BRIDGE_URL"))
        config.setdefault("NOVU_MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH)
        route = config["NOVU_ROUTE"]
        check_auth_config(
            config,
            secret_key=self.options.get("secret_key"),
            strict=self.options.get("strict_authentication"),
            where=f"Novu bridge at {route}",
        )
        bridge = Bridge(self.workflows)
        view_func = self.view_class.as_view(ENDPOINT, bridge=bridge, **self.options)
        register_bridge(app, view_func, route)
        self._bridges[app] = bridge
        app.extensions["novu"] = self

        def exempt_from_csrf() -> None:
            csrf = app.extensions.get("csrf")
            if csrf is not None and request.endpoint == ENDPOINT:
                csrf.exempt(view_func)

        csrf = app.extensions.get("csrf")
        if csrf is not None:
            csrf.exempt(view_func)
        app.before_request(exempt_from_csrf)

    def get_bridge(self, app: Flask | None = None) -> Bridge:
        """The :class:`~flask_novu.engine.Bridge` serving ``app`` (default: the current app)."""
        app = app or t.cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
        try:
            return self._bridges[app]
        except KeyError:
            raise RuntimeError("Novu.init_app() was not called on this app") from None
