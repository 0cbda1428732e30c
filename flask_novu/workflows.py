"""Workflow and step definitions, and their discovery.

A workflow is a function ``fn(payload, step)`` decorated with :func:`workflow`.
Its steps are found by running it once with a recording ``step`` object (no
resolver runs), exactly as the official SDK discovers workflows.

.. versionadded:: 0.1
"""

from __future__ import annotations

import functools
import inspect
import json
import threading
import typing as t
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import step_schemas
from ._async import SuspendedError, default_async_to_sync, run_inline
from ._callables import is_async_callable
from .errors import (
    ConfigurationError,
    StepAlreadyExistsError,
    WorkflowDiscoveryError,
    payload_invalid_error,
)
from .schemas import Schema, SchemaValidationError, is_schema_like, to_schema
from .step_kinds import PREFERENCE_CHANNELS

#: Parameters a workflow function may name to receive them (besides payload, step).
INJECTABLE_PARAMS = ("subscriber", "context", "env", "controls", "execution")
SEVERITIES = ("none", "low", "medium", "high")

Resolver = t.Union[t.Mapping[str, t.Any], t.Callable[..., t.Any]]


def source_of(obj: t.Any) -> str:
    """Source text of a function (informational; ``""`` when unavailable).

    Looked up when discovery is first served, not at registration.
    """
    if isinstance(obj, t.Mapping):
        return repr(dict(obj))
    target = getattr(obj, "__wrapped__", obj)
    try:
        return inspect.getsource(target).strip()
    except (OSError, TypeError):
        return ""


@dataclass
class StepCall:
    """One ``step.<type>(...)`` call, its arguments normalised."""

    type: str
    step_id: str
    resolver: Resolver
    control_schema: t.Any = None
    output_schema: t.Any = None
    #: A predicate, or ``True`` (always skipped); ``None`` never skips.
    skip: t.Callable[..., t.Any] | bool | None = None
    providers: dict[str, t.Callable[..., t.Any]] = field(default_factory=dict)
    disable_output_sanitization: bool = False
    #: The ``controls=`` option: the step's controls in in-process runs
    #: (:meth:`Workflow.trigger`, the FastAPI-era route); ``None`` when not given.
    controls: t.Mapping[str, t.Any] | None = None
    #: Novu's ``failOnErrorEnabled``: stop the workflow when the step fails
    #: (``None``: not set, Novu's default applies).
    fail_on_error: bool | None = None

    @property
    def needs_event_loop(self) -> bool:
        """Whether the resolver, ``skip`` or a provider is asynchronous."""
        resolver, skip = self.resolver, self.skip
        return (
            (callable(resolver) and is_async_callable(resolver))
            or (callable(skip) and is_async_callable(skip))
            or any(is_async_callable(provider) for provider in self.providers.values())
        )


_OPTION_ALIASES = {
    "controlSchema": "control_schema",
    "outputSchema": "output_schema",
    "disableOutputSanitization": "disable_output_sanitization",
    "inputSchema": "control_schema",
    "failOnErrorEnabled": "fail_on_error",
}
_OPTIONS = {
    "control_schema",
    "output_schema",
    "skip",
    "providers",
    "disable_output_sanitization",
    "fail_on_error",
    "controls",
}


