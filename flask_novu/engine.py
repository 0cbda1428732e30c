"""The execution engine: discovery, health, code, execute and preview.

Nothing here knows about Flask or HTTP. :class:`Bridge` takes plain values
and returns plain JSON-ready values or raises :class:`~flask_novu.errors.NovuError`.

Execution follows the official SDK: the workflow function is re-run from the
top on every request; steps before the target step return their results
replayed from ``state``; the target step validates its controls, compiles them
with Liquid, runs its resolver, validates and sanitises the outputs and runs
the provider overrides; then the run halts.

.. versionadded:: 0.1
"""

from __future__ import annotations

import copy
import json
import logging
import time
import typing as t
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import __version__
from ._text import around_surrogates
from ._async import AsyncToSync, default_async_to_sync, effective_async_to_sync, maybe_await
from .constants import FRAMEWORK_VERSION
from .errors import (
    BridgeError,
    ExecutionEventPayloadInvalidError,
    ExecutionStateControlInvalidError,
    ExecutionStateCorruptError,
    ExecutionStateOutputInvalidError,
    ExecutionStateResultInvalidError,
    NovuError,
    ProviderExecutionFailedError,
    ProviderNotFoundError,
    StepControlCompilationFailedError,
    StepExecutionFailedError,
    StepNotFoundError,
    WorkflowAlreadyExistsError,
    WorkflowNotFoundError,
    js_error_json,
)
from .mock import mock_from_schema
from .sanitize import sanitize_outputs
from .schemas import Schema, SchemaValidationError, to_schema
from .step_kinds import IN_PROCESS_RESULTS, SANITIZED_STEP_TYPES
from .steps import RUN, AsyncStep, Step
from .templating import ControlCompilationError, LiquidLimits, compile_controls
from ._callables import accepts_keywords, positional_arity
from .execution import Execution, _activate, _deactivate
from .workflows import StepCall, StepDefinition, Workflow, source_of

logger = logging.getLogger("flask_novu")

EXECUTE = "execute"
PREVIEW = "preview"


class _Halt(BaseException):
    """Stops the workflow function once the target step has its result.

    A ``BaseException`` so that ``except Exception`` in user code cannot
    swallow it.
    """


#: Exceptions that always propagate: the server (or the engine itself) needs
#: them. Every other ``BaseException`` of user code (``asyncio.CancelledError``
#: included) is a failure of that code, answered like any exception.
PROPAGATE: tuple[type[BaseException], ...] = (SystemExit, KeyboardInterrupt, GeneratorExit, _Halt)


@dataclass
class Event:
    """An execute or preview request, as the engine sees it."""

    action: str
    workflow_id: str
    step_id: str
    payload: t.Any = None
    #: ``None`` (absent) or a non-dict fails validation ("must be object"), as in the SDK.
    controls: t.Any = field(default_factory=dict)
    state: list[dict[str, t.Any]] = field(default_factory=list)
    subscriber: dict[str, t.Any] = field(default_factory=dict)
    context: dict[str, t.Any] = field(default_factory=dict)
    env: dict[str, t.Any] = field(default_factory=dict)
    actor: t.Any = None
    #: Who is asking (Novu's ``jobId``...); built from the fields above when ``None``.
    execution: Execution | None = None
    #: Of ``subscriber`` and ``context``, those the request did not send (or
    #: sent as ``null``): Liquid sees them undefined, as in the SDK, while
    #: workflow code gets ``{}``.
    absent: t.Tuple[str, ...] = ()


