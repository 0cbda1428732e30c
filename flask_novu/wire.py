"""marshmallow schemas of the bridge's own request bodies.

They check the *shape* of what reaches the bridge (objects where objects are
expected, ``state`` a list of ``{stepId, outputs, state?}``); the workflow's
own schemas then validate the payload and controls. They also describe the
bridge in its OpenAPI document (``flask novu openapi``).

.. versionadded:: 0.1
"""

from __future__ import annotations

import typing as t

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from .errors import InvalidRequestError


class AnyOf(fields.Field):  # type: ignore[type-arg]
    """A field accepting a string or an object (``to``, ``actor``)."""

    default_error_messages = {"invalid": "Must be a string or an object."}

    def __init__(self, *, allow_list: bool = False, **kwargs: t.Any) -> None:
        self.allow_list = allow_list
        super().__init__(**kwargs)

    def _deserialize(self, value: t.Any, attr: t.Any, data: t.Any, **kwargs: t.Any) -> t.Any:
        if isinstance(value, (str, dict)) or (self.allow_list and isinstance(value, list)):
            return value
        raise self.make_error("invalid")


def _object(**kwargs: t.Any) -> fields.Dict:
    # JSON object keys are always strings: no per-key field, so loading an
    # object costs a shallow copy instead of a walk over its keys.
    return fields.Dict(**kwargs)


class StateEntrySchema(Schema):
    """The result of an already executed step."""

    class Meta:
        unknown = EXCLUDE

    stepId = fields.String(required=True)
    #: When absent, the engine answers as the SDK does (the step's result
    #: schema rejects it: "must be object").
    outputs = _object(load_default=None)
    state = _object(allow_none=True)


class ExecuteEventSchema(Schema):
    """Body of ``POST ?action=execute`` and ``?action=preview``."""

    class Meta:
        unknown = EXCLUDE

    #: Checked by the engine against the workflow's schemas, which answers a
    #: non-object with the SDK's own error codes ("must be object").
    payload = fields.Raw(allow_none=True, load_default=None)
    controls = fields.Raw(allow_none=True, load_default=dict)
    state = fields.List(fields.Nested(StateEntrySchema), allow_none=True, load_default=list)
    #: ``None`` when absent: Liquid then sees ``subscriber``/``context`` undefined.
    subscriber = _object(allow_none=True, load_default=None)
    context = _object(allow_none=True, load_default=None)
    env = _object(allow_none=True, load_default=dict)
    actor = AnyOf(allow_none=True, load_default=None)


class TriggerEventSchema(Schema):
    """Body of ``POST ?action=trigger`` (forwarded to the Novu API)."""

    class Meta:
        unknown = EXCLUDE

    to = AnyOf(required=True, allow_list=True)
    payload = _object(load_default=dict)
    transactionId = fields.String()
    overrides = _object(load_default=dict)
    actor = AnyOf()
    bridgeUrl = fields.String()
    controls = _object()
    context = _object()


class CompatExecuteSchema(Schema):
    """Body of the FastAPI-era ``POST <route>/workflows/<id>/execute``."""

    class Meta:
        unknown = EXCLUDE

    to = AnyOf(required=True)
    payload = _object(required=True)
    metadata = _object(allow_none=True, load_default=None)


EXECUTE_EVENT = ExecuteEventSchema()
TRIGGER_EVENT = TriggerEventSchema()
COMPAT_EXECUTE = CompatExecuteSchema()


def first_error(messages: t.Any, path: str = "") -> dict[str, str]:
    """The first marshmallow error as ``{"path": <JSON pointer>, "message"}``."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            sub = path if key == "_schema" else f"{path}/{key}"
            return first_error(value, sub)
    if isinstance(messages, list) and messages:
        return first_error(messages[0], path)
    return {"path": path, "message": str(messages)}


def load(schema: Schema, body: t.Any, what: str) -> dict[str, t.Any]:
    """Load ``body`` with ``schema``.

    :raises InvalidRequestError: with ``data`` = ``[{path, message}]``.
    """
    if not isinstance(body, dict):
        raise InvalidRequestError(
            f"The {what} must be a JSON object.", [{"path": "", "message": "must be object"}]
        )
    try:
        result: dict[str, t.Any] = schema.load(body)
    except ValidationError as exc:
        error = first_error(exc.messages)
        raise InvalidRequestError(
            f"The {what} is invalid: {error['path'] or '/'}: {error['message']}", [error]
        ) from None
    return result


_ABSENT: t.Any = object()


def load_event(body: t.Any) -> dict[str, t.Any]:
    """Load an execute/preview event: what :data:`EXECUTE_EVENT` loads.

    Well-formed events (every event Novu sends) take a direct path that
    builds exactly what the marshmallow schema would; anything else goes
    through the schema, which also words the error.

    :raises InvalidRequestError: the event is malformed.
    """
    loaded = _load_event_directly(body) if isinstance(body, dict) else None
    return loaded if loaded is not None else load(EXECUTE_EVENT, body, "event")


def _none() -> None:
    return None


def _object_or_none(value: t.Any, default: t.Any) -> t.Any:
    if value is _ABSENT:
        return default()
    if value is None or isinstance(value, dict):
        return value if value is None else dict(value)
    raise ValueError


def _load_event_directly(body: dict[str, t.Any]) -> dict[str, t.Any] | None:
    """``None`` when anything is off (the schema then says what)."""
    get = body.get
    try:
        state = get("state", _ABSENT)
        if state is _ABSENT:
            entries: list[dict[str, t.Any]] | None = []
        elif state is None:
            entries = None
        elif isinstance(state, list):
            entries = [_state_entry(entry) for entry in state]
        else:
            return None
        actor = get("actor")
        if actor is not None and not isinstance(actor, (str, dict)):
            return None
        controls = get("controls", _ABSENT)
        return {
            "payload": get("payload"),
            "controls": {} if controls is _ABSENT else controls,
            "state": entries,
            "subscriber": _object_or_none(get("subscriber", _ABSENT), _none),
            "context": _object_or_none(get("context", _ABSENT), _none),
            "env": _object_or_none(get("env", _ABSENT), dict),
            "actor": actor,
        }
    except ValueError:
        return None


def _state_entry(entry: t.Any) -> dict[str, t.Any]:
    if not isinstance(entry, dict) or not isinstance(entry.get("stepId"), str):
        raise ValueError
    outputs = entry.get("outputs", _ABSENT)
    loaded: dict[str, t.Any] = {"stepId": entry["stepId"]}
    if outputs is _ABSENT:
        loaded["outputs"] = None
    elif isinstance(outputs, dict):
        loaded["outputs"] = dict(outputs)
    else:
        raise ValueError
    if "state" in entry:
        loaded["state"] = _object_or_none(entry["state"], dict)
    return loaded


def load_compat(body: t.Any) -> dict[str, t.Any]:
    """Load a FastAPI-era execute body: what :data:`COMPAT_EXECUTE` loads,
    directly when well-formed, else through the schema (which words the error).

    :raises InvalidRequestError: the body is malformed.
    """
    if isinstance(body, dict):
        to, payload = body.get("to"), body.get("payload", _ABSENT)
        metadata = body.get("metadata")
        if (
            isinstance(to, (str, dict))
            and isinstance(payload, dict)
            and (metadata is None or isinstance(metadata, dict))
        ):
            return {
                "to": to,
                "payload": dict(payload),
                "metadata": None if metadata is None else dict(metadata),
            }
    return load(COMPAT_EXECUTE, body, "request body")