def make_step_call(
    step_type: str,
    step_id: t.Any,
    resolver: t.Any,
    control_schema: t.Any,
    options: dict[str, t.Any],
) -> StepCall:
    """Validate and normalise the arguments of a step method."""
    if not isinstance(step_id, str) or not step_id:
        raise TypeError(f"step.{step_type}() needs a non-empty string step id, got {step_id!r}")
    if resolver is None or not (callable(resolver) or isinstance(resolver, Mapping)):
        raise TypeError(
            f"step.{step_type}({step_id!r}, ...) needs a resolver: a dict or a callable"
        )
    if not options:  # the common call: step.email("id", resolver[, schema])
        return StepCall(step_type, step_id, resolver, control_schema)
    values: dict[str, t.Any] = {"control_schema": control_schema}
    for key, value in options.items():
        name = _OPTION_ALIASES.get(key, key)
        if name not in _OPTIONS:
            warnings.warn(
                f"step.{step_type}({step_id!r}): unknown option {key!r} is ignored",
                stacklevel=4,
            )
            continue
        if name == "output_schema" and step_type != "custom":
            raise TypeError(f"step.{step_type}() does not take an output schema (custom steps do)")
        if value is not None:
            values[name] = value
    providers = values.get("providers") or {}
    if not isinstance(providers, Mapping) or not all(callable(p) for p in providers.values()):
        raise TypeError(f"step.{step_type}({step_id!r}): providers must map ids to callables")
    skip = values.get("skip")
    if skip is False:  # the earlier framework's booleans: False never skips
        skip = None
    elif skip is not None and skip is not True and not callable(skip):
        raise TypeError(f"step.{step_type}({step_id!r}): skip must be a boolean or callable")
    controls = values.get("controls")
    if controls is not None and not isinstance(controls, Mapping):
        raise TypeError(f"step.{step_type}({step_id!r}): controls must be a dict")
    fail_on_error = values.get("fail_on_error")
    if fail_on_error is not None and not isinstance(fail_on_error, bool):
        raise TypeError(f"step.{step_type}({step_id!r}): fail_on_error must be True or False")
    return StepCall(
        type=step_type,
        step_id=step_id,
        resolver=resolver,
        control_schema=values.get("control_schema"),
        output_schema=values.get("output_schema"),
        skip=skip,
        providers=dict(providers),
        disable_output_sanitization=bool(values.get("disable_output_sanitization", False)),
        controls=controls,
        fail_on_error=fail_on_error,
    )


@functools.lru_cache(maxsize=None)
def _builtin_schemas(step_type: str) -> tuple[Schema, Schema]:
    """The output and result schemas of a step type, compiled once per process."""
    return (
        to_schema(step_schemas.output_schema(step_type)),
        to_schema(step_schemas.result_schema(step_type)),
    )


@functools.lru_cache(maxsize=None)
def _provider_schema(step_type: str, provider_id: str) -> Schema:
    return to_schema(step_schemas.provider_output_schema(step_type, provider_id))


def _schema_pair(schema: Schema) -> dict[str, t.Any]:
    return {"schema": schema.json_schema, "unknownSchema": schema.json_schema}


@dataclass
class StepDefinition:
    """A discovered step with its schemas compiled once."""

    step_id: str
    type: str
    resolver: Resolver
    control_schema: Schema
    output_schema: Schema
    result_schema: Schema
    provider_schemas: dict[str, Schema]
    providers: dict[str, t.Callable[..., t.Any]]
    options_json: dict[str, t.Any]
    disable_output_sanitization: bool

    @classmethod
    def from_call(cls, call: StepCall, workflow_id: str) -> StepDefinition:
        where = f"workflow {workflow_id!r}, step {call.step_id!r}"
        try:
            control = to_schema(call.control_schema)
            if call.type == "custom":
                output = result = to_schema(call.output_schema)
            else:
                output, result = _builtin_schemas(call.type)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"{where}: {exc}") from exc
        providers: dict[str, Schema] = {}
        for provider_id in call.providers:
            if provider_id not in step_schemas.provider_ids(call.type):
                valid = ", ".join(step_schemas.provider_ids(call.type)) or "none"
                raise ConfigurationError(
                    f"{where}: unknown provider {provider_id!r} for a {call.type} step "
                    f"(valid: {valid})"
                )
            providers[provider_id] = _provider_schema(call.type, provider_id)
        options: dict[str, t.Any] = {}
        if call.control_schema is not None:
            options["controlSchema"] = control.json_schema
        if call.output_schema is not None:
            options["outputSchema"] = output.json_schema
        if call.providers:
            options["providers"] = {}
        if call.disable_output_sanitization:
            options["disableOutputSanitization"] = True
        if call.fail_on_error is not None:
            # Read by Novu's sync as the step's "stop the workflow on failure".
            options["failOnErrorEnabled"] = call.fail_on_error
        return cls(
            step_id=call.step_id,
            type=call.type,
            resolver=call.resolver,
            control_schema=control,
            output_schema=output,
            result_schema=result,
            provider_schemas=providers,
            providers=dict(call.providers),
            options_json=options,
            disable_output_sanitization=call.disable_output_sanitization,
        )

    def to_discover(self) -> dict[str, t.Any]:
        """The DiscoverStep wire shape."""
        return {
            "stepId": self.step_id,
            "type": self.type,
            "controls": _schema_pair(self.control_schema),
            "outputs": _schema_pair(self.output_schema),
            "results": _schema_pair(self.result_schema),
            "code": source_of(self.resolver),
            "options": self.options_json,
            "providers": [
                {"type": pid, "code": source_of(self.providers[pid]), "outputs": _schema_pair(schema)}
                for pid, schema in self.provider_schemas.items()
            ],
        }


