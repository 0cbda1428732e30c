"""The step kinds: one registry entry each, and the types of their results.

Everything that differs between step kinds is in :data:`STEP_KINDS`: the
method of the ``step`` object, whether it is a channel (provider overrides,
workflow preferences), whether its outputs are HTML-sanitised, and what it
returns to later steps in an in-process run (:meth:`Workflow.trigger
<flask_novu.Workflow.trigger>`). The schemas of each kind come from the
catalogue generated from the SDK (:mod:`flask_novu.step_schemas`).

Adding a step kind: its entry here, its schemas in the catalogue, and its
typed method on :class:`~flask_novu.steps.Step` and
:class:`~flask_novu.steps.AsyncStep` (a test checks the three agree).

This module does not import Flask.

.. versionadded:: 0.1
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StepKind:
    """One kind of step.

    :param type: the type in discovery (``in_app``).
    :param method: the method of the ``step`` object (``in_app``).
    :param aliases: other names of the method (``inApp``, the SDK's).
    :param channel: a channel step (providers, workflow preferences).
    :param preference: its key in workflow preferences (``inApp``).
    :param sanitized: its outputs are HTML-sanitised (as in SDK 2.13.2).
    :param in_process_result: what later steps see as its result in an
        in-process run (nothing waits or collects there), merged under the
        outputs; ``None`` for the outputs alone.
    """

    type: str
    method: str
    aliases: tuple[str, ...] = ()
    channel: bool = False
    preference: str | None = None
    sanitized: bool = False
    in_process_result: t.Mapping[str, t.Any] | None = field(default=None)


#: Every step kind, in the SDK's order.
STEP_KINDS: tuple[StepKind, ...] = (
    StepKind("email", "email", channel=True, preference="email", sanitized=True),
    StepKind("sms", "sms", channel=True, preference="sms"),
    StepKind("push", "push", channel=True, preference="push"),
    StepKind("chat", "chat", channel=True, preference="chat"),
    StepKind(
        "in_app",
        "in_app",
        aliases=("inApp",),
        channel=True,
        preference="inApp",
        sanitized=True,
        in_process_result={"seen": False, "read": False, "lastSeenDate": None, "lastReadDate": None},
    ),
    StepKind("tool", "tool", channel=True, preference="tool"),
    StepKind("digest", "digest", in_process_result={"events": [], "eventCount": 0}),
    StepKind("delay", "delay", in_process_result={"duration": 0}),
    StepKind("throttle", "throttle", in_process_result={"throttled": False}),
    StepKind("custom", "custom"),
)

#: The kinds by discovery type.
BY_TYPE: t.Mapping[str, StepKind] = {kind.type: kind for kind in STEP_KINDS}
#: Step types whose outputs are HTML-sanitised.
SANITIZED_STEP_TYPES = frozenset(kind.type for kind in STEP_KINDS if kind.sanitized)
#: Workflow preference channels: the SDK's key (and the Python spelling) to
#: the wire's.
PREFERENCE_CHANNELS: t.Mapping[str, str] = {
    **{kind.preference: kind.type for kind in STEP_KINDS if kind.preference},
    **{kind.type: kind.type for kind in STEP_KINDS if kind.preference},
}
#: What each kind returns to later steps in an in-process run.
IN_PROCESS_RESULTS: t.Mapping[str, t.Mapping[str, t.Any]] = {
    kind.type: kind.in_process_result for kind in STEP_KINDS if kind.in_process_result is not None
}


# -- results -----------------------------------------------------------------------
# What a step call returns to the workflow function (the step's result as
# Novu reports it in the execution state).


class EmailResult(t.TypedDict):
    """The result of an ``email`` step (empty)."""


class SmsResult(t.TypedDict):
    """The result of an ``sms`` step (empty)."""


class PushResult(t.TypedDict):
    """The result of a ``push`` step (empty)."""


class ChatResult(t.TypedDict):
    """The result of a ``chat`` step (empty)."""


class ToolResult(t.TypedDict):
    """The result of a ``tool`` step (empty)."""


class InAppResult(t.TypedDict):
    """The result of an ``in_app`` step: whether the subscriber saw and read it."""

    seen: bool
    read: bool
    lastSeenDate: t.Optional[str]
    lastReadDate: t.Optional[str]


class DigestEvent(t.TypedDict):
    """One event collected by a digest."""

    id: str
    time: str
    payload: t.Dict[str, t.Any]


class _DigestResult(t.TypedDict):
    events: t.List[DigestEvent]


class DigestResult(_DigestResult, total=False):
    """The result of a ``digest`` step: the collected events."""

    eventCount: float


class DelayResult(t.TypedDict):
    """The result of a ``delay`` step: how long it waited."""

    duration: float


class _ThrottleResult(t.TypedDict):
    throttled: bool


class ThrottleResult(_ThrottleResult, total=False):
    """The result of a ``throttle`` step."""

    executionCount: float
    threshold: float
    windowStart: str


#: The result of a ``custom`` step: its outputs, as validated by its output schema.
CustomResult = t.Dict[str, t.Any]
