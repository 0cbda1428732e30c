"""One interface over the schema flavours Flask-Novu accepts.

A workflow's payload schema, a step's control or output schema may be given
as a JSON Schema ``dict``, a marshmallow ``Schema`` (class or instance) or a
pydantic v2 model class. :func:`to_schema` wraps any of them in a
:class:`Schema` that

* shows a self-contained JSON Schema in discovery (:attr:`Schema.json_schema`),
* validates incoming JSON, returning both the JSON value the bridge continues
  with and the value user code receives (a ``dict`` for JSON Schema and
  marshmallow, a model instance for pydantic).

marshmallow and pydantic are optional; they are only looked at when the
object passed in comes from them. This module does not import Flask.
"""

from __future__ import annotations

import abc
import datetime
import decimal
import enum
import functools
import sys
import types
import typing as t
import uuid
from collections.abc import Mapping

from .validation import JsonSchemaValidator, SchemaValidationError, clone_json

if t.TYPE_CHECKING:  # pragma: no cover
    import marshmallow
    import pydantic

__all__ = [
    "EMPTY_SCHEMA",
    "JsonSchemaAdapter",
    "MarshmallowAdapter",
    "PydanticAdapter",
    "Schema",
    "SchemaValidationError",
    "is_schema_like",
    "to_schema",
]

#: The SDK's empty schema: an object that keeps no property at all.
EMPTY_SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": False,
}


class Schema(abc.ABC):
    """A validated schema, built once at registration time."""

    #: The JSON Schema discovery shows for it.
    json_schema: dict[str, t.Any]

    @abc.abstractmethod
    def validate(self, data: t.Any) -> tuple[t.Any, t.Any]:
        """Validate *data* (never modified).

        :returns: ``(json_value, user_value)``.
        :raises SchemaValidationError: with ``[{"path", "message"}]`` items.
        """

    def validate_defaults(self) -> tuple[t.Any, t.Any]:
        """``validate({})``: the values of an object given nothing (its defaults).

        :raises SchemaValidationError: as :meth:`validate`.
        """
        return self.validate({})

    @abc.abstractmethod
    def to_user(self, json_value: t.Any) -> t.Any:
        """The value user code sees for an already validated JSON value.

        :raises SchemaValidationError: if the value no longer validates.
        """


# --------------------------------------------------------------------------
# JSON Schema
# --------------------------------------------------------------------------

_UNSET: t.Any = object()


def _is_object_json_schema(obj: t.Any) -> bool:
    """The SDK's test for a JSON Schema it can validate."""
    return isinstance(obj, dict) and (
        obj.get("type") == "object" or any(bool(obj.get(k)) for k in ("anyOf", "allOf", "oneOf"))
    )


class JsonSchemaAdapter(Schema):
    """A JSON Schema ``dict``, validated with the SDK's Ajv semantics.

    :param schema: an object JSON Schema (``type: "object"`` or a
        ``anyOf``/``allOf``/``oneOf``).
    :param what: what the schema is for, used in error messages.
    :raises ValueError: the schema is not an object JSON Schema or invalid.
    """

    def __init__(self, schema: dict[str, t.Any], *, what: str = "schema") -> None:
        if not _is_object_json_schema(schema):
            raise ValueError(
                f"Invalid {what}: a JSON Schema must have type 'object' or anyOf/allOf/oneOf"
            )
        try:
            self._validator = JsonSchemaValidator.shared(schema)
        except ValueError as exc:
            raise ValueError(f"Invalid {what}: {exc}") from exc
        self.json_schema = schema
        self._defaults: t.Any = _UNSET

    def validate(self, data: t.Any) -> tuple[t.Any, t.Any]:
        value = self._validator.validate(data)
        return value, value

    def validate_defaults(self) -> tuple[t.Any, t.Any]:
        # JSON Schema defaults are constants: validate ``{}`` once (a failure
        # is not remembered, so it is raised again each time).
        if self._defaults is _UNSET:
            self._defaults = self._validator.validate({})
        value = clone_json(self._defaults)
        return value, value

    def to_user(self, json_value: t.Any) -> t.Any:
        return json_value


# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------


