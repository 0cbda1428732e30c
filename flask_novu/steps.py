"""The ``step`` object handed to workflow functions.

:class:`Step` (for ``def`` workflows) and :class:`AsyncStep` (for ``async
def`` workflows, whose step calls are awaited) declare one typed method per
step kind of :data:`~flask_novu.step_kinds.STEP_KINDS`, so type checkers and
editors know them and their results::

    from flask_novu import Step, workflow

    @workflow("reminder")
    def reminder(payload: dict, step: Step) -> None:
        waited = step.delay("wait", {"amount": 1, "unit": "hours"})
        step.sms("text", lambda: {"body": f"waited {waited['duration']} ms"})

Each method hands a :class:`~flask_novu.workflows.StepCall` to a
:class:`StepRunner` of the engine; :class:`DiscoveryStep` records the calls
and runs nothing.
"""

from __future__ import annotations

import typing as t

from ._async import AsyncToSync, run_inline
from .step_kinds import (
    STEP_KINDS,
    ChatResult,
    CustomResult,
    DelayResult,
    DigestResult,
    EmailResult,
    InAppResult,
    PushResult,
    SmsResult,
    ThrottleResult,
    ToolResult,
)
from .workflows import Resolver, StepCall, make_step_call

#: ``skip``: a predicate of the controls (``skip(controls) -> bool``), or a boolean.
Skip = t.Union[bool, t.Callable[..., t.Any]]


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


def _build(
    step_type: str,
    step_id: t.Any,
    resolver: t.Any,
    control_schema: t.Any,
    options: dict[str, t.Any],
    **declared: t.Any,
) -> StepCall:
    for key, value in declared.items():
        if value is not None:
            options[key] = value
    return make_step_call(step_type, step_id, resolver, control_schema, options)


