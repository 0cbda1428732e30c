"""``flask novu ...`` commands.

* ``flask novu list``: the served workflows and their steps;
* ``flask novu sync``: make Novu Cloud discover the bridge (``POST /v1/bridge/sync``);
* ``flask novu trigger WORKFLOW --to ID``: trigger a workflow through the Novu API;
* ``flask novu dev``: the ``npx novu dev`` command line for this app;
* ``flask novu openapi``: the bridge's OpenAPI 3 description.

Failures end with one line on stderr and a non-zero exit status.

.. versionadded:: 0.1
"""

from __future__ import annotations

import json
import typing as t

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import __version__
from .constants import GET_ACTIONS, POST_ACTIONS, SIGNATURE_HEADER
from .errors import NovuError
from .settings import setting

from .registration import BridgeMount, bridge_views

if t.TYPE_CHECKING:  # pragma: no cover
    from .api import NovuAPI
    from .extension import Novu

novu_cli = AppGroup("novu", help="Novu bridge commands.")

#: The port macOS (12+) gives to the AirPlay receiver.
AIRPLAY_PORT = 5000


def _extension() -> Novu | None:
    return t.cast("Novu | None", current_app.extensions.get("novu"))


def _app() -> Flask:
    return t.cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]


def _mounts() -> list[BridgeMount]:
    """Every bridge of the app, however it was mounted."""
    mounts = bridge_views(_app())
    if not mounts:
        raise click.ClickException(
            "no Novu bridge is mounted on this app (use flask_novu.serve(), the Novu "
            "extension or NovuBridgeView.as_view())"
        )
    return mounts


def _bridge(route: str | None) -> BridgeMount:
    """The bridge at ``route``; by default the extension's, else the first."""
    mounts = _mounts()
    if route is not None:
        wanted = "/" + route.strip("/")
        for mount in mounts:
            if mount.route == wanted:
                return mount
        routes = ", ".join(m.route for m in mounts)
        raise click.ClickException(f"no Novu bridge at {wanted} (bridges: {routes})")
    extension = _extension()
    if extension is not None:
        served = extension._bridges.get(_app())
        for mount in mounts:
            if mount.view.bridge is served:
                return mount
    return mounts[0]


def _api(mount: BridgeMount) -> NovuAPI:
    from .api import client_for_app

    return client_for_app(_app(), secret_key=mount.view.secret_key)


route_option = click.option(
    "--route",
    default=None,
    metavar="ROUTE",
    help="The bridge to use when the app has several (default: the extension's, else the first).",
)


def _route(app: Flask) -> str:
    route = str(setting(app.config, "NOVU_ROUTE")).strip("/")
    return "/" + route


def _json_option(value: str | None, what: str) -> t.Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError as exc:
        raise click.ClickException(f"{what} is not valid JSON: {exc}") from None


def _failure(what: str, exc: NovuError) -> click.ClickException:
    """One line describing a failed API call, with the first validation error."""
    message = f"{what} failed: {exc}"
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason:  # the operator may see the details
        message += f" ({reason})"
    data = exc.data if exc.has_data else None
    if isinstance(data, list) and data and isinstance(data[0], dict) and "message" in data[0]:
        path = data[0].get("path") or "/"
        message += f" ({path}: {data[0]['message']})"
    return click.ClickException(message)