def map_preferences(preferences: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    """Map workflow preferences to the wire shape (``inApp`` becomes ``in_app``)."""
    if not preferences:
        return {}
    if not isinstance(preferences, t.Mapping):
        raise ConfigurationError("preferences must be a dict")
    mapped: dict[str, t.Any] = {}
    if "all" in preferences:
        mapped["all"] = preferences["all"]
    channels = preferences.get("channels")
    if channels:
        mapped["channels"] = {
            PREFERENCE_CHANNELS[key]: value
            for key, value in channels.items()
            if key in PREFERENCE_CHANNELS
        }
    return mapped


class Workflow:
    """A notification workflow; usually created with :func:`workflow`.

    ``Workflow(workflow_id, handler, payload_schema, name)`` (positional or
    keyword) builds one from a function as the earlier Python framework did.
    The object stays callable like the decorated function.

    :param workflow_id: the trigger identifier.
    :param handler: the workflow function ``handler(payload, step)``.
    :param payload_schema: see :func:`workflow`.
    :param name: display name; :attr:`name` falls back to the id when omitted
        (discovery then sends no name, as the SDK does).

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        workflow_id: str,
        handler: t.Callable[..., t.Any],
        payload_schema: t.Any = None,
        name: str | None = None,
        *,
        description: str | None = None,
        tags: t.Sequence[str] | None = None,
        preferences: t.Mapping[str, t.Any] | None = None,
        severity: str | None = None,
        active: bool | None = None,
        data: t.Mapping[str, t.Any] | None = None,
        notification_group_id: str | None = None,
    ) -> None:
        fn = handler
        if not isinstance(workflow_id, str) or not workflow_id:
            raise ConfigurationError(f"a workflow id must be a non-empty string, got {workflow_id!r}")
        if not callable(fn):
            raise ConfigurationError(f"workflow {workflow_id!r}: the workflow must be a function")
        if severity is not None and severity not in SEVERITIES:
            raise ConfigurationError(
                f"workflow {workflow_id!r}: severity must be one of {', '.join(SEVERITIES)}"
            )
        self.workflow_id = workflow_id
        #: The workflow function (also :attr:`handler`).
        self.fn = fn
        #: What Novu's sync reads besides the SDK's fields (``None``: not sent).
        self.sync_options = _sync_options(
            workflow_id, active=active, data=data, notification_group_id=notification_group_id
        )
        #: The display name given (``None`` when omitted): what discovery sends.
        self.display_name = name
        #: The display name, or the id when none was given.
        self.name = name or workflow_id
        self.description = description
        self.tags = list(tags or [])
        self.preferences = map_preferences(preferences)
        self.severity = severity or "none"
        self.is_async = is_async_callable(fn)
        if payload_schema is None:
            payload_schema = _annotated_payload_schema(fn)
        #: False when the workflow declares no payload schema at all.
        self.payload_schema_given = payload_schema is not None
        try:
            #: The schema discovery shows (the SDK's empty schema when none).
            self.payload_schema: Schema = to_schema(payload_schema)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"workflow {workflow_id!r}: payload schema: {exc}") from exc
        #: The schema execute and preview validate with: without a payload
        #: schema any object passes unchanged (Novu's SDK would strip it).
        self.run_payload_schema: Schema = (
            self.payload_schema if self.payload_schema_given else _open_object_schema()
        )
        self._injected = _injected_params(fn)
        self._steps: list[StepDefinition] | None = None
        self._steps_by_id: dict[str, StepDefinition] = {}
        self._lock = threading.Lock()
        functools.update_wrapper(self, fn)

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Workflow {self.workflow_id!r}>"

    @property
    def handler(self) -> t.Callable[..., t.Any]:
        """The workflow function (the earlier framework's name for :attr:`fn`)."""
        return self.fn

    # -- invocation ------------------------------------------------------------

    def call_arguments(
        self, payload: t.Any, step: t.Any, extras: t.Mapping[str, t.Any]
    ) -> tuple[tuple[t.Any, ...], dict[str, t.Any]]:
        """Positional and keyword arguments for one run of the function."""
        return (payload, step), {
            name: extras.get(name, None if name == "execution" else {}) for name in self._injected
        }

    # -- discovery -------------------------------------------------------------

    @property
    def steps(self) -> list[StepDefinition]:
        """The discovered steps, in call order (discovered once, then cached)."""
        if self._steps is None:
            with self._lock:
                if self._steps is None:
                    steps = self._discover()
                    self._steps_by_id = {s.step_id: s for s in steps}
                    self._steps = steps
        return self._steps

    def _discover(self) -> list[StepDefinition]:
        from .steps import DiscoveryStep, placeholder  # local: steps imports this module

        recorder = DiscoveryStep()
        extras = {name: placeholder() for name in INJECTABLE_PARAMS}
        args, kwargs = self.call_arguments(placeholder(), recorder, extras)
        try:
            if self.is_async:
                coro = self.fn(*args, **kwargs)
                try:
                    run_inline(coro)
                except SuspendedError:
                    # It awaits something real; run it on an event loop.
                    default_async_to_sync(self.fn)(*args, **kwargs)
            else:
                self.fn(*args, **kwargs)
        except ConfigurationError as exc:
            raise WorkflowDiscoveryError(f"workflow {self.workflow_id!r}: {exc}") from exc
        except Exception as exc:
            raise WorkflowDiscoveryError(
                f"workflow {self.workflow_id!r} raised {type(exc).__name__} during discovery: {exc}"
            ) from exc
        seen: set[str] = set()
        definitions = []
        for call in recorder.calls:
            if call.step_id in seen:
                raise StepAlreadyExistsError(call.step_id)
            seen.add(call.step_id)
            definitions.append(StepDefinition.from_call(call, self.workflow_id))
        return definitions

    @property
    def discovered(self) -> bool:
        """True once the steps have been discovered."""
        return self._steps is not None

    def step(self, step_id: str) -> StepDefinition | None:
        """The discovered step ``step_id`` (``None`` when discovery never saw it)."""
        if self._steps is None:
            self.steps  # noqa: B018 - discover
        return self._steps_by_id.get(step_id)

    def to_discover(self) -> dict[str, t.Any]:
        """The DiscoverWorkflow wire shape."""
        empty = to_schema(None)
        body: dict[str, t.Any] = {
            "workflowId": self.workflow_id,
            "severity": self.severity,
            "steps": [s.to_discover() for s in self.steps],
            "code": source_of(self.fn),
            "payload": _schema_pair(self.payload_schema),
            "controls": _schema_pair(empty),
            "env": _schema_pair(empty),
            "tags": self.tags,
            "preferences": self.preferences,
        }
        if self.display_name is not None:
            body["name"] = self.display_name
        if self.description is not None:
            body["description"] = self.description
        if self.sync_options:
            # Novu's sync reads them at the top level; older Novu servers
            # read them under "options".
            body.update(self.sync_options)
            body["options"] = dict(self.sync_options)
        return body

    # -- in-process run (the earlier Python framework's contract) ---------------

    def validate_payload(self, payload: t.Mapping[str, t.Any] | None) -> tuple[t.Any, t.Any]:
        """Validate a trigger payload against the workflow's own schema.

        A workflow without a payload schema takes the payload as it is (the
        earlier framework's contract, kept in execute and preview too).

        :returns: the payload as JSON and as the workflow function receives it.
        :raises WorkflowPayloadInvalidError: the payload fails the schema; for
            a pydantic or marshmallow schema it is also that library's
            ``ValidationError``.
        """
        raw = dict(payload or {})
        if not self.payload_schema_given:
            return raw, raw
        try:
            return self.payload_schema.validate(raw)
        except SchemaValidationError as exc:
            raise payload_invalid_error(self.workflow_id, exc.errors, exc.original) from None

    def trigger(
        self,
        to: str | t.Mapping[str, t.Any],
        payload: t.Mapping[str, t.Any] | None = None,
        metadata: t.Mapping[str, t.Any] | None = None,
    ) -> TriggerResult:
        """Run every step in order, in process, with default controls.

        Returns ``{"workflow_id", "status": "completed", "step_results":
        {step_id: outputs}, "payload"}``. Needs no Flask app. The result can
        also be awaited, as the earlier framework's ``async`` trigger was.

        :raises WorkflowPayloadInvalidError: the payload fails the schema.
        """
        from .engine import run_in_process  # local: the engine imports this module

        return TriggerResult(run_in_process(self, to, payload, metadata))


class TriggerResult(dict):  # type: ignore[type-arg]
    """The result of :meth:`Workflow.trigger`; a dict that may be awaited."""

    def __await__(self) -> t.Generator[t.Any, None, TriggerResult]:
        return self
        yield  # pragma: no cover  (makes this a generator)


@functools.lru_cache(maxsize=1)
def _open_object_schema() -> Schema:
    """Any JSON object, kept as it is (non-objects fail: "must be object")."""
    return to_schema({"type": "object"})


def _annotated_payload_schema(fn: t.Callable[..., t.Any]) -> t.Any:
    try:
        hints = t.get_type_hints(fn)
    except Exception:
        hints = getattr(fn, "__annotations__", {})
    candidate = hints.get("payload")
    if candidate is not None and not isinstance(candidate, dict) and is_schema_like(candidate):
        return candidate
    for name, hint in hints.items():
        if name != "return" and not isinstance(hint, dict) and is_schema_like(hint):
            return hint
    return None


def _sync_options(
    workflow_id: str,
    *,
    active: t.Any,
    data: t.Any,
    notification_group_id: t.Any,
) -> dict[str, t.Any]:
    """The discover keys of the workflow options Novu's sync reads."""
    where = f"workflow {workflow_id!r}"
    options: dict[str, t.Any] = {}
    if active is not None:
        if not isinstance(active, bool):
            raise ConfigurationError(f"{where}: active must be True or False")
        options["active"] = active
    if data is not None:
        if not isinstance(data, Mapping):
            raise ConfigurationError(f"{where}: data must be a dict")
        try:
            json.dumps(data, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"{where}: data must be JSON: {exc}") from None
        options["data"] = dict(data)
    if notification_group_id is not None:
        if not isinstance(notification_group_id, str) or not notification_group_id:
            raise ConfigurationError(f"{where}: notification_group_id must be a non-empty string")
        options["notificationGroupId"] = notification_group_id
    return options


def _injected_params(fn: t.Callable[..., t.Any]) -> tuple[str, ...]:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return ()
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return INJECTABLE_PARAMS
    return tuple(name for name in INJECTABLE_PARAMS if name in params)


def workflow(
    workflow_id: str,
    payload_schema: t.Any = None,
    name: str | None = None,
    *,
    description: str | None = None,
    tags: t.Sequence[str] | None = None,
    preferences: t.Mapping[str, t.Any] | None = None,
    severity: str | None = None,
    active: bool | None = None,
    data: t.Mapping[str, t.Any] | None = None,
    notification_group_id: str | None = None,
    payloadSchema: t.Any = None,
    notificationGroupId: str | None = None,
) -> t.Callable[[t.Callable[..., t.Any]], Workflow]:
    """Declare a notification workflow::

        @workflow("comment-notification", payload_schema=CommentSchema)
        def comment(payload, step):
            step.email("email", lambda controls: {"subject": "Hi", "body": "..."})

    :param workflow_id: the trigger identifier.
    :param payload_schema: a marshmallow schema (class or instance), a pydantic
        model class or a JSON-Schema dict; taken from the annotation of the
        ``payload`` parameter when omitted.
    :param name: display name in the Novu dashboard.
    :param description: description in the Novu dashboard.
    :param tags: tags in the Novu dashboard.
    :param preferences: ``{"all": {...}, "channels": {"inApp": {...}, ...}}``.
    :param severity: ``"none"`` (default), ``"low"``, ``"medium"`` or ``"high"``.
    :param active: ``False`` syncs the workflow to Novu as inactive (Novu's
        default: active).
    :param data: custom data Novu stores with the workflow.
    :param notification_group_id: the Novu notification group
        (``notificationGroupId=`` is accepted too); Novu's default group
        ("General") when omitted.

    ``active``, ``data`` and ``notification_group_id`` only matter when the
    workflow is first created by a sync, as Novu reads them then.

    Defining a workflow registers nothing globally: pass it to a view,
    :func:`~flask_novu.serve` or :class:`~flask_novu.Novu`.

    .. versionadded:: 0.1
    """

    def decorator(fn: t.Callable[..., t.Any]) -> Workflow:
        return Workflow(
            workflow_id,
            fn,
            payload_schema=payload_schema if payload_schema is not None else payloadSchema,
            name=name,
            description=description,
            tags=tags,
            preferences=preferences,
            severity=severity,
            active=active,
            data=data,
            notification_group_id=(
                notification_group_id if notification_group_id is not None else notificationGroupId
            ),
        )

    return decorator
