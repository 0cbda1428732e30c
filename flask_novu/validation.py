"""JSON Schema validation with the semantics of the Novu framework SDK.

The official SDK validates payloads, controls, outputs and results with Ajv 8
(``useDefaults: true``, ``removeAdditional: "failing"``, ``allErrors: false``,
plus ``ajv-formats``). This module reproduces that behaviour on top of the
``jsonschema`` package (Draft 7):

* missing properties get their JSON Schema ``default`` (also inside
  ``allOf`` and the chosen ``then``/``else`` branch, never inside
  ``anyOf``/``oneOf``/``not``);
* properties rejected by ``additionalProperties`` are removed instead of
  reported; for ``anyOf``/``oneOf`` the first branch that validates decides
  what is removed;
* ``nullable: true`` also allows ``null``;
* errors are reported the way Ajv reports them without ``allErrors``: the
  first failing keyword in Ajv's evaluation order, with Ajv's message and a
  JSON Pointer ``path``. A failing ``anyOf``/``oneOf`` also lists the first
  error of every branch before its own error, as Ajv does.

For speed, each schema is also compiled into plain Python closures (defaults,
removals and a yes/no validity check, for the common keywords); ``jsonschema``
only runs for the keywords left out and to report the errors of invalid data.
:meth:`JsonSchemaValidator.shared` reuses one validator for equal schemas.

This module does not import Flask.
"""

from __future__ import annotations

import functools
import json
import numbers
import re
import typing as t
from collections.abc import Mapping
from urllib.parse import unquote

from jsonschema import Draft7Validator, ValidationError
from jsonschema import validators as _validators
from jsonschema.exceptions import SchemaError

from ._gc import collector_paused
from ._jsnumber import js_number as _js_number
from .formats import FORMAT_CHECKER

if t.TYPE_CHECKING:  # pragma: no cover
    from jsonschema.protocols import Validator

__all__ = ["FORMAT_CHECKER", "JsonSchemaValidator", "SchemaValidationError"]

ErrorItem = dict[str, str]

#: Guard against schemas that reference themselves at the same data level.
_MAX_DEPTH = 200


class SchemaValidationError(Exception):
    """Data does not match a schema.

    :param errors: the error items, each ``{"path": <JSON Pointer>,
        "message": <text>}``; for JSON Schemas exactly what Ajv would report.
    :param original: the schema library's own exception (pydantic's or
        marshmallow's ``ValidationError``), when there is one.
    """

    def __init__(self, errors: list[ErrorItem], original: BaseException | None = None) -> None:
        self.errors: list[ErrorItem] = errors
        self.original = original
        summary = "; ".join(f"{e['path'] or '/'}: {e['message']}" for e in errors)
        super().__init__(summary or "validation failed")


# --------------------------------------------------------------------------
# The jsonschema validator class (Draft 7 + ``nullable``, $ref siblings kept)
# --------------------------------------------------------------------------


def _type_keyword(
    validator: t.Any, types: t.Any, instance: t.Any, schema: Mapping[str, t.Any]
) -> t.Iterator[ValidationError]:
    """``type`` that also accepts ``null`` when the schema says ``nullable: true``."""
    if instance is None and schema.get("nullable") is True:
        return
    names = [types] if isinstance(types, str) else list(types)
    if not any(validator.is_type(instance, name) for name in names):
        yield ValidationError(f"{instance!r} is not of type {', '.join(names)}")


# Ajv applies keywords next to ``$ref`` too, so siblings are not ignored here.
_AjvDraft7: type[Validator] = _validators.create(
    meta_schema=Draft7Validator.META_SCHEMA,
    validators={**Draft7Validator.VALIDATORS, "type": _type_keyword},
    type_checker=Draft7Validator.TYPE_CHECKER,
    format_checker=FORMAT_CHECKER,
)

# --------------------------------------------------------------------------
# Ajv evaluation order and messages
# --------------------------------------------------------------------------

# Ajv runs keywords without a type first, then the number, string, array and
# object groups; a failing keyword stops the rest of its schema.
_RANKS: dict[str, int] = {
    "$ref": 0, "const": 1, "enum": 2, "not": 3, "anyOf": 4, "oneOf": 5, "allOf": 6,
    "if": 7, "then": 7, "else": 7,
    "maximum": 10, "minimum": 11, "exclusiveMaximum": 12, "exclusiveMinimum": 13,
    "multipleOf": 14,
    "maxLength": 20, "minLength": 21, "pattern": 22, "format": 23,
    "maxItems": 30, "minItems": 31, "uniqueItems": 32, "additionalItems": 33,
    "items": 34, "contains": 35,
    "maxProperties": 40, "minProperties": 41, "required": 42, "propertyNames": 43,
    "additionalProperties": 44, "dependencies": 45, "properties": 46,
    "patternProperties": 47,
}  # fmt: skip
_GROUPS: dict[str, tuple[int, frozenset[str]]] = {
    name: (base, frozenset(k for k, r in _RANKS.items() if base <= r < base + 10))
    for name, base in (("number", 10), ("string", 20), ("array", 30), ("object", 40))
}
# ``format`` applies to numbers as well (int32, double...).
_GROUPS["number"] = (10, _GROUPS["number"][1] | {"format"})
_COMPARISONS = {"maximum": "<=", "minimum": ">=", "exclusiveMaximum": "<", "exclusiveMinimum": ">"}
_LIMITS = {
    "maxLength": ("more", "characters"), "minLength": ("fewer", "characters"),
    "maxItems": ("more", "items"), "minItems": ("fewer", "items"),
    "maxProperties": ("more", "properties"), "minProperties": ("fewer", "properties"),
}  # fmt: skip
_FIXED_MESSAGES = {
    None: "boolean schema is false",
    "enum": "must be equal to one of the allowed values",
    "const": "must be equal to constant",
    "not": "must NOT be valid",
    "anyOf": "must match a schema in anyOf",
    "oneOf": "must match exactly one schema in oneOf",
    "additionalProperties": "must NOT have additional properties",
    "propertyNames": "property name must be valid",
}
_CONTAINERS = frozenset({"properties", "patternProperties", "dependencies"})
_INDEXED = frozenset({"allOf", "anyOf", "oneOf"})
_ELEMENT_STEPS = frozenset({"additionalProperties", "additionalItems"})
_PLAIN_STEPS = frozenset({"then", "else", "not", "contains", "propertyNames", "if"})