def _echo_json(value: t.Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@novu_cli.command("list")
@route_option
def list_workflows(route: str | None) -> None:
    """List the served workflows and their steps (of every bridge of the app)."""
    mounts = [_bridge(route)] if route is not None else _mounts()
    rows = [("WORKFLOW", "STEP", "TYPE")]
    for mount in mounts:
        for item in mount.view.bridge.workflows.values():
            if not item.steps:
                rows.append((item.workflow_id, "-", "-"))
            for index, step in enumerate(item.steps):
                rows.append((item.workflow_id if index == 0 else "", step.step_id, step.type))
    if len(rows) == 1:
        click.echo("No workflows.")
        return
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    click.echo("")
    for mount in mounts:
        workflows = mount.view.bridge.workflows
        count = sum(len(w.steps) for w in workflows.values())
        click.echo(f"{len(workflows)} workflow(s), {count} step(s) on {mount.route}")


@novu_cli.command("sync")
@click.option(
    "--bridge-url",
    metavar="URL",
    help="The public URL of this bridge (default: NOVU_BRIDGE_URL).",
)
@route_option
def sync(bridge_url: str | None, route: str | None) -> None:
    """Make Novu discover this bridge (POST /v1/bridge/sync)."""
    mount = _bridge(route)
    url = bridge_url or setting(current_app.config, "NOVU_BRIDGE_URL")
    if not url:
        raise click.ClickException(
            "no bridge URL: pass --bridge-url https://<public host>"
            f"{mount.route} or set NOVU_BRIDGE_URL"
        )
    if not str(url).startswith(("http://", "https://")):
        raise click.ClickException(f"the bridge URL must be an http(s) URL, got {url!r}")
    api = _api(mount)
    try:
        result = api.sync(str(url))
    except NovuError as exc:
        raise _failure("sync", exc) from None
    workflows = len(mount.view.bridge.workflows)
    click.echo(f"Synced {url} ({workflows} workflow(s)) with {api.api_url}")
    if result is not None:
        _echo_json(result)


@novu_cli.command("trigger")
@click.argument("workflow_id", metavar="WORKFLOW")
@click.option("--to", "to", required=True, help="A subscriber id, or a JSON subscriber object/list.")
@click.option("--payload", default=None, metavar="JSON", help="The payload, a JSON object.")
@click.option("--transaction-id", default=None, help="A transaction id (to cancel it later).")
@route_option
def trigger(
    workflow_id: str, to: str, payload: str | None, transaction_id: str | None, route: str | None
) -> None:
    """Trigger WORKFLOW through the Novu API (the payload is validated first
    when the workflow is served with a payload schema)."""
    extension = _extension()
    mount = _bridge(route)
    recipients: t.Any = to
    if to.lstrip().startswith(("{", "[")):
        recipients = _json_option(to, "--to")
    data = _json_option(payload, "--payload")
    if data is not None and not isinstance(data, dict):
        raise click.ClickException("--payload must be a JSON object")
    try:
        if extension is not None and route is None:
            result = extension.trigger(workflow_id, recipients, data, transaction_id=transaction_id)
        else:
            item = mount.view.bridge.workflows.get(workflow_id)
            if item is not None and item.payload_schema_given:
                data, _ = item.validate_payload(data)
            result = _api(mount).trigger(
                workflow_id,
                recipients,
                data,
                transaction_id=transaction_id,
                bridge_url=setting(current_app.config, "NOVU_BRIDGE_URL"),
            )
    except NovuError as exc:
        raise _failure("trigger", exc) from None
    if setting(current_app.config, "NOVU_SUPPRESS_SEND"):
        click.echo("NOVU_SUPPRESS_SEND is on: the event was recorded, not sent.", err=True)
    _echo_json(result)


@novu_cli.command("dev")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              help="The port this app is served on.")
@route_option
def dev(port: int, route: str | None) -> None:
    """Print the `npx novu dev` command that tunnels Novu to this app."""
    route = _bridge(route).route
    click.echo(
        f"npx novu@latest dev --port {port} --route {route} --origin http://127.0.0.1:{port}"
    )
    if port == AIRPLAY_PORT:
        click.echo(
            f"Warning: macOS uses port {AIRPLAY_PORT} for AirPlay; if requests fail, run the app "
            "with `flask run --port 4000` and pass `--port 4000` here.",
            err=True,
        )


@novu_cli.command("openapi")
@route_option
def openapi(route: str | None) -> None:
    """Print the bridge's OpenAPI 3 description (JSON)."""
    _echo_json(openapi_spec(_app(), _bridge(route).route))


