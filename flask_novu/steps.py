"""The ``step`` object handed to workflow functions.

Three implementations share one method set (``in_app``, ``email``, ``sms``,
``push``, ``chat``, ``delay``, ``digest``, ``throttle``, ``custom``):

* :class:`DiscoveryStep` records the calls and runs nothing;
* :class:`SyncStep` (for ``def`` workflows) and :class:`AsyncStep` (for
  ``async def`` workflows, whose step calls are awaited) hand each call to a
  :class:`StepRunner` of the engine.
"""

from __future__ import annotations

import typing as t

from ._async import AsyncToSync, run_inline
from .workflows import StepCall, make_step_call


#: Returned by :meth:`StepRunner.replay` when the step's user code must run.
RUN: t.Any = object()


class StepRunner(t.Protocol):
    """What the engine provides to process one step call."""

    async_to_sync: AsyncToSync

    def replay(self, call: StepCall) -> t.Any:  # pragma: no cover - protocol
        """The step's result when no user code needs to run, else :data:`RUN`."""

    async def process(self, call: StepCall) -> t.Any:  # pragma: no cover - protocol
        ...


class Placeholder(dict):  # type: ignore[type-arg]
    """Stands in for payloads and step results during discovery.

    Any key or attribute read returns another placeholder, so a workflow
    function that reads ``payload["user"]["name"]`` or ``result.events``
    outside its resolvers does not crash while its steps are recorded. It is
    an empty, falsy dict that renders as ``""`` and can be awaited.
    """

    def __missing__(self, key: t.Any) -> Placeholder:
        return Placeholder()

    def __getattr__(self, name: str) -> Placeholder:
        if name.startswith("__"):
            raise AttributeError(name)
        return Placeholder()

    def get(self, key: t.Any, default: t.Any = None) -> t.Any:
        return Placeholder() if default is None else default

    def __str__(self) -> str:
        return ""

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return ""

    def __await__(self) -> t.Generator[t.Any, None, Placeholder]:
        return self
        yield  # pragma: no cover

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> Placeholder:
        return Placeholder()

    def __index__(self) -> int:
        return 0

    __int__ = __index__

    def __float__(self) -> float:
        return 0.0

    def _same(self, *args: t.Any) -> Placeholder:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = _same

    def _false(self, other: t.Any) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = _false

    __hash__ = None


def placeholder() -> Placeholder:
    return Placeholder()


_DOC = """Declare (and, at execution, run) a ``{type}`` step.

:param step_id: unique id of the step within the workflow.
:param resolver: a dict, a callable without arguments or a callable taking
    the validated controls; may be ``async def``.
:param control_schema: schema of the step's controls (marshmallow, pydantic
    or JSON Schema); ``controlSchema=`` is accepted too.
:keyword skip: ``skip(controls) -> bool``.
:keyword providers: ``{{provider_id: resolver}}`` provider overrides
    (channel steps).
:keyword disable_output_sanitization: keep HTML in the outputs as is.
:keyword output_schema: the outputs schema (``custom`` steps only).
:returns: the step's result (what later steps may use).
"""

_METHODS = (
    ("in_app", "in_app"),
    ("inApp", "in_app"),
    ("email", "email"),
    ("sms", "sms"),
    ("push", "push"),
    ("chat", "chat"),
    ("delay", "delay"),
    ("digest", "digest"),
    ("throttle", "throttle"),
    ("custom", "custom"),
)


class _StepMethods:
    """Generates the step methods of a subclass from its ``_call`` method."""

    def _call(self, call: StepCall) -> t.Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        for method_name, step_type in _METHODS:
            setattr(cls, method_name, _make_method(cls, step_type))


def _make_method(cls: type, step_type: str) -> t.Callable[..., t.Any]:
    is_async = getattr(cls, "_is_async", False)

    def build(step_id: t.Any, resolver: t.Any, control_schema: t.Any, options: t.Any) -> StepCall:
        return make_step_call(step_type, step_id, resolver, control_schema, options)

    if is_async:

        async def async_method(
            self: t.Any,
            step_id: str,
            resolver: t.Any = None,
            control_schema: t.Any = None,
            **options: t.Any,
        ) -> t.Any:
            return await self._call(build(step_id, resolver, control_schema, options))

        method: t.Callable[..., t.Any] = async_method
    else:

        def sync_method(
            self: t.Any,
            step_id: str,
            resolver: t.Any = None,
            control_schema: t.Any = None,
            **options: t.Any,
        ) -> t.Any:
            return self._call(build(step_id, resolver, control_schema, options))

        method = sync_method
    method.__name__ = step_type
    method.__doc__ = _DOC.format(type=step_type)
    return method


class DiscoveryStep(_StepMethods):
    """Records step calls; returns placeholders (awaitable) and runs nothing."""

    def __init__(self) -> None:
        self.calls: list[StepCall] = []

    def _call(self, call: StepCall) -> Placeholder:
        self.calls.append(call)
        return Placeholder()


class SyncStep(_StepMethods):
    """The ``step`` object of ``def`` workflows."""

    def __init__(self, runner: StepRunner) -> None:
        self._runner = runner

    def _call(self, call: StepCall) -> t.Any:
        runner = self._runner
        result = runner.replay(call)
        if result is not RUN:
            return result
        if call.needs_event_loop:
            return runner.async_to_sync(runner.process)(call)
        return run_inline(runner.process(call))


class AsyncStep(_StepMethods):
    """The ``step`` object of ``async def`` workflows: step calls are awaited."""

    _is_async = True

    def __init__(self, runner: StepRunner) -> None:
        self._runner = runner

    async def _call(self, call: StepCall) -> t.Any:
        result = self._runner.replay(call)
        if result is not RUN:
            return result
        return await self._runner.process(call)