def _json_safe(value: t.Any) -> t.Any:
    """Convert the values marshmallow may dump into plain JSON types."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return _json_safe(value.value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _inline_refs(
    schema: dict[str, t.Any], definitions: Mapping[str, t.Any], prefix: str
) -> dict[str, t.Any]:
    """Replace ``{"$ref": prefix + name}`` by the definition, recursively.

    A definition that contains itself stays a reference to ``#/$defs/<name>``
    and is kept under ``$defs`` of the result, so the schema is always
    self-contained.
    """
    kept: dict[str, t.Any] = {}

    def visit(node: t.Any, stack: tuple[str, ...]) -> t.Any:
        if isinstance(node, list):
            return [visit(v, stack) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(prefix) and ref[len(prefix) :] in definitions:
            name = ref[len(prefix) :]
            siblings = {k: visit(v, stack) for k, v in node.items() if k != "$ref"}
            if name in stack:
                if name not in kept:
                    kept[name] = None  # reserve before visiting (recursion)
                    kept[name] = visit(definitions[name], (name,))
                return {"$ref": f"#/$defs/{name}", **siblings}
            return {**visit(definitions[name], stack + (name,)), **siblings}
        return {k: visit(v, stack) for k, v in node.items()}

    result = visit({k: v for k, v in schema.items() if k != "$defs"}, ())
    if kept:
        result["$defs"] = kept
    return t.cast("dict[str, t.Any]", result)


# --------------------------------------------------------------------------
# marshmallow
# --------------------------------------------------------------------------


def _marshmallow_schema_instance(obj: t.Any) -> marshmallow.Schema | None:
    ma = sys.modules.get("marshmallow")
    if ma is None:
        return None
    if isinstance(obj, type) and issubclass(obj, ma.Schema):
        return t.cast("marshmallow.Schema", obj())
    if isinstance(obj, ma.Schema):
        return t.cast("marshmallow.Schema", obj)
    return None


def _marshmallow_error(messages: t.Any, path: tuple[str, ...] = ()) -> dict[str, str]:
    """The first error of a marshmallow ``ValidationError.messages``."""
    if isinstance(messages, Mapping) and messages:
        key, value = next(iter(messages.items()))
        sub = path if key == "_schema" else path + (str(key),)
        return _marshmallow_error(value, sub)
    if isinstance(messages, (list, tuple)) and messages:
        return _marshmallow_error(messages[0], path)
    return {"path": "".join("/" + p for p in path), "message": str(messages)}


def _strip_unknown(schema: marshmallow.Schema, data: Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Copy of *data* without keys the schema (or a nested one) does not load."""
    from marshmallow import fields

    result: dict[str, t.Any] = {}
    by_key = {field.data_key or name: field for name, field in schema.load_fields.items()}
    for key, value in data.items():
        field = by_key.get(key)
        if field is not None:
            result[key] = _strip_field(field, value, fields)
    return result


def _strip_field(field: t.Any, value: t.Any, fields: t.Any) -> t.Any:
    if isinstance(field, fields.Nested) and not isinstance(field, fields.Pluck):
        nested = field.schema
        if isinstance(value, Mapping) and not field.many:
            return _strip_unknown(nested, value)
        if isinstance(value, list) and field.many:
            return [_strip_unknown(nested, v) if isinstance(v, Mapping) else v for v in value]
    elif isinstance(field, fields.List) and isinstance(value, list):
        return [_strip_field(field.inner, v, fields) for v in value]
    return value


def _close_objects(node: t.Any) -> t.Any:
    """Mark every marshmallow object schema ``additionalProperties: false``."""
    if isinstance(node, list):
        return [_close_objects(v) for v in node]
    if not isinstance(node, dict):
        return node
    result = {k: _close_objects(v) for k, v in node.items()}
    if result.get("type") == "object" and isinstance(result.get("properties"), dict):
        result["additionalProperties"] = False
    return result


def _marshmallow_json_schema(schema: marshmallow.Schema) -> dict[str, t.Any]:
    try:
        from apispec import APISpec
        from apispec.ext.marshmallow import MarshmallowPlugin
    except ImportError as exc:  # pragma: no cover
        raise ImportError(
            "marshmallow schemas need the 'apispec' package: pip install apispec"
        ) from exc

    def name_of(nested: t.Any) -> str:
        cls = nested if isinstance(nested, type) else type(nested)
        return f"{cls.__module__}.{cls.__qualname__}".replace("/", ".")

    plugin = MarshmallowPlugin(schema_name_resolver=name_of)
    spec = APISpec(title="flask-novu", version="1", openapi_version="3.1.0", plugins=[plugin])
    converter: t.Any = plugin.converter
    root: dict[str, t.Any] = converter.schema2jsonschema(schema)
    root.setdefault("required", [])
    definitions = spec.to_dict().get("components", {}).get("schemas", {})
    inlined = _inline_refs(root, definitions, "#/components/schemas/")
    return t.cast("dict[str, t.Any]", _close_objects(inlined))