def _pointer(parts: t.Iterable[t.Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _message(error: ValidationError) -> str:
    """Ajv's message for the keyword *error* failed on."""
    keyword: t.Any = error.validator
    value: t.Any = error.validator_value
    instance: t.Any = error.instance
    if keyword in _FIXED_MESSAGES:
        return _FIXED_MESSAGES[keyword]
    if keyword == "type":
        return "must be " + (value if isinstance(value, str) else ",".join(value))
    if keyword == "required":
        missing = next((p for p in value if p not in instance), value[0])
        return f"must have required property '{missing}'"
    if keyword in _COMPARISONS:
        return f"must be {_COMPARISONS[str(keyword)]} {_js_number(value)}"
    if keyword in _LIMITS:
        comparison, unit = _LIMITS[str(keyword)]
        return f"must NOT have {comparison} than {_js_number(value)} {unit}"
    if keyword == "multipleOf":
        return f"must be multiple of {_js_number(value)}"
    if keyword == "pattern":
        return f'must match pattern "{value}"'
    if keyword == "format":
        return f'must match format "{value}"'
    if keyword == "uniqueItems":
        first, second = _duplicate_indices(instance)
        return f"must NOT have duplicate items (items ## {first} and {second} are identical)"
    if keyword == "additionalItems":
        items = error.schema.get("items") if isinstance(error.schema, dict) else None
        return f"must NOT have more than {len(items) if isinstance(items, list) else 0} items"
    if keyword == "contains":
        return "must contain at least 1 valid item(s)"
    if keyword == "dependencies":
        return _dependencies_message(value, instance)
    return f'must pass "{keyword}" keyword validation'


def _duplicate_indices(items: list[t.Any]) -> tuple[int, int]:
    """The pair Ajv names: the last item that repeats an earlier one."""
    checker = Draft7Validator.TYPE_CHECKER
    for later in range(len(items) - 1, 0, -1):
        for earlier in range(later - 1, -1, -1):
            a, b = items[later], items[earlier]
            if a == b and checker.is_type(a, "boolean") == checker.is_type(b, "boolean"):
                return earlier, later
    return 0, 0


def _dependencies_message(dependencies: dict[str, t.Any], instance: dict[str, t.Any]) -> str:
    for prop, deps in dependencies.items():
        if prop in instance and isinstance(deps, list) and any(d not in instance for d in deps):
            noun = "property" if len(deps) == 1 else "properties"
            return f"must have {noun} {', '.join(deps)} when property {prop} is present"
    return "must match dependencies"


def _rank(keyword: t.Any, node: dict[str, t.Any]) -> int:
    if keyword != "type":
        return _RANKS.get(keyword, 100) if isinstance(keyword, str) else 100
    types = node.get("type")
    names = [types] if isinstance(types, str) else list(types or ())
    if node.get("nullable") is True and "null" not in names:
        names.append("null")
    # Ajv checks a single type inside its keyword group when the schema has
    # keywords of that group, otherwise before every other keyword.
    if len(names) == 1 and names[0] in _GROUPS:
        base, keywords = _GROUPS[names[0]]
        if any(k in node for k in keywords):
            return base - 1
    return -1


# --------------------------------------------------------------------------
# Schema walking helpers
# --------------------------------------------------------------------------


def _subschemas(node: dict[str, t.Any]) -> t.Iterator[t.Any]:
    """Every direct subschema of *node* (for the construction-time checks)."""
    for key in ("properties", "patternProperties", "definitions", "$defs", "dependencies"):
        value = node.get(key)
        if isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, (dict, bool)))
    for key in ("allOf", "anyOf", "oneOf"):
        value = node.get(key)
        if isinstance(value, list):
            yield from value
    items = node.get("items")
    if isinstance(items, list):
        yield from items
    elif items is not None:
        yield items
    for key in ("additionalItems", "additionalProperties", "contains", "propertyNames",
                "not", "if", "then", "else"):  # fmt: skip
        if key in node:
            yield node[key]


#: Keywords that never change whether data is valid.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "default", "examples",
     "readOnly", "writeOnly", "definitions", "nullable"}
)  # fmt: skip