def deep_merge(base: t.Any, override: t.Any) -> t.Any:
    """Merge ``override`` into a copy of ``base``, recursively for dicts."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return override


def _to_plain(value: t.Any) -> t.Any:
    """Resolver results as plain data (pydantic models are dumped)."""
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        return dump(mode="json")
    return value


async def _call_resolver(resolver: t.Any, controls: t.Any) -> t.Any:
    if isinstance(resolver, Mapping):
        return copy.deepcopy(dict(resolver))
    if positional_arity(resolver) == 0:
        return _to_plain(await maybe_await(resolver()))
    return _to_plain(await maybe_await(resolver(controls)))


async def _call_skip(skip: t.Callable[..., t.Any] | bool, controls: t.Any) -> bool:
    if skip is True:
        return True
    assert callable(skip)
    if positional_arity(skip) == 0:
        return bool(await maybe_await(skip()))
    return bool(await maybe_await(skip(controls)))


async def _call_provider(provider: t.Callable[..., t.Any], controls: t.Any, outputs: t.Any) -> t.Any:
    # a function of keyword arguments, of nothing (as resolvers may be) or
    # of the inputs dict (JavaScript's ``({controls, outputs})``)
    if accepts_keywords(provider, ("controls", "outputs")):
        result = provider(controls=controls, outputs=outputs)
    elif positional_arity(provider) == 0:
        result = provider()
    else:
        result = provider({"controls": controls, "outputs": outputs})
    return _to_plain(await maybe_await(result))


#: The controls of a step run in process: none given, the defaults apply.
DEFAULT_CONTROLS: t.Any = object()


class _Run:
    """State shared by the step calls of one run of a workflow function."""

    def __init__(self, bridge: Bridge, workflow: Workflow, async_to_sync: AsyncToSync) -> None:
        self.bridge = bridge
        self.workflow = workflow
        self.async_to_sync = effective_async_to_sync(async_to_sync)
        self.done = False
        self.error: NovuError | None = None

    def replay(self, call: StepCall) -> t.Any:
        """The result of a step answered without user code, or :data:`RUN`."""
        if self.done or self.error is not None:
            raise _Halt()
        try:
            return self._replay(call)
        except NovuError as exc:
            self.error = exc
            raise

    def _replay(self, call: StepCall) -> t.Any:
        return RUN

    async def process(self, call: StepCall) -> t.Any:
        if self.done or self.error is not None:
            raise _Halt()
        try:
            return await self._process(call)
        except NovuError as exc:
            self.error = exc
            raise

    async def _process(self, call: StepCall) -> t.Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def invoke(self, payload: t.Any, extras: dict[str, t.Any]) -> None:
        """Run the workflow function until it returns or the run halts."""
        workflow = self.workflow
        step = AsyncStep(self) if workflow.is_async else Step(self)
        args, kwargs = workflow.call_arguments(payload, step, extras)
        token = _activate(extras.get("execution"))
        try:
            if workflow.is_async:
                self.async_to_sync(_run_async)(workflow.fn, args, kwargs)
            else:
                workflow.fn(*args, **kwargs)
        except _Halt:
            pass
        except NovuError:
            if self.error is None:
                raise
        except PROPAGATE:
            raise
        except BaseException as exc:  # CancelledError too: a failure of user code
            if self.error is None:
                if not self.wrap_user_errors:
                    raise
                raise BridgeError(exc) from exc
        finally:
            _deactivate(token)
        if self.error is not None:
            raise self.error

    #: Whether an exception of the workflow function becomes a BridgeError
    #: (bridge requests) or reaches the caller as it is (in-process runs).
    wrap_user_errors = True

    def controls(
        self, schema: Schema, step_id: str, given: t.Any, context: dict[str, t.Any]
    ) -> tuple[t.Any, t.Any]:
        """Validate (defaults filled) and Liquid-compile a step's controls.

        :returns: the compiled controls as JSON and as user code sees them.
        """
        workflow_id = self.workflow.workflow_id
        try:
            if given is DEFAULT_CONTROLS:
                controls, _ = schema.validate_defaults()
            else:
                controls, _ = schema.validate(given)
        except SchemaValidationError as exc:
            raise ExecutionStateControlInvalidError(workflow_id, step_id, exc.errors) from None
        try:
            compiled = compile_controls(controls, context, self.bridge.liquid_limits)
        except ControlCompilationError as exc:
            raise StepControlCompilationFailedError(workflow_id, step_id, exc.data) from None
        try:
            return compiled, schema.to_user(compiled)
        except SchemaValidationError as exc:
            raise ExecutionStateControlInvalidError(workflow_id, step_id, exc.errors) from None

    def liquid_context(
        self, payload: t.Any, event: Event | None, steps: dict[str, t.Any]
    ) -> dict[str, t.Any]:
        workflow = self.workflow
        context: dict[str, t.Any] = {
            "workflow": {
                "workflowId": workflow.workflow_id,
                "name": workflow.display_name,
                "description": workflow.description,
                "tags": workflow.tags,
                "severity": workflow.severity,
            },
            "payload": payload,
            "subscriber": event.subscriber if event else {},
            "context": event.context if event else {},
            "steps": steps,
            "env": event.env if event else {},
        }
        if event is not None:
            if event.actor is not None:
                context["actor"] = event.actor
            for name in event.absent:
                context.pop(name, None)
        return context


async def _run_async(fn: t.Callable[..., t.Any], args: t.Any, kwargs: t.Any) -> None:
    try:
        await fn(*args, **kwargs)
    except _Halt:
        pass


class _BridgeRun(_Run):
    """One execute or preview request."""

    def __init__(
        self,
        bridge: Bridge,
        workflow: Workflow,
        event: Event,
        payload_json: t.Any,
        async_to_sync: AsyncToSync,
    ) -> None:
        super().__init__(bridge, workflow, async_to_sync)
        self.event = event
        self.preview = event.action == PREVIEW
        self.result: dict[str, t.Any] | None = None
        self.state: dict[str, t.Any] = {}
        for entry in event.state:
            self.state.setdefault(entry["stepId"], entry.get("outputs"))
        self.context = self.liquid_context(payload_json, event, dict(self.state))

    def _replay(self, call: StepCall) -> t.Any:
        """Steps before the target: their results, replayed from ``state``."""
        if call.step_id == self.event.step_id:
            return RUN
        definition = self._definition(call)
        self._check_providers(definition, call)
        return self._previous_result(definition)

    def _definition(self, call: StepCall) -> StepDefinition:
        """The discovered definition of the step called."""
        definition = self.workflow.step(call.step_id)
        if definition is None:
            raise StepNotFoundError(call.step_id)
        return definition

    @staticmethod
    def _check_providers(definition: StepDefinition, call: StepCall) -> None:
        for provider_id in definition.provider_schemas:
            if provider_id not in call.providers:
                raise ProviderNotFoundError(provider_id)

    async def _process(self, call: StepCall) -> t.Any:
        """The target step (steps before it are replayed)."""
        definition = self._definition(call)
        compiled: tuple[t.Any, t.Any] | None = None
        if not self.preview and call.skip is not None:
            # Skip is decided first: a skipped step reports no missing provider.
            compiled = self._compile_controls(definition)
            if await self._user(definition, _call_skip(call.skip, compiled[1])):
                self._finish({}, {}, skip=True)
        self._check_providers(definition, call)
        await self._run_target(definition, call, compiled)
        raise AssertionError("unreachable: the target step halts the run")  # pragma: no cover

    async def _run_target(
        self, definition: StepDefinition, call: StepCall, compiled: tuple[t.Any, t.Any] | None
    ) -> None:
        controls_json, controls_user = compiled or self._compile_controls(definition)
        raw = await self._user(definition, _call_resolver(call.resolver, controls_user))
        try:
            outputs, _ = definition.output_schema.validate(raw)
        except SchemaValidationError as exc:
            raise ExecutionStateOutputInvalidError(
                self.workflow.workflow_id, definition.step_id, exc.errors
            ) from None
        providers: dict[str, t.Any] = {}
        for provider_id, schema in definition.provider_schemas.items():
            providers[provider_id] = await self._run_provider(
                definition.step_id, provider_id, schema, call.providers[provider_id], controls_json, outputs
            )
        if definition.type in SANITIZED_STEP_TYPES and not definition.disable_output_sanitization:
            outputs = around_surrogates(sanitize_outputs, outputs)
        self._finish(outputs, providers, skip=False)

    async def _run_provider(
        self,
        step_id: str,
        provider_id: str,
        schema: Schema,
        provider: t.Callable[..., t.Any],
        controls: t.Any,
        outputs: t.Any,
    ) -> t.Any:
        try:
            raw = await _call_provider(provider, controls, outputs)
            value, _ = schema.validate(raw)
        except PROPAGATE:
            raise
        except BaseException as exc:  # SchemaValidationError and CancelledError included
            if self.preview:
                return mock_from_schema(schema.json_schema)
            if isinstance(exc, SchemaValidationError):
                # the SDK wraps its output error, written as JSON (its class is no Error by name)
                invalid = ExecutionStateOutputInvalidError(self.workflow.workflow_id, step_id, exc.errors)
                raise ProviderExecutionFailedError(provider_id, js_error_json(invalid)) from None
            if isinstance(exc, NovuError):
                raise
            raise ProviderExecutionFailedError(provider_id, _describe(exc)) from exc
        if isinstance(value, dict) and isinstance(raw, t.Mapping) and "_passthrough" in raw:
            value["_passthrough"] = raw["_passthrough"]
        return value

    def _previous_result(self, definition: StepDefinition) -> t.Any:
        step_id = definition.step_id
        schema = definition.result_schema
        if self.preview:
            given = self.state.get(step_id)
            value = deep_merge(mock_from_schema(schema.json_schema), given if isinstance(given, dict) else {})
            try:
                return schema.to_user(value)
            except SchemaValidationError:
                return value
        if step_id not in self.state:
            raise ExecutionStateCorruptError(self.workflow.workflow_id, step_id)
        try:
            _, user = schema.validate(self.state[step_id])
        except SchemaValidationError as exc:
            raise ExecutionStateResultInvalidError(
                self.workflow.workflow_id, step_id, exc.errors
            ) from None
        return user

    def _compile_controls(self, definition: StepDefinition) -> tuple[t.Any, t.Any]:
        return self.controls(
            definition.control_schema, definition.step_id, self.event.controls, self.context
        )

    async def _user(self, definition: StepDefinition, pending: t.Awaitable[t.Any]) -> t.Any:
        """Await user code; its failures become StepExecutionFailedError."""
        try:
            return await pending
        except NovuError:
            raise
        except PROPAGATE:
            raise
        except BaseException as exc:  # CancelledError too
            raise StepExecutionFailedError(
                definition.step_id, _describe(exc), preview=self.preview
            ) from exc

    def _finish(self, outputs: t.Any, providers: dict[str, t.Any], *, skip: bool) -> t.NoReturn:
        self.result = {"outputs": outputs, "providers": providers, "options": {"skip": skip}}
        self.done = True
        raise _Halt()


class _InProcessRun(_Run):
    """:meth:`Workflow.trigger`: every step runs, with default controls."""

    wrap_user_errors = False

    def __init__(
        self,
        bridge: Bridge,
        workflow: Workflow,
        payload_json: t.Any,
        subscriber: dict[str, t.Any],
        async_to_sync: AsyncToSync,
    ) -> None:
        super().__init__(bridge, workflow, async_to_sync)
        self.step_results: dict[str, t.Any] = {}
        event = Event(action="trigger", workflow_id=workflow.workflow_id, step_id="")
        event.subscriber = subscriber
        # ``steps`` is the live results dict: each step sees the ones before it.
        self.context = self.liquid_context(payload_json, event, self.step_results)

    async def _process(self, call: StepCall) -> t.Any:
        user_controls = self._user_controls(call)
        if call.skip is not None and await _call_skip(call.skip, user_controls):
            outputs: t.Any = {"skipped": True}
        else:
            outputs = await _call_resolver(call.resolver, user_controls)
        self.step_results[call.step_id] = outputs
        neutral = IN_PROCESS_RESULTS.get(call.type)
        if neutral and isinstance(outputs, dict):
            # Nothing waits or collects in process: later steps that read the
            # step's result (delay["duration"], digest["events"]...) see a
            # neutral one next to the outputs.
            fresh = {key: list(value) if type(value) is list else value for key, value in neutral.items()}
            return {**fresh, **outputs}
        return outputs

    def _user_controls(self, call: StepCall) -> t.Any:
        """The controls the resolver and ``skip`` receive.

        The schema's defaults; or the ``controls=`` option, validated (and
        Liquid-compiled) like Novu's controls when the step has a control
        schema, handed over unchanged when it has none.
        """
        given = call.controls
        if given is not None and call.control_schema is None:
            return copy.deepcopy(dict(given))
        schema = self._control_schema(call)
        controls = DEFAULT_CONTROLS if given is None else dict(given)
        return self.controls(schema, call.step_id, controls, self.context)[1]

    def _control_schema(self, call: StepCall) -> Schema:
        if self.workflow.discovered:
            definition = self.workflow.step(call.step_id)
            if definition is not None and definition.type == call.type:
                return definition.control_schema
        return to_schema(call.control_schema)


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class Bridge:
    """The workflows of one bridge endpoint, discovered once.

    :param workflows: the :class:`~flask_novu.workflows.Workflow` objects.
    :param liquid_limits: limits of Liquid rendering.
    :raises WorkflowAlreadyExistsError: two workflows share an id.
    :raises WorkflowDiscoveryError: a workflow function failed during discovery.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        workflows: t.Iterable[Workflow] = (),
        *,
        liquid_limits: LiquidLimits | None = None,
    ) -> None:
        self.workflows: dict[str, Workflow] = {}
        self._bodies: dict[str, bytes] = {}
        self.liquid_limits = liquid_limits or LiquidLimits()
        #: Whether ``liquid_limits`` was given in code (``NOVU_LIQUID_LIMITS``
        #: applies only to bridges built without it).
        self.limits_given = liquid_limits is not None
        for item in workflows:
            self.add(item)

    def add(self, workflow: Workflow) -> None:
        """Register (and discover) one more workflow."""
        if not isinstance(workflow, Workflow):
            raise TypeError(f"expected a workflow defined with @workflow, got {workflow!r}")
        if workflow.workflow_id in self.workflows:
            raise WorkflowAlreadyExistsError(workflow.workflow_id)
        workflow.steps  # noqa: B018 - discover now: a broken workflow fails at registration
        if not workflow.payload_schema_given:
            logger.info(
                "workflow %r has no payload schema: discovery shows an empty one, and "
                "execute and preview pass any payload object through unchanged",
                workflow.workflow_id,
            )
        self.workflows[workflow.workflow_id] = workflow
        self._bodies.clear()

    def get(self, workflow_id: str) -> Workflow:
        try:
            return self.workflows[workflow_id]
        except KeyError:
            raise WorkflowNotFoundError(workflow_id) from None

    # -- GET actions -----------------------------------------------------------

    def health_check(self) -> dict[str, t.Any]:
        return {
            "status": "ok",
            "sdkVersion": __version__,
            "frameworkVersion": FRAMEWORK_VERSION,
            "discovered": {
                "workflows": len(self.workflows),
                "steps": sum(len(w.steps) for w in self.workflows.values()),
            },
        }

    def discover(self) -> dict[str, t.Any]:
        return {"workflows": [w.to_discover() for w in self.workflows.values()], "agents": []}

    def serialized(self, action: str) -> bytes:
        """The JSON body of ``health-check`` or ``discover``, built once."""
        body = self._bodies.get(action)
        if body is None:
            value = self.health_check() if action == "health-check" else self.discover()
            body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            self._bodies[action] = body
        return body

    def code(self, workflow_id: str, step_id: str = "") -> dict[str, str]:
        workflow = self.get(workflow_id)
        if not step_id:
            return {"code": source_of(workflow.fn)}
        definition = workflow.step(step_id)
        if definition is None:
            raise StepNotFoundError(step_id)
        return {"code": source_of(definition.resolver)}

    # -- POST actions ----------------------------------------------------------

    def execute(self, event: Event, *, async_to_sync: AsyncToSync | None = None) -> dict[str, t.Any]:
        """Answer an ``execute`` or ``preview`` event (the ExecuteOutput shape)."""
        started = time.perf_counter()
        workflow = self.get(event.workflow_id)
        preview = event.action == PREVIEW
        if not preview and event.payload is None:
            raise ExecutionEventPayloadInvalidError(
                workflow.workflow_id, {"message": "Event `payload` is required"}
            )
        payload = event.payload
        if preview:
            given = event.payload if isinstance(event.payload, dict) else {}
            payload = {**_mapping(mock_from_schema(workflow.payload_schema.json_schema)), **given}
        try:
            payload_json, payload_user = workflow.run_payload_schema.validate(payload)
        except SchemaValidationError as exc:
            raise ExecutionEventPayloadInvalidError(workflow.workflow_id, exc.errors) from None
        run = _BridgeRun(self, workflow, event, payload_json, async_to_sync or default_async_to_sync)
        execution = event.execution or Execution(event.action, event.workflow_id, event.step_id)
        extras = {
            "subscriber": event.subscriber,
            "context": event.context,
            "env": event.env,
            "controls": {},
            "execution": execution,
        }
        run.invoke(payload_user, extras)
        result = run.result or {"outputs": {}, "providers": {}, "options": {"skip": False}}
        result["metadata"] = {
            "status": "success",
            "error": False,
            "duration": (time.perf_counter() - started) * 1000,
        }
        return result


def _mapping(value: t.Any) -> dict[str, t.Any]:
    return value if isinstance(value, dict) else {}


def run_in_process(
    workflow: Workflow,
    to: str | t.Mapping[str, t.Any],
    payload: t.Mapping[str, t.Any] | None,
    metadata: t.Mapping[str, t.Any] | None = None,
    *,
    bridge: Bridge | None = None,
    async_to_sync: AsyncToSync | None = None,
) -> dict[str, t.Any]:
    """Run every step of ``workflow`` in order (:meth:`Workflow.trigger`)."""
    raw_payload = dict(payload or {})
    payload_json, payload_user = workflow.validate_payload(raw_payload)
    subscriber = {"subscriberId": to} if isinstance(to, str) else dict(to)
    run = _InProcessRun(
        bridge or _DEFAULT_BRIDGE,
        workflow,
        payload_json,
        subscriber,
        async_to_sync or default_async_to_sync,
    )
    extras = {"subscriber": subscriber, "context": {}, "env": {}, "controls": {}, "execution": None}
    run.invoke(payload_user, extras)
    return {
        "workflow_id": workflow.workflow_id,
        "status": "completed",
        "step_results": run.step_results,
        "payload": raw_payload,
    }


_DEFAULT_BRIDGE = Bridge()