class MarshmallowAdapter(Schema):
    """A marshmallow schema; unknown fields are removed (``EXCLUDE``).

    :param schema: the schema instance (created once and reused; marshmallow
        schemas are safe to share between threads for ``load``/``dump``).
    """

    def __init__(self, schema: marshmallow.Schema) -> None:
        if getattr(schema, "many", False):
            raise ValueError("Invalid schema: a marshmallow schema with many=True is not an object")
        self._schema = schema
        self.json_schema = _marshmallow_json_schema(schema)

    def validate(self, data: t.Any) -> tuple[t.Any, t.Any]:
        user = self._load(data)
        return _json_safe(self._schema.dump(user)), user

    def to_user(self, json_value: t.Any) -> t.Any:
        return self._load(json_value)

    def _load(self, data: t.Any) -> t.Any:
        from marshmallow import EXCLUDE, ValidationError

        if not isinstance(data, Mapping):
            raise SchemaValidationError([{"path": "", "message": "must be object"}])
        try:
            return self._schema.load(_strip_unknown(self._schema, data), unknown=EXCLUDE)
        except ValidationError as exc:
            raise SchemaValidationError([_marshmallow_error(exc.messages)], exc) from None


# --------------------------------------------------------------------------
# pydantic
# --------------------------------------------------------------------------


def _is_class(obj: t.Any) -> bool:
    # On Python 3.9 ``dict[str, Any]`` passes isinstance(obj, type) but
    # issubclass() rejects it.
    return isinstance(obj, type) and not isinstance(obj, types.GenericAlias)


def _is_pydantic_model(obj: t.Any) -> bool:
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and _is_class(obj) and issubclass(obj, pydantic.BaseModel)


class PydanticAdapter(Schema):
    """A pydantic v2 model class; user code receives model instances.

    :param model: the model class.
    """

    def __init__(self, model: type[pydantic.BaseModel]) -> None:
        self._model = model
        raw = model.model_json_schema()
        self.json_schema = _inline_refs(raw, raw.get("$defs", {}), "#/$defs/")

    def validate(self, data: t.Any) -> tuple[t.Any, t.Any]:
        instance = self.to_user(data)
        return instance.model_dump(mode="json", by_alias=True), instance

    def to_user(self, json_value: t.Any) -> t.Any:
        import pydantic

        try:
            return self._model.model_validate(json_value)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            path = "/" + "/".join(str(part) for part in first["loc"])
            raise SchemaValidationError([{"path": path, "message": first["msg"]}], exc) from None


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------


def is_schema_like(obj: t.Any) -> bool:
    """Whether :func:`to_schema` accepts *obj*.

    True for an object JSON Schema ``dict``, a marshmallow ``Schema`` class
    or instance and a pydantic model class.
    """
    if isinstance(obj, dict):
        return _is_object_json_schema(obj)
    ma = sys.modules.get("marshmallow")
    if ma is not None and (
        isinstance(obj, ma.Schema) or (_is_class(obj) and issubclass(obj, ma.Schema))
    ):
        return True
    return _is_pydantic_model(obj)


@functools.lru_cache(maxsize=1)
def _empty_schema() -> Schema:
    """The one adapter of the empty schema (``to_schema(None)``)."""
    return JsonSchemaAdapter(EMPTY_SCHEMA)


def to_schema(obj: t.Any | None, *, what: str = "schema") -> Schema:
    """Wrap *obj* in a :class:`Schema`.

    :param obj: ``None`` (the empty schema), a JSON Schema ``dict``, a
        marshmallow ``Schema`` class or instance, or a pydantic model class.
    :param what: what the schema is for (``"payloadSchema"``...), used in
        error messages.
    :raises ValueError: *obj* is not a usable schema.
    """
    if obj is None:
        return _empty_schema()
    if isinstance(obj, dict):
        return JsonSchemaAdapter(obj, what=what)
    instance = _marshmallow_schema_instance(obj)
    if instance is not None:
        return MarshmallowAdapter(instance)
    if _is_pydantic_model(obj):
        return PydanticAdapter(obj)
    raise ValueError(
        f"Invalid {what}: expected a JSON Schema dict, a marshmallow Schema or a "
        f"pydantic model, got {obj!r}"
    )
