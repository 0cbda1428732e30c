"""The :class:`Novu` Flask extension.

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
import threading
import typing as t
import weakref

from flask import Blueprint, Flask, current_app

from .api import NovuAPI, OutboxRecord
from .engine import Bridge
from .registration import check_auth_config, register_bridge
from .settings import apply_defaults, setting
from .views import NovuBridgeView
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
    :param options: passed to the view (``secret_key``, ``strict_authentication``,
        ``api_client``...).

    Configuration (read from the app): ``NOVU_SECRET_KEY``, ``NOVU_API_URL``,
    ``NOVU_STRICT_AUTHENTICATION``, ``NOVU_ROUTE``, ``NOVU_BRIDGE_URL``,
    ``NOVU_MAX_CONTENT_LENGTH`` and ``NOVU_SUPPRESS_SEND`` (record triggers
    instead of sending them; defaults to ``app.testing``).

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
        self._outboxes: list[list[OutboxRecord]] = []
        self._outboxes_lock = threading.Lock()
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
        Flask-WTF's CSRF protection (the bridge authenticates with HMAC),
        and adds the ``flask novu`` commands to ``app.cli``.

        :raises RuntimeError: the extension is already registered on ``app``.
        :raises ConfigurationError: duplicate workflow ids, a workflow that
            fails discovery, or strict authentication without a secret key.
        """
        if isinstance(app, Blueprint):
            raise TypeError(
                "Novu.init_app() takes the Flask app, not a blueprint: call "
                "novu.init_app(app), or mount the bridge on the blueprint with "
                "flask_novu.serve(blueprint, route, workflows) (see 'Mounting the bridge')"
            )
        if "novu" in app.extensions:
            raise RuntimeError(
                "A 'Novu' instance has already been registered on this Flask app. "
                "Import and use that instance instead."
            )
        config = app.config
        apply_defaults(app)
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
        from .cli import novu_cli

        if "novu" not in app.cli.commands:
            app.cli.add_command(novu_cli)

    def get_bridge(self, app: Flask | None = None) -> Bridge:
        """The :class:`~flask_novu.engine.Bridge` serving ``app`` (default: the current app)."""
        app = app or t.cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
        try:
            return self._bridges[app]
        except KeyError:
            raise RuntimeError("Novu.init_app() was not called on this app") from None

    # -- the Novu API ------------------------------------------------------------

    def api(self, app: Flask | None = None) -> NovuAPI:
        """The :class:`~flask_novu.api.NovuAPI` client for ``app`` (default:
        the current app), configured from its config.

        It records instead of sending while :meth:`record_triggers` is active
        or when ``NOVU_SUPPRESS_SEND`` is true. An ``api_client=`` passed to
        the constructor is returned as is.

        .. versionadded:: 0.1
        """
        client = self.options.get("api_client")
        if client is not None:
            return t.cast(NovuAPI, client)
        app = app or t.cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
        config = dict(app.config)
        if self.options.get("secret_key"):
            config["NOVU_SECRET_KEY"] = self.options["secret_key"]
        outbox: _Fanout | None = None
        with self._outboxes_lock:
            recording = list(self._outboxes)
        if recording or setting(app.config, "NOVU_SUPPRESS_SEND"):
            outbox = _Fanout(recording)
        return NovuAPI.from_config(config, outbox=outbox)

    def find_workflow(self, workflow_id: str, app: Flask | None = None) -> Workflow | None:
        """The workflow ``workflow_id`` served on ``app`` (or added to this
        extension), ``None`` when unknown.

        .. versionadded:: 0.1
        """
        bridge = self._bridges.get(app) if app is not None else None
        if bridge is not None and workflow_id in bridge.workflows:
            return bridge.workflows[workflow_id]
        for item in self.workflows:
            if item.workflow_id == workflow_id:
                return item
        return None

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
        """Trigger a workflow through the Novu API, as ``workflow.trigger()``
        of the official SDK does.

        Needs an app context. When the workflow is served by this extension
        and has a payload schema, the payload is validated first (defaults
        filled in) and the validated payload is sent. ``bridge_url``
        defaults to ``NOVU_BRIDGE_URL``.

        :param to: a subscriber id, a subscriber object (``{"subscriberId":
            ..., "email": ...}``), a topic, or a list of them.
        :returns: the API's parsed JSON response (a made-up acknowledgement
            while recording).
        :raises WorkflowPayloadInvalidError: the payload fails the schema;
            nothing is sent.
        :raises MissingSecretKeyError: no secret key is configured.
        :raises NovuAPIError: the API refused the event or is unreachable.

        .. versionadded:: 0.1
        """
        app = t.cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
        item = self.find_workflow(workflow_id, app)
        if item is not None and item.payload_schema_given:
            payload, _ = item.validate_payload(payload)
        if not bridge_url:
            bridge_url = setting(app.config, "NOVU_BRIDGE_URL")
        return self.api(app).trigger(
            workflow_id,
            to,
            payload,
            transaction_id=transaction_id,
            overrides=overrides,
            actor=actor,
            context=context,
            bridge_url=bridge_url,
            controls=controls,
        )

    def cancel(self, transaction_id: str) -> t.Any:
        """Cancel a triggered event by its transaction id (needs an app context).

        :returns: the API's parsed JSON response.

        .. versionadded:: 0.1
        """
        return self.api().cancel(transaction_id)

    @contextlib.contextmanager
    def record_triggers(self) -> t.Iterator[list[OutboxRecord]]:
        """Record triggers and cancels instead of sending them::

            with novu.record_triggers() as outbox:
                novu.trigger("welcome", to="user-1", payload={"name": "Ada"})
            assert outbox[0].workflow_id == "welcome"

        Applies to every app of this extension, the bridge's
        ``?action=trigger`` included, while the block runs.

        .. versionadded:: 0.1
        """
        outbox: list[OutboxRecord] = []
        with self._outboxes_lock:
            self._outboxes.append(outbox)
        try:
            yield outbox
        finally:
            with self._outboxes_lock:
                self._outboxes[:] = [o for o in self._outboxes if o is not outbox]


class _Fanout:
    """Appends each record to every active outbox (none: records are dropped)."""

    def __init__(self, outboxes: list[list[OutboxRecord]]) -> None:
        self.outboxes = outboxes

    def append(self, record: OutboxRecord) -> None:
        for outbox in self.outboxes:
            outbox.append(record)