def _is_empty_object(schema: dict[str, t.Any]) -> bool:
    """True for the SDK's empty schema: any object validates to ``{}``."""
    return (
        schema.get("type") == "object"
        and schema.get("additionalProperties") is False
        and not schema.get("properties", {})
        and not schema.get("required", [])
        and all(
            k in _ANNOTATIONS or k in ("type", "properties", "required", "additionalProperties")
            for k in schema
        )
    )


def _has_ref(value: t.Any) -> bool:
    """Whether a ``$ref`` occurs anywhere in *value* (conservative)."""
    if isinstance(value, dict):
        return "$ref" in value or any(_has_ref(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_ref(v) for v in value)
    return False


def clone_json(value: t.Any) -> t.Any:
    """Deep copy of JSON data (faster than :func:`copy.deepcopy`)."""
    if isinstance(value, dict):
        return {k: clone_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone_json(v) for v in value]
    return value


class _Large(Exception):
    """A copy that outgrew :data:`_SMALL_COPY` containers."""


#: Containers a copy may make with the garbage collector running: too few
#: for its collections to rescan much of them (the collector starts one
#: every 700 new containers).
_SMALL_COPY = 100


def _clone_small(value: t.Any, left: list[int]) -> t.Any:
    """:func:`clone_json`, counting the containers made down from ``left[0]``;
    raises :class:`_Large` below zero."""
    if isinstance(value, dict):
        left[0] -= 1
        if left[0] < 0:
            raise _Large
        return {k: _clone_small(v, left) for k, v in value.items()}
    if isinstance(value, list):
        left[0] -= 1
        if left[0] < 0:
            raise _Large
        return [_clone_small(v, left) for v in value]
    return value


def _copy(data: t.Any) -> t.Any:
    """A deep copy of JSON data; a large one is made with the garbage
    collector paused (nothing in it is cyclic: see flask_novu._gc), a small
    one (the usual payload or step result) without the cost of pausing it."""
    try:
        return _clone_small(data, [_SMALL_COPY])
    except _Large:
        pass
    with collector_paused():
        return clone_json(data)


def _replace(target: t.Any, source: t.Any) -> None:
    """Make container *target* equal to *source* in place."""
    if isinstance(target, dict):
        target.clear()
        target.update(source)
    else:
        target[:] = source


# --------------------------------------------------------------------------
# Compiled validity checks (the fast path)
# --------------------------------------------------------------------------

#: A compiled validity check: True when the data is valid against a schema.
_Check = t.Callable[[t.Any], bool]
#: Compiled defaults and removals: changes the data in place.
_Mutator = t.Callable[[t.Any], None]

#: Draft 7 keywords the compiler turns into plain Python checks. A schema node
#: that uses any other validating keyword is checked with ``jsonschema``.
_FAST_KEYWORDS = frozenset(
    {
        "type", "enum", "const", "format", "not", "allOf", "anyOf", "oneOf", "if",
        "minLength", "maxLength", "pattern",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "items", "minItems", "maxItems",
        "required", "properties", "additionalProperties", "minProperties", "maxProperties",
    }
)  # fmt: skip
_VALIDATING_KEYWORDS = frozenset(_AjvDraft7.VALIDATORS)


def _always(value: t.Any) -> bool:
    return True


def _never(value: t.Any) -> bool:
    return False


def _is_number(value: t.Any) -> bool:
    """Draft 7 ``number`` (``bool`` excluded)."""
    kind = type(value)
    if kind is int or kind is float:
        return True
    return kind is not bool and isinstance(value, numbers.Number)


def _is_integer(value: t.Any) -> bool:
    """Draft 7 ``integer``: an ``int`` or an integral ``float`` (``bool`` excluded)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPE_CHECKS: dict[str, _Check] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": _is_number,
    "integer": _is_integer,
}


def _is_string(value: t.Any) -> bool:
    return isinstance(value, str)


def _is_list(value: t.Any) -> bool:
    return isinstance(value, list)


def _is_dict(value: t.Any) -> bool:
    return isinstance(value, dict)


def _keyword_group(group: list[_Check], applies: t.Callable[[t.Any], bool], *, typed: bool) -> _Check:
    """The keywords of one type group (string, number, array or object).

    With a single declared type the ``type`` check already ran, so the group
    applies as is; otherwise it only constrains values of its own type.
    """
    check = _all_of(group)
    if typed:
        return check
    return lambda value: not applies(value) or check(value)


def _all_of(checks: list[_Check]) -> _Check:
    """One check that passes when every check in *checks* passes."""
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    frozen = tuple(checks)

    def check(value: t.Any) -> bool:
        for each in frozen:
            if not each(value):
                return False
        return True

    return check


def _type_check(types: t.Any, nullable: bool) -> _Check:
    names = [types] if isinstance(types, str) else list(types)
    checks = tuple(_TYPE_CHECKS[name] for name in names)
    if len(checks) == 1 and not nullable:
        return checks[0]

    def check(value: t.Any) -> bool:
        if value is None and nullable:
            return True
        for each in checks:
            if each(value):
                return True
        return False

    return check


def _json_equal(one: t.Any, two: t.Any) -> bool:
    """Equality of JSON values as JSON Schema's ``const`` and ``enum`` see it.

    Booleans are not numbers (``true`` is not ``1``), numbers compare by value
    (``1`` is ``1.0``), strings only equal strings, and arrays and objects are
    compared member by member with the same rules (jsonschema's ``equal``,
    which is not public API; ``tests/test_validation.py`` checks the two agree).
    """
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    if isinstance(one, (list, tuple)):
        return (
            isinstance(two, (list, tuple))
            and len(one) == len(two)
            and all(_json_equal(a, b) for a, b in zip(one, two))
        )
    if isinstance(one, Mapping):
        return (
            isinstance(two, Mapping)
            and len(one) == len(two)
            and all(key in two and _json_equal(value, two[key]) for key, value in one.items())
        )
    if isinstance(two, (list, tuple, Mapping)):
        return False
    return bool(one == two)


def _enum_check(options: list[t.Any]) -> _Check:
    strings = frozenset(o for o in options if isinstance(o, str))
    others = tuple(o for o in options if not isinstance(o, str))

    def check(value: t.Any) -> bool:
        if isinstance(value, str):
            # ``equal`` compares strings with ``==`` and nothing else equals one.
            return value in strings or any(_json_equal(o, value) for o in others)
        return any(_json_equal(o, value) for o in options)

    return check


class _Compiler:
    """Turn schema nodes into validity checks equivalent to ``is_valid``.

    :param fallback: the ``jsonschema`` check of a node the compiler does not
        handle (``$ref``, ``uniqueItems``, ``patternProperties``...).
    """

    def __init__(self, fallback: t.Callable[[t.Any], _Check]) -> None:
        self._fallback = fallback
        self._cache: dict[int, _Check] = {}

    def __call__(self, node: t.Any) -> _Check:
        found = self._cache.get(id(node))
        if found is None:
            found = self._cache[id(node)] = self._compile(node)
        return found

    def _compile(self, node: t.Any) -> _Check:
        if node is True:
            return _always
        if node is False:
            return _never
        if not isinstance(node, dict) or any(
            k in _VALIDATING_KEYWORDS and k not in _FAST_KEYWORDS for k in node
        ):
            return self._fallback(node)
        try:
            return self._compile_node(node)
        except (re.error, KeyError, TypeError):  # pragma: no cover - jsonschema decides
            return self._fallback(node)

    def _compile_node(self, node: dict[str, t.Any]) -> _Check:
        checks: list[_Check] = []
        if "type" in node:
            checks.append(_type_check(node["type"], node.get("nullable") is True))
        if "const" in node:
            const = node["const"]
            checks.append(lambda value: _json_equal(value, const))
        if "enum" in node:
            checks.append(_enum_check(list(node["enum"])))
        if "not" in node:
            negated = self(node["not"])
            checks.append(lambda value: not negated(value))
        checks += self._combinators(node)
        if "format" in node and node["format"] in FORMAT_CHECKER.checkers:
            format_check = FORMAT_CHECKER.checkers[node["format"]][0]
            checks.append(lambda value: bool(format_check(value)))
        types = node.get("type")
        # A single, non-nullable type rules out the keyword groups of the others.
        only = types if isinstance(types, str) and node.get("nullable") is not True else None
        obj = self._object_check(node)
        groups: tuple[tuple[list[_Check], tuple[str, ...], t.Callable[[t.Any], bool]], ...] = (
            (self._string_checks(node), ("string",), _is_string),
            (self._number_checks(node), ("number", "integer"), _is_number),
            (self._array_checks(node), ("array",), _is_list),
            ([obj] if obj is not None else [], ("object",), _is_dict),
        )
        for group, names, applies in groups:
            if group and (only is None or only in names):
                checks.append(_keyword_group(group, applies, typed=only is not None))
        return _all_of(checks)

    def _combinators(self, node: dict[str, t.Any]) -> list[_Check]:
        checks: list[_Check] = []
        if "allOf" in node:
            checks.append(_all_of([self(sub) for sub in node["allOf"]]))
        if "anyOf" in node:
            any_of = tuple(self(sub) for sub in node["anyOf"])
            checks.append(lambda value: any(each(value) for each in any_of))
        if "oneOf" in node:
            one_of = tuple(self(sub) for sub in node["oneOf"])
            checks.append(lambda value: sum(1 for each in one_of if each(value)) == 1)
        if "if" in node:
            condition = self(node["if"])
            then = self(node["then"]) if "then" in node else _always
            otherwise = self(node["else"]) if "else" in node else _always
            checks.append(lambda value: then(value) if condition(value) else otherwise(value))
        return checks

    @staticmethod
    def _string_checks(node: dict[str, t.Any]) -> list[_Check]:
        checks: list[_Check] = []
        if "minLength" in node:
            low = node["minLength"]
            checks.append(lambda value: len(value) >= low)
        if "maxLength" in node:
            high = node["maxLength"]
            checks.append(lambda value: len(value) <= high)
        if "pattern" in node:
            search = re.compile(node["pattern"]).search
            checks.append(lambda value: search(value) is not None)
        return checks

    @staticmethod
    def _number_checks(node: dict[str, t.Any]) -> list[_Check]:
        checks: list[_Check] = []
        if "minimum" in node:
            minimum = node["minimum"]
            checks.append(lambda value: not value < minimum)
        if "maximum" in node:
            maximum = node["maximum"]
            checks.append(lambda value: not value > maximum)
        if "exclusiveMinimum" in node:
            exclusive_min = node["exclusiveMinimum"]
            checks.append(lambda value: not value <= exclusive_min)
        if "exclusiveMaximum" in node:
            exclusive_max = node["exclusiveMaximum"]
            checks.append(lambda value: not value >= exclusive_max)
        return checks

    def _array_checks(self, node: dict[str, t.Any]) -> list[_Check]:
        checks: list[_Check] = []
        if "minItems" in node:
            low = node["minItems"]
            checks.append(lambda value: len(value) >= low)
        if "maxItems" in node:
            high = node["maxItems"]
            checks.append(lambda value: len(value) <= high)
        items = node.get("items", True)
        if isinstance(items, list):
            positional = tuple(self(sub) for sub in items)
            checks.append(lambda value: all(each(v) for each, v in zip(positional, value)))
        elif items is not True and items != {}:
            each_item = self(items)
            checks.append(lambda value: all(each_item(v) for v in value))
        return checks

    def _object_check(self, node: dict[str, t.Any]) -> _Check | None:
        required = tuple(node.get("required", ()))
        props: dict[str, t.Any] = node.get("properties", {})
        known = frozenset(props)
        prop_checks = tuple(
            (name, check)
            for name, check in ((name, self(sub)) for name, sub in props.items())
            if check is not _always
        )
        additional: t.Any = node.get("additionalProperties", True)
        extra_check = None if additional is True else self(additional)
        if extra_check is _always:
            extra_check = None
        low = node.get("minProperties", 0)
        high = node.get("maxProperties")
        if not (required or prop_checks or extra_check is not None or low or high is not None):
            return None

        def check(value: dict[str, t.Any]) -> bool:
            for name in required:
                if name not in value:
                    return False
            for name, sub in prop_checks:
                if name in value and not sub(value[name]):
                    return False
            if extra_check is not None:
                for key, item in value.items():
                    if key not in known and not extra_check(item):
                        return False
            return len(value) >= low and (high is None or len(value) <= high)

        return check


class JsonSchemaValidator:
    """Validate data against one JSON Schema the way the SDK's Ajv does.

    The schema is checked and compiled once; :meth:`validate` may then be
    called from any thread.

    :param schema: a Draft 7 JSON Schema (Ajv extras such as ``nullable``
        are understood; unknown keywords are ignored).
    :raises ValueError: the schema is not a valid JSON Schema, uses a
        non-local ``$ref`` or ``nullable`` without ``type``.
    """

    def __init__(self, schema: dict[str, t.Any]) -> None:
        if not isinstance(schema, dict):
            raise ValueError(f"Invalid schema: expected a JSON Schema object, got {schema!r}")
        try:
            _AjvDraft7.check_schema(schema)
        except SchemaError as exc:
            where = _pointer(exc.path) or "/"
            raise ValueError(f"Invalid JSON Schema at {where}: {exc.message}") from exc
        self.schema: dict[str, t.Any] = schema
        self._validator: Validator = _AjvDraft7(schema, format_checker=FORMAT_CHECKER)
        self._subvalidators: dict[int, Validator] = {}
        self._inert: dict[int, bool] = {}
        self._check_nodes(schema, set())
        self._root_inert = self._is_inert(schema)
        self._valid = _Compiler(lambda node: self._sub(node).is_valid)
        self._root_valid = self._valid(schema)
        self._empty_object = _is_empty_object(schema)
        # Without ``$ref`` the defaults and removals compile to closures too;
        # with one (possibly recursive) :meth:`_mutate` walks the schema.
        self._mutator: _Mutator | None = None
        if not self._root_inert and not _has_ref(schema):
            self._mutator = self._compile_mutator(schema, False, 0)

    @classmethod
    def shared(cls, schema: dict[str, t.Any]) -> JsonSchemaValidator:
        """A validator for *schema*, shared with every equal schema.

        Validators are cached (bounded, thread-safe) by the schema's JSON text,
        key order included (it decides the order of filled defaults and of
        errors), so equal schemas are checked and compiled once. The cached
        validator works on its own copy of the schema: changing *schema*
        later does not affect it.

        :raises ValueError: as the constructor.
        """
        if isinstance(schema, dict):
            try:
                key = json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
            except (TypeError, ValueError):
                key = None
            if key is not None:
                shared = _shared_validator(key)
                # Tuples and other look-alikes dump as JSON too; only share
                # when the copy really is the same schema.
                if shared.schema == schema:
                    return shared
        return cls(schema)

    # -- public API --------------------------------------------------------

    def validate(self, data: t.Any) -> t.Any:
        """Validate a copy of *data*, filling defaults and removing extras.

        :param data: JSON data; it is never modified.
        :returns: the validated copy.
        :raises SchemaValidationError: with the errors Ajv would report.
        """
        if self._empty_object and isinstance(data, dict):
            return {}
        value = _copy(data)
        if self._mutator is not None:
            self._mutator(value)
        elif not self._root_inert:
            self._mutate(self.schema, value, False, 0)
        if self._root_valid(value):
            return value
        errors = list(self._validator.iter_errors(value))
        if errors:
            raise SchemaValidationError(self._ajv_errors(errors, (), False, self.schema, 0))
        return value

    # -- construction-time checks -----------------------------------------

    def _check_nodes(self, node: t.Any, seen: set[int]) -> None:
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))
        if "nullable" in node and "type" not in node:
            raise ValueError('Invalid JSON Schema: "nullable" cannot be used without "type"')
        ref = node.get("$ref")
        if isinstance(ref, str):
            self._resolve(ref)
        for sub in _subschemas(node):
            self._check_nodes(sub, seen)

    def _resolve(self, ref: str) -> t.Any:
        """Resolve a local ``$ref`` (``#`` or ``#/json/pointer``)."""
        if ref != "#" and not ref.startswith("#/"):
            raise ValueError(f"Invalid JSON Schema: unsupported $ref {ref!r} (only local refs)")
        node: t.Any = self.schema
        for token in ref[2:].split("/") if ref != "#" else ():
            token = unquote(token).replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(token) if isinstance(node, list) else token]
            except (KeyError, IndexError, ValueError, TypeError):
                raise ValueError(f"Invalid JSON Schema: cannot resolve $ref {ref!r}") from None
        return node

    def _sub(self, schema: t.Any) -> Validator:
        """A (cached) validator for a subschema, sharing the root's refs."""
        found = self._subvalidators.get(id(schema))
        if found is None:
            found = self._subvalidators[id(schema)] = self._validator.evolve(schema=schema)
        return found

    def _is_inert(self, node: t.Any) -> bool:
        """True when validating against *node* can never change the data."""
        if not isinstance(node, dict):
            return True
        cached = self._inert.get(id(node))
        if cached is not None:
            return cached
        self._inert[id(node)] = False  # provisional, for recursive schemas
        props = node.get("properties")
        additional = node.get("additionalProperties", True)
        items = node.get("items")
        changes = (
            (
                isinstance(props, dict)
                and any(isinstance(s, dict) and "default" in s for s in props.values())
            )
            or (
                isinstance(items, list)
                and any(isinstance(s, dict) and "default" in s for s in items)
            )
            or (additional is not True and additional != {})
        )
        ref = node.get("$ref")
        children = [self._is_inert(self._resolve(ref))] if isinstance(ref, str) else []
        children += [self._is_inert(sub) for sub in _subschemas(node)]
        result = not changes and all(children)
        self._inert[id(node)] = result
        return result

    # -- defaults and removal, compiled (schemas without ``$ref``) ---------

    def _compile_mutator(self, node: t.Any, composite: bool, depth: int) -> _Mutator | None:
        """A closure doing what ``_mutate(node, data, composite, depth)`` does.

        :returns: ``None`` when that call would never change anything.
        """
        if not isinstance(node, dict) or depth > _MAX_DEPTH or self._is_inert(node):
            return None
        steps: list[_Mutator] = []
        choosers = [
            self._compile_chooser(node[keyword], depth)
            for keyword in ("anyOf", "oneOf")
            if isinstance(node.get(keyword), list)
        ]
        if choosers:

            def choose(data: t.Any) -> None:
                if isinstance(data, (dict, list)):
                    for chooser in choosers:
                        chooser(data)

            steps.append(choose)
        for sub in node.get("allOf") or ():
            mutator = self._compile_mutator(sub, composite, depth + 1)
            if mutator is not None:
                steps.append(mutator)
        if "if" in node:
            condition = self._valid(node["if"])
            then = self._compile_mutator(node.get("then"), composite, depth + 1)
            otherwise = self._compile_mutator(node.get("else"), composite, depth + 1)
            if then is not None or otherwise is not None:

                def branch(data: t.Any) -> None:
                    chosen = then if condition(data) else otherwise
                    if chosen is not None:
                        chosen(data)

                steps.append(branch)
        obj = self._compile_object_mutator(node, composite, depth)
        arr = self._compile_array_mutator(node, composite, depth)
        if obj is not None or arr is not None:

            def containers(data: t.Any) -> None:
                if isinstance(data, dict):
                    if obj is not None:
                        obj(data)
                elif isinstance(data, list) and arr is not None:
                    arr(data)

            steps.append(containers)
        if not steps:
            return None
        if len(steps) == 1:
            return steps[0]

        def run(data: t.Any) -> None:
            for step in steps:
                step(data)

        return run

    def _compile_chooser(self, branches: list[t.Any], depth: int) -> _Mutator:
        """Compiled :meth:`_choose_branch`."""
        compiled = tuple(
            (
                self._is_inert(branch),
                self._compile_mutator(branch, True, depth + 1),
                self._valid(branch),
            )
            for branch in branches
        )

        def choose(data: t.Any) -> None:
            for inert, mutator, check in compiled:
                if inert:
                    if check(data):
                        return
                    continue
                candidate = clone_json(data)
                if mutator is not None:
                    mutator(candidate)
                if check(candidate):
                    _replace(data, candidate)
                    return

        return choose

    def _compile_object_mutator(
        self, node: dict[str, t.Any], composite: bool, depth: int
    ) -> _Mutator | None:
        """Compiled :meth:`_mutate_object`."""
        props = node.get("properties")
        props = props if isinstance(props, dict) else {}
        defaults = (
            ()
            if composite
            else tuple(
                (name, sub["default"])
                for name, sub in props.items()
                if isinstance(sub, dict) and "default" in sub
            )
        )
        patterns = node.get("patternProperties")
        patterns = patterns if isinstance(patterns, dict) else {}
        additional = node.get("additionalProperties", True)
        strip = additional is not True and additional != {}
        keep_schema = isinstance(additional, dict)
        extra_mutator = self._compile_mutator(additional, True, depth + 1) if strip else None
        extra_check = self._valid(additional) if strip else _always
        dependencies = tuple(
            (prop, mutator)
            for prop, dependency in (node.get("dependencies") or {}).items()
            if isinstance(dependency, dict)
            for mutator in (self._compile_mutator(dependency, composite, depth + 1),)
            if mutator is not None
        )
        children = tuple(
            (name, mutator)
            for name, sub in props.items()
            for mutator in (self._compile_mutator(sub, composite, depth + 1),)
            if mutator is not None
        )
        pattern_children = tuple(
            (pattern, mutator)
            for pattern, sub in patterns.items()
            for mutator in (self._compile_mutator(sub, composite, depth + 1),)
            if mutator is not None
        )
        if not (defaults or strip or dependencies or children or pattern_children):
            return None

        def mutate(data: dict[str, t.Any]) -> None:
            for name, default in defaults:
                if name not in data:
                    data[name] = clone_json(default)
            if strip:
                for key in list(data):
                    if key in props or any(re.search(p, key) for p in patterns):
                        continue
                    if not keep_schema:
                        del data[key]
                        continue
                    value = clone_json(data[key])
                    if extra_mutator is not None:
                        extra_mutator(value)
                    if extra_check(value):
                        data[key] = value
                    else:
                        del data[key]
            for prop, dependency in dependencies:
                if prop in data:
                    dependency(data)
            for name, child in children:
                if name in data:
                    child(data[name])
            for pattern, child in pattern_children:
                for key in [k for k in data if re.search(pattern, k)]:
                    child(data[key])

        return mutate

    def _compile_array_mutator(
        self, node: dict[str, t.Any], composite: bool, depth: int
    ) -> _Mutator | None:
        """Compiled :meth:`_mutate_array`."""
        items = node.get("items")
        if isinstance(items, dict):
            each = self._compile_mutator(items, composite, depth + 1)
            if each is None:
                return None
            each_item = each

            def mutate_all(data: list[t.Any]) -> None:
                for value in data:
                    each_item(value)

            return mutate_all
        if not isinstance(items, list):
            return None
        defaults = (
            ()
            if composite
            else tuple(
                (index, isinstance(sub, dict) and "default" in sub, sub)
                for index, sub in enumerate(items)
            )
        )
        positional = tuple(self._compile_mutator(sub, composite, depth + 1) for sub in items)
        extra = node.get("additionalItems")
        extra_mutator = (
            self._compile_mutator(extra, composite, depth + 1) if isinstance(extra, dict) else None
        )
        count = len(items)

        def mutate_tuple(data: list[t.Any]) -> None:
            for index, has_default, sub in defaults:
                if has_default and index == len(data):
                    data.append(clone_json(sub["default"]))
            for mutator, value in zip(positional, data):
                if mutator is not None:
                    mutator(value)
            if extra_mutator is not None:
                for value in data[count:]:
                    extra_mutator(value)

        return mutate_tuple

    # -- defaults and removal ---------------------------------------------

    def _mutate(self, node: t.Any, data: t.Any, composite: bool, depth: int) -> None:
        """Apply defaults and remove additional properties in place.

        Follows Ajv's order: ``$ref``, ``anyOf``/``oneOf``, ``allOf`` and
        ``if`` before the object and array keywords of the same schema.
        """
        if not isinstance(node, dict) or depth > _MAX_DEPTH or self._is_inert(node):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            self._mutate(self._resolve(ref), data, composite, depth + 1)
        if isinstance(data, (dict, list)):
            for keyword in ("anyOf", "oneOf"):
                branches = node.get(keyword)
                if isinstance(branches, list):
                    self._choose_branch(branches, data, depth)
        for sub in node.get("allOf") or ():
            self._mutate(sub, data, composite, depth + 1)
        if "if" in node:
            clause = "then" if self._valid(node["if"])(data) else "else"
            if clause in node:
                self._mutate(node[clause], data, composite, depth + 1)
        if isinstance(data, dict):
            self._mutate_object(node, data, composite, depth)
        elif isinstance(data, list):
            self._mutate_array(node, data, composite, depth)

    def _choose_branch(self, branches: list[t.Any], data: t.Any, depth: int) -> None:
        """Apply the first branch that validates (defaults are not used)."""
        for branch in branches:
            if self._is_inert(branch):
                if self._valid(branch)(data):
                    return
                continue
            candidate = clone_json(data)
            self._mutate(branch, candidate, True, depth + 1)
            if self._valid(branch)(candidate):
                _replace(data, candidate)
                return

    def _mutate_object(
        self, node: dict[str, t.Any], data: dict[str, t.Any], composite: bool, depth: int
    ) -> None:
        props = node.get("properties")
        props = props if isinstance(props, dict) else {}
        if not composite:
            for name, sub in props.items():
                if name not in data and isinstance(sub, dict) and "default" in sub:
                    data[name] = clone_json(sub["default"])
        patterns = node.get("patternProperties")
        patterns = patterns if isinstance(patterns, dict) else {}
        additional = node.get("additionalProperties", True)
        if additional is not True and additional != {}:
            for key in list(data):
                if key in props or any(re.search(p, key) for p in patterns):
                    continue
                if not isinstance(additional, dict):
                    del data[key]
                    continue
                value = clone_json(data[key])
                self._mutate(additional, value, True, depth + 1)
                if self._valid(additional)(value):
                    data[key] = value
                else:
                    del data[key]
        for prop, dependency in (node.get("dependencies") or {}).items():
            if prop in data and isinstance(dependency, dict):
                self._mutate(dependency, data, composite, depth + 1)
        for name, sub in props.items():
            if name in data:
                self._mutate(sub, data[name], composite, depth + 1)
        for pattern, sub in patterns.items():
            for key in [k for k in data if re.search(pattern, k)]:
                self._mutate(sub, data[key], composite, depth + 1)

    def _mutate_array(
        self, node: dict[str, t.Any], data: list[t.Any], composite: bool, depth: int
    ) -> None:
        items = node.get("items")
        if isinstance(items, list):
            if not composite:
                for index, sub in enumerate(items):
                    if index == len(data) and isinstance(sub, dict) and "default" in sub:
                        data.append(clone_json(sub["default"]))
            for sub, value in zip(items, data):
                self._mutate(sub, value, composite, depth + 1)
            extra = node.get("additionalItems")
            for value in data[len(items) :] if isinstance(extra, dict) else ():
                self._mutate(extra, value, composite, depth + 1)
        elif isinstance(items, dict):
            for value in data:
                self._mutate(items, value, composite, depth + 1)

    # -- error reporting ----------------------------------------------------

    def _ajv_errors(
        self,
        errors: list[ValidationError],
        base: tuple[t.Any, ...],
        composite: bool,
        node: t.Any,
        skip: int,
    ) -> list[ErrorItem]:
        """The errors Ajv reports for one schema evaluation.

        :param errors: every error jsonschema found for that evaluation.
        :param base: instance path of the evaluated data.
        :param composite: inside ``anyOf``/``oneOf`` (Ajv then also adds the
            error of an enclosing ``if``).
        :param node: the evaluated schema.
        :param skip: leading schema-path items of the errors that lead to *node*.
        """
        walked = [(self._walk(e, node, skip), index, e) for index, e in enumerate(errors)]
        (key, wrappers), _, first = min(walked, key=lambda w: (w[0][0], w[1]))
        path = base + tuple(first.relative_path)
        result: list[ErrorItem] = []
        if first.validator in ("anyOf", "oneOf"):
            result += self._branch_errors(first, path)
        result.append({"path": _pointer(path), "message": _message(first)})
        for keyword, depth in reversed(wrappers):
            if keyword == "propertyNames" or composite:
                where = _pointer(base + tuple(first.relative_path)[:depth])
                message = (
                    _FIXED_MESSAGES["propertyNames"]
                    if keyword == "propertyNames"
                    else f'must match "{keyword}" schema'
                )
                result.append({"path": where, "message": message})
        return result

    def _branch_errors(self, error: ValidationError, path: tuple[t.Any, ...]) -> list[ErrorItem]:
        branches: list[t.Any] = list(t.cast("list[t.Any]", error.validator_value))
        result: list[ErrorItem] = []
        if error.context:
            for index, branch in enumerate(branches):
                own = [
                    c
                    for c in error.context
                    if c.relative_schema_path and c.relative_schema_path[0] == index
                ]
                if own:
                    result += self._ajv_errors(own, path, True, branch, 1)
            return result
        # ``oneOf`` matched several branches: Ajv stops at the second match.
        passing = 0
        for branch in branches:
            errors = list(self._sub(branch).iter_errors(t.cast(t.Any, error.instance)))
            if errors:
                result += self._ajv_errors(errors, path, True, branch, 0)
            else:
                passing += 1
                if passing == 2:
                    break
        return result

    def _walk(
        self, error: ValidationError, node: t.Any, skip: int
    ) -> tuple[tuple[tuple[int, int], ...], list[tuple[str, int]]]:
        """Ajv order key of *error* and the ``if``/``propertyNames`` it passed."""
        tokens = list(error.relative_schema_path)[skip:]
        key: list[tuple[int, int]] = []
        wrappers: list[tuple[str, int]] = []
        depth = i = 0
        while i < len(tokens) and isinstance(node, dict) and len(key) < _MAX_DEPTH:
            keyword = tokens[i]
            if keyword not in node and isinstance(node.get("$ref"), str):
                # jsonschema leaves ``$ref`` out of schema paths
                key.append((0, 0))
                node = self._resolve(node["$ref"])
                continue
            rank = _rank(keyword, node)
            if i == len(tokens) - 1 or keyword not in node:
                key.append((rank, 0))
                break
            target = node[keyword]
            if (
                keyword in _CONTAINERS
                or keyword in _INDEXED
                or (keyword == "items" and isinstance(target, list))
            ):
                arg = tokens[i + 1]
                keys = list(target) if isinstance(target, dict) else list(range(len(target)))
                key.append((rank, keys.index(arg) if arg in keys else 0))
                if arg not in keys:
                    break
                node = target[arg]
                depth += keyword in ("properties", "patternProperties", "items")
                i += 2
                continue
            key.append((rank, 0))
            if keyword in ("then", "else", "propertyNames"):
                wrappers.append((keyword, depth))
            depth += keyword in _ELEMENT_STEPS or keyword == "items"
            if keyword not in _ELEMENT_STEPS and keyword not in _PLAIN_STEPS and keyword != "items":
                break
            node = target
            i += 1
        return tuple(key), wrappers


@functools.lru_cache(maxsize=4096)
def _shared_validator(key: str) -> JsonSchemaValidator:
    """The validator of the schema whose JSON text is *key* (see ``shared``)."""
    return JsonSchemaValidator(json.loads(key))
