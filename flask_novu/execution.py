"""The identity of one execution, as Novu's servers send it.

Novu calls a bridge with query keys besides ``action``, ``workflowId`` and
``stepId``: its worker adds ``jobId`` (the id of the job, the same on every
retry of it) to ``execute``; newer servers add ``environmentType`` to every
call, and ``layoutId`` and ``skipLayoutRendering`` to ``preview``.
:class:`Execution` carries them to workflow code, which names an
``execution`` parameter to receive it, or calls :func:`current_execution`::

    @workflow("invoice-paid")
    def invoice_paid(payload, step, execution):
        def send(controls):
            if execution.job_id:  # None in previews
                ledger.record_once(key=execution.job_id, amount=payload["amount"])
            return {"subject": "Paid", "body": "..."}

        step.email("receipt", send)

Outside a Novu request (:meth:`~flask_novu.Workflow.trigger`, the FastAPI-era
compat route, :func:`~flask_novu.testing.run_step` without an execution) the
parameter is ``None``, and so is :func:`current_execution`.

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextvars
import typing as t
from dataclasses import dataclass

__all__ = ["Execution", "current_execution", "execution_from_query"]

#: Query values Novu sends for "nothing": ``URLSearchParams.set(key, undefined)``
#: writes the string ``undefined``.
_ABSENT = ("", "undefined", "null")


@dataclass(frozen=True)
class Execution:
    """Who is asking: one ``execute`` or ``preview`` request of Novu.

    :param action: ``"execute"`` or ``"preview"``.
    :param workflow_id: the workflow run (``workflowId``).
    :param step_id: the step Novu asked for (``stepId``).
    :param job_id: Novu's id of the job (``jobId``), sent by Novu's worker on
        ``execute``; every retry of the same job sends the same id, two
        triggers never share one. ``None`` when not sent (previews, older
        Novu servers).
    :param environment_type: the type of the Novu environment
        (``environmentType``) as Novu sends it, ``None`` when not sent.
    :param layout_id: the email layout of a ``preview`` (``layoutId``),
        ``None`` when not sent.
    :param skip_layout_rendering: whether Novu asked to preview without the
        layout (``skipLayoutRendering=true``).
    """

    action: str
    workflow_id: str
    step_id: str
    job_id: str | None = None
    environment_type: str | None = None
    layout_id: str | None = None
    skip_layout_rendering: bool = False

    @property
    def is_preview(self) -> bool:
        """Whether this is a ``preview`` (nothing is delivered)."""
        return self.action == "preview"


def _value(query: t.Mapping[str, str], name: str) -> str | None:
    value = query.get(name)
    if value is None or value.strip() in _ABSENT:
        return None
    return value


def execution_from_query(
    action: str, workflow_id: str, step_id: str, query: t.Mapping[str, str]
) -> Execution:
    """The :class:`Execution` of a request's query keys (``jobId``,
    ``environmentType``, ``layoutId``, ``skipLayoutRendering``); keys not
    sent, empty or ``undefined`` are ``None``."""
    return Execution(
        action=action,
        workflow_id=workflow_id,
        step_id=step_id,
        job_id=_value(query, "jobId"),
        environment_type=_value(query, "environmentType"),
        layout_id=_value(query, "layoutId"),
        skip_layout_rendering=(query.get("skipLayoutRendering") or "").strip().lower() == "true",
    )


_CURRENT: contextvars.ContextVar[Execution | None] = contextvars.ContextVar(
    "flask_novu_execution", default=None
)


def current_execution() -> Execution | None:
    """The :class:`Execution` being run, from anywhere in workflow code
    (resolvers, ``skip``, providers, helpers they call); ``None`` outside a
    Novu request."""
    return _CURRENT.get()


def _activate(execution: Execution | None) -> contextvars.Token[Execution | None]:
    return _CURRENT.set(execution)


def _deactivate(token: contextvars.Token[Execution | None]) -> None:
    _CURRENT.reset(token)
