"""Helpers for testing apps that serve a Novu bridge.

* :func:`sign_request` builds the ``novu-signature`` header Novu would send;
* :class:`NovuTestClient` is a Flask test client that signs every request
  with the app's ``NOVU_SECRET_KEY``::

      app.test_client_class = NovuTestClient
      response = app.test_client().get("/api/novu?action=discover")

* :func:`run_step` runs one step of a workflow through the real engine,
  without Flask or HTTP.

.. versionadded:: 0.1
"""

from __future__ import annotations

import typing as t

from flask.testing import FlaskClient
from werkzeug.datastructures import Headers

from .constants import SIGNATURE_HEADER
from .engine import EXECUTE, PREVIEW, Bridge, Event
from .execution import Execution
from .signature import compact_json, sign
from .settings import resolve_secret_keys
from .workflows import Workflow

__all__ = ["NovuTestClient", "run_step", "sign_request"]


def sign_request(
    secret: str, body: t.Any = None, timestamp_ms: int | None = None
) -> dict[str, str]:
    """The headers of a request signed as Novu signs it.

    :param secret: the Novu secret key.
    :param body: the exact request body (``bytes`` or ``str``) or a
        JSON-serialisable value, signed in its compact form (send it
        compact too); ``None`` for requests without a body (GET).
    :param timestamp_ms: milliseconds since the epoch; defaults to now.
    :returns: ``{"novu-signature": "t=...,v1=..."}``.

    .. versionadded:: 0.1
    """
    return {SIGNATURE_HEADER: sign(secret, body, timestamp_ms)}


class NovuTestClient(FlaskClient):
    """A test client whose requests carry a valid ``novu-signature``.

    The key is the first of the app's ``NOVU_SECRET_KEY`` (or the
    environment's), or :attr:`secret_key` when set. A ``json=`` body is sent
    as compact JSON, in the order given, exactly as it was signed. Requests
    that already carry a ``novu-signature`` header, or are made with
    ``sign=False``, are sent as they are; without any key nothing is signed.

    .. versionadded:: 0.1
    """

    #: Overrides the app's key when set.
    secret_key: str | None = None

    def signing_key(self) -> str | None:
        """The key requests are signed with (``None``: do not sign)."""
        if self.secret_key:
            return self.secret_key
        keys = resolve_secret_keys(self.application.config)
        return keys[0] if keys else None

    def open(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        do_sign = kwargs.pop("sign", True)
        key = self.signing_key() if do_sign else None
        # Only the common form open(path, method=..., data=/json=, headers=) is signed.
        if key is None or not args or not isinstance(args[0], str):
            return super().open(*args, **kwargs)
        headers = Headers(kwargs.pop("headers", None) or {})
        if SIGNATURE_HEADER in headers:
            kwargs["headers"] = headers
            return super().open(*args, **kwargs)
        if "json" in kwargs:
            kwargs["data"] = compact_json(kwargs.pop("json"))
            kwargs.setdefault("content_type", "application/json")
        body = kwargs.get("data")
        if isinstance(body, str):
            body = body.encode("utf-8")
        raw = body if isinstance(body, bytes) and body.strip() else None
        headers[SIGNATURE_HEADER] = sign(key, raw)
        kwargs["headers"] = headers
        return super().open(*args, **kwargs)


def _state_list(state: t.Any) -> list[dict[str, t.Any]]:
    if not state:
        return []
    if isinstance(state, t.Mapping):
        return [{"stepId": step_id, "outputs": outputs} for step_id, outputs in state.items()]
    return [dict(entry) for entry in state]


def run_step(
    workflow: Workflow,
    step_id: str,
    payload: t.Mapping[str, t.Any] | None = None,
    controls: t.Mapping[str, t.Any] | None = None,
    state: t.Mapping[str, t.Any] | t.Sequence[t.Mapping[str, t.Any]] | None = None,
    subscriber: t.Mapping[str, t.Any] | None = None,
    *,
    preview: bool = False,
    job_id: str | None = None,
) -> dict[str, t.Any]:
    """Run one step of ``workflow`` as Novu's ``execute`` (or ``preview``) would.

    :param workflow: the workflow.
    :param step_id: the step to run.
    :param payload: the event payload (``{}`` when omitted).
    :param controls: the step's controls (defaults apply).
    :param state: the results of the previous steps: ``{step_id: outputs}``
        or the wire list ``[{"stepId", "outputs"}]``.
    :param subscriber: the subscriber (``{"subscriberId": ...}``).
    :param preview: run a ``preview`` instead (mocked payload and state).
    :param job_id: the ``jobId`` Novu's worker would send; workflow code sees
        it as :attr:`Execution.job_id <flask_novu.execution.Execution.job_id>`
        (``None`` when omitted, as in a preview).
    :returns: ``{"outputs", "providers", "options", "metadata"}``.
    :raises NovuError: what the bridge would answer with, e.g.
        :class:`~flask_novu.errors.ExecutionStateCorruptError` when
        ``state`` lacks a previous step.

    .. versionadded:: 0.1
    """
    event = Event(
        action=PREVIEW if preview else EXECUTE,
        workflow_id=workflow.workflow_id,
        step_id=step_id,
        payload=dict(payload) if payload is not None else ({} if not preview else None),
        controls=dict(controls or {}),
        state=_state_list(state),
        subscriber=dict(subscriber or {}),
    )
    event.execution = Execution(event.action, workflow.workflow_id, step_id, job_id=job_id)
    return Bridge([workflow]).execute(event)