def openapi_spec(app: Flask, route: str | None = None) -> dict[str, t.Any]:
    """The OpenAPI 3 description of the bridge served on ``app`` at
    ``route`` (default: ``NOVU_ROUTE``), built with apispec from the
    marshmallow schemas of :mod:`flask_novu.wire`.

    .. versionadded:: 0.1
    """
    try:
        from apispec import APISpec
        from apispec.ext.marshmallow import MarshmallowPlugin
    except ImportError:  # pragma: no cover - apispec is a dependency
        raise click.ClickException("apispec is not installed (pip install apispec)") from None
    from .wire import AnyOf, CompatExecuteSchema, ExecuteEventSchema, TriggerEventSchema

    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="Novu Bridge",
        version=__version__,
        openapi_version="3.0.3",
        plugins=[plugin],
        info={
            "description": "The Novu Bridge endpoint served by Flask-Novu "
            "(protocol 2024-06-26, wire-compatible with @novu/framework)."
        },
    )

    def any_of(converter: t.Any, field: t.Any, **kwargs: t.Any) -> dict[str, t.Any]:
        if not isinstance(field, AnyOf):
            return {}
        choices: list[dict[str, t.Any]] = [{"type": "string"}, {"type": "object"}]
        if field.allow_list:
            choices.append({"type": "array", "items": {}})
        return {"oneOf": choices}

    assert plugin.converter is not None
    plugin.converter.add_attribute_function(any_of)  # type: ignore[no-untyped-call]

    spec.components.security_scheme(
        "NovuSignature",
        {
            "type": "apiKey",
            "in": "header",
            "name": SIGNATURE_HEADER,
            "description": "t=<ms>,v1=<hex HMAC-SHA256(secret, '<t>.<compact JSON body>')>",
        },
    )
    spec.components.schema("ExecuteEvent", schema=ExecuteEventSchema)
    spec.components.schema("TriggerEvent", schema=TriggerEventSchema)
    spec.components.schema("CompatExecute", schema=CompatExecuteSchema)
    spec.components.schema(
        "Error",
        {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "data": {},
                "code": {"type": "string"},
                "detail": {"type": "string"},
            },
            "required": ["message", "code"],
        },
    )
    error = {"description": "An error", "content": {"application/json": {"schema": "Error"}}}
    ok = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    id_params = [
        {"name": "workflowId", "in": "query", "schema": {"type": "string"}},
        {"name": "stepId", "in": "query", "schema": {"type": "string"}},
    ]

    def action(choices: t.Sequence[str], default: str | None) -> dict[str, t.Any]:
        schema: dict[str, t.Any] = {"type": "string", "enum": list(choices)}
        if default:
            schema["default"] = default
        return {"name": "action", "in": "query", "schema": schema, "required": default is None}

    security: list[dict[str, list[str]]] = [{"NovuSignature": []}]
    route = route or _route(app)
    spec.path(
        path=route,
        operations={
            "get": {
                "summary": "health-check, discover or code",
                "operationId": "bridgeGet",
                "parameters": [action(GET_ACTIONS, "health-check"), *id_params],
                "security": security,
                "responses": {"200": ok, "default": error},
            },
            "post": {
                "summary": "execute, preview or trigger",
                "operationId": "bridgePost",
                "parameters": [action(POST_ACTIONS, None), *id_params],
                "security": security,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"oneOf": ["ExecuteEvent", "TriggerEvent"]}
                        }
                    },
                },
                "responses": {"200": ok, "default": error},
            },
            "options": {
                "summary": "CORS preflight",
                "operationId": "bridgeOptions",
                "responses": {"200": ok},
            },
        },
    )
    spec.path(
        path=f"{route}/workflows/{{workflowId}}/execute",
        operations={
            "post": {
                "summary": "Run every step in process (FastAPI-era route)",
                "operationId": "compatExecute",
                "parameters": [
                    {"name": "workflowId", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "security": security,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "CompatExecute"}},
                },
                "responses": {"200": ok, "default": error},
            }
        },
    )
    return spec.to_dict()