class Step:
    """The ``step`` object of ``def`` workflows.

    Every method declares (at discovery) and runs (at execution) one step:

    :param step_id: unique id of the step within the workflow.
    :param resolver: the step's outputs: a dict, a callable without
        arguments or a callable taking the validated controls; may be
        ``async def``.
    :param control_schema: schema of the step's controls (marshmallow,
        pydantic or JSON Schema); ``controlSchema=`` is accepted too.
    :keyword skip: ``skip(controls) -> bool`` (or a boolean): skip the step.
    :keyword providers: ``{provider_id: resolver}`` provider overrides
        (channel steps).
    :keyword disable_output_sanitization: keep HTML in the outputs as is
        (channel steps; ``disableOutputSanitization=`` too).
    :keyword output_schema: the outputs schema (``custom`` steps only;
        ``outputSchema=`` too).
    :keyword controls: the controls of an in-process run (the earlier
        framework's option).

    Each returns the step's result (what later steps may use), typed per
    kind (:mod:`flask_novu.step_kinds`).

    .. versionadded:: 0.1
    """

    def __init__(self, runner: StepRunner) -> None:
        self._runner = runner

    _build = staticmethod(_build)

    def _call(self, call: StepCall) -> t.Any:
        runner = self._runner
        result = runner.replay(call)
        if result is not RUN:
            return result
        if call.needs_event_loop:
            return runner.async_to_sync(runner.process)(call)
        return run_inline(runner.process(call))

    def email(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> EmailResult:
        """Send an email. The outputs are ``subject`` and ``body`` (HTML, sanitised unless
        ``disable_output_sanitization``), optionally ``from``, ``replyTo``, ``preheader``,
        ``useProviderDefaults``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.EmailResult`.
        """
        call = self._build(
            "email", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(EmailResult, self._call(call))

    def sms(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> SmsResult:
        """Send an SMS. The outputs are ``body``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.SmsResult`.
        """
        call = self._build(
            "sms", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(SmsResult, self._call(call))

    def push(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> PushResult:
        """Send a push notification. The outputs are ``subject`` and ``body``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.PushResult`.
        """
        call = self._build(
            "push", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(PushResult, self._call(call))

    def chat(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> ChatResult:
        """Send a chat message. The outputs are ``body`` and/or a ``card``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.ChatResult`.
        """
        call = self._build(
            "chat", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(ChatResult, self._call(call))

    def in_app(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> InAppResult:
        """Send an in-app (Inbox) notification. The outputs are ``body``, optionally
        ``subject``, ``avatar``, ``primaryAction``, ``secondaryAction``, ``data``,
        ``redirect`` (sanitised unless ``disable_output_sanitization``). The result
        says whether the subscriber has seen and read it.

        :returns: the step's result, :class:`~flask_novu.step_kinds.InAppResult`.
        """
        call = self._build(
            "in_app", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(InAppResult, self._call(call))

    def tool(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> ToolResult:
        """Deliver a payload to an external tool (PagerDuty, Opsgenie, a webhook...).
        The outputs are ``body``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.ToolResult`.
        """
        call = self._build(
            "tool", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(ToolResult, self._call(call))

    def digest(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> DigestResult:
        """Collect the events of a time window into one. The outputs are the window
        (``amount`` and ``unit``, or a ``cron``); the result's ``events`` are the
        collected events.

        :returns: the step's result, :class:`~flask_novu.step_kinds.DigestResult`.
        """
        call = self._build(
            "digest", step_id, resolver, control_schema, options,
            skip=skip, controls=controls,
        )
        return t.cast(DigestResult, self._call(call))

    def delay(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> DelayResult:
        """Wait before the next step. The outputs are ``amount`` and ``unit`` (or
        a ``timed`` or ``dynamic`` delay); the result's ``duration`` is how long it
        waited.

        :returns: the step's result, :class:`~flask_novu.step_kinds.DelayResult`.
        """
        call = self._build(
            "delay", step_id, resolver, control_schema, options,
            skip=skip, controls=controls,
        )
        return t.cast(DelayResult, self._call(call))

    def throttle(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> ThrottleResult:
        """Limit how often the workflow runs. The outputs are the window and the
        ``threshold``; the result says whether this execution was ``throttled``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.ThrottleResult`.
        """
        call = self._build(
            "throttle", step_id, resolver, control_schema, options,
            skip=skip, controls=controls,
        )
        return t.cast(ThrottleResult, self._call(call))

    def custom(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        output_schema: t.Any = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> CustomResult:
        """Run custom code. Its outputs (validated by ``output_schema`` when given)
        are its result.

        :returns: the step's result, :class:`~flask_novu.step_kinds.CustomResult`.
        """
        call = self._build(
            "custom", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, output_schema=output_schema,
        )
        return t.cast(CustomResult, self._call(call))

    #: The SDK's name of :meth:`in_app`.
    inApp = in_app


#: The earlier name of :class:`Step`.
SyncStep = Step


class AsyncStep:
    """The ``step`` object of ``async def`` workflows: the methods of
    :class:`Step`, awaited (``await step.email(...)``).

    .. versionadded:: 0.1
    """

    def __init__(self, runner: StepRunner) -> None:
        self._runner = runner

    _build = staticmethod(_build)

    async def _call(self, call: StepCall) -> t.Any:
        result = self._runner.replay(call)
        if result is not RUN:
            return result
        return await self._runner.process(call)

    async def email(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> EmailResult:
        """Send an email. The outputs are ``subject`` and ``body`` (HTML, sanitised unless
        ``disable_output_sanitization``), optionally ``from``, ``replyTo``, ``preheader``,
        ``useProviderDefaults``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.EmailResult`.
        """
        call = self._build(
            "email", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(EmailResult, await self._call(call))

    async def sms(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> SmsResult:
        """Send an SMS. The outputs are ``body``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.SmsResult`.
        """
        call = self._build(
            "sms", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(SmsResult, await self._call(call))

    async def push(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> PushResult:
        """Send a push notification. The outputs are ``subject`` and ``body``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.PushResult`.
        """
        call = self._build(
            "push", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(PushResult, await self._call(call))

    async def chat(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> ChatResult:
        """Send a chat message. The outputs are ``body`` and/or a ``card``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.ChatResult`.
        """
        call = self._build(
            "chat", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(ChatResult, await self._call(call))

    async def in_app(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> InAppResult:
        """Send an in-app (Inbox) notification. The outputs are ``body``, optionally
        ``subject``, ``avatar``, ``primaryAction``, ``secondaryAction``, ``data``,
        ``redirect`` (sanitised unless ``disable_output_sanitization``). The result
        says whether the subscriber has seen and read it.

        :returns: the step's result, :class:`~flask_novu.step_kinds.InAppResult`.
        """
        call = self._build(
            "in_app", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(InAppResult, await self._call(call))

    async def tool(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        providers: t.Mapping[str, Resolver] | None = None,
        disable_output_sanitization: bool | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> ToolResult:
        """Deliver a payload to an external tool (PagerDuty, Opsgenie, a webhook...).
        The outputs are ``body``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.ToolResult`.
        """
        call = self._build(
            "tool", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, providers=providers, disable_output_sanitization=disable_output_sanitization,
        )
        return t.cast(ToolResult, await self._call(call))

    async def digest(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> DigestResult:
        """Collect the events of a time window into one. The outputs are the window
        (``amount`` and ``unit``, or a ``cron``); the result's ``events`` are the
        collected events.

        :returns: the step's result, :class:`~flask_novu.step_kinds.DigestResult`.
        """
        call = self._build(
            "digest", step_id, resolver, control_schema, options,
            skip=skip, controls=controls,
        )
        return t.cast(DigestResult, await self._call(call))

    async def delay(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> DelayResult:
        """Wait before the next step. The outputs are ``amount`` and ``unit`` (or
        a ``timed`` or ``dynamic`` delay); the result's ``duration`` is how long it
        waited.

        :returns: the step's result, :class:`~flask_novu.step_kinds.DelayResult`.
        """
        call = self._build(
            "delay", step_id, resolver, control_schema, options,
            skip=skip, controls=controls,
        )
        return t.cast(DelayResult, await self._call(call))

    async def throttle(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> ThrottleResult:
        """Limit how often the workflow runs. The outputs are the window and the
        ``threshold``; the result says whether this execution was ``throttled``.

        :returns: the step's result, :class:`~flask_novu.step_kinds.ThrottleResult`.
        """
        call = self._build(
            "throttle", step_id, resolver, control_schema, options,
            skip=skip, controls=controls,
        )
        return t.cast(ThrottleResult, await self._call(call))

    async def custom(
        self,
        step_id: str,
        resolver: Resolver,
        control_schema: t.Any = None,
        *,
        skip: Skip | None = None,
        output_schema: t.Any = None,
        controls: t.Mapping[str, t.Any] | None = None,
        **options: t.Any,
    ) -> CustomResult:
        """Run custom code. Its outputs (validated by ``output_schema`` when given)
        are its result.

        :returns: the step's result, :class:`~flask_novu.step_kinds.CustomResult`.
        """
        call = self._build(
            "custom", step_id, resolver, control_schema, options,
            skip=skip, controls=controls, output_schema=output_schema,
        )
        return t.cast(CustomResult, await self._call(call))

    #: The SDK's name of :meth:`in_app`.
    inApp = in_app


class DiscoveryStep(Step):
    """Records step calls; returns placeholders (awaitable, so ``async def``
    workflows are discovered too) and runs nothing."""

    def __init__(self) -> None:
        self.calls: list[StepCall] = []

    def _call(self, call: StepCall) -> Placeholder:
        self.calls.append(call)
        return Placeholder()


def _check_methods() -> None:
    """Every step kind has its method on both step classes (import-time check)."""
    for kind in STEP_KINDS:
        for cls in (Step, AsyncStep):
            for name in (kind.method, *kind.aliases):
                if not callable(getattr(cls, name, None)):  # pragma: no cover - a new kind
                    raise TypeError(f"{cls.__name__} has no method {name}() for {kind.type} steps")


_check_methods()
