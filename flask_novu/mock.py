"""Mock values generated from a JSON Schema, for ``preview``.

Behaves like the SDK's mock (JSON-Schema-Faker with ``useDefaultValue``,
``alwaysFakeOptionals`` and ``fillProperties: false``): a ``default`` wins, every
declared property is generated (optional ones too), no undeclared property is
added, free strings are the literal ``"[placeholder]"``. ``enum`` gives its first
value, ``oneOf``/``anyOf`` their first branch, ``allOf`` the merge of its branches.
Strings honour ``format``, ``pattern``, ``minLength`` and ``maxLength``; numbers
honour their bounds. Recursion depth and array sizes are capped, and any failure
yields ``{}`` as in the SDK.

This module does not import Flask.
"""

from __future__ import annotations

import copy
import math
import random
import re
import uuid
from typing import Any, Callable, Optional

from . import _sre

PLACEHOLDER = "[placeholder]"
#: Nesting depth beyond which only minimal values are produced.
MAX_DEPTH = 10
#: Upper bound on generated array lengths.
MAX_ITEMS = 5
#: Range used for numbers without bounds.
DEFAULT_NUMBER_RANGE = (0.0, 1000.0)

_FORMAT_VALUES: dict[str, str] = {
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "iri": "https://example.com",
    "uri-reference": "https://example.com",
    "iri-reference": "https://example.com",
    "uri-template": "https://example.com/{id}",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "date-time": "2024-01-01T00:00:00.000Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "duration": "P1D",
    "json-pointer": "/",
    "regex": ".*",
}
#: Strings tried, in order, against a ``pattern`` before synthesising one.
_PATTERN_CANDIDATES = (PLACEHOLDER, "https://example.com", "/", "example", "0")
_ANNOTATIONS = frozenset(
    {"title", "description", "examples", "readOnly", "writeOnly", "deprecated",
     "$schema", "$id", "$comment", "nullable"}
)


def mock_from_schema(schema: dict[str, Any], *, rng: Optional[random.Random] = None) -> Any:
    """Generate a value that satisfies ``schema``.

    :param schema: A JSON Schema (the SDK's dialect; ``nullable`` is tolerated).
    :param rng: Source of randomness; a generator seeded with ``0`` when omitted,
        so that repeated calls give the same mock.
    :returns: The mock value, or ``{}`` if generation failed.
    """
    generator = _Generator(rng if rng is not None else random.Random(0))
    try:
        return generator.value(schema, 0)
    except Exception:  # noqa: BLE001 - the SDK swallows every mock failure
        return {}


class _Generator:
    """Recursive value generator bound to one random source."""

    def __init__(self, rng: random.Random) -> None:
        """:param rng: Source of randomness for numbers, booleans and ids."""
        self.rng = rng

    def value(self, schema: Any, depth: int) -> Any:
        """Generate a value for any schema node.

        :param schema: Schema node (a dict, or a boolean schema).
        :param depth: Current nesting depth.
        :returns: The generated value.
        """
        if not isinstance(schema, dict):
            return PLACEHOLDER if schema is not False else None
        if "default" in schema:
            return copy.deepcopy(schema["default"])
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return copy.deepcopy(schema["enum"][0])
        if depth > MAX_DEPTH:
            return _minimal(_type_of(schema))
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                rest = {k: v for k, v in schema.items() if k != keyword}
                return self.value(_combine(rest, branches[0]), depth + 1)
        if isinstance(schema.get("allOf"), list):
            return self._all_of(schema, depth)
        return self._typed(schema, _type_of(schema), depth)

    def _all_of(self, schema: dict[str, Any], depth: int) -> Any:
        """Generate every ``allOf`` branch (and the rest) and merge objects.

        :param schema: Schema node holding ``allOf``.
        :param depth: Current nesting depth.
        :returns: The merged value, or the first branch's value for non-objects.
        """
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        parts = [self.value(branch, depth + 1) for branch in schema["allOf"]]
        if _has_constraints(rest):
            parts.insert(0, self.value(rest, depth + 1))
        if parts and all(isinstance(part, dict) for part in parts):
            merged: dict[str, Any] = {}
            for part in parts:
                merged.update(part)
            return merged
        return parts[0] if parts else {}

    def _typed(self, schema: dict[str, Any], type_name: str, depth: int) -> Any:
        """Dispatch on the resolved ``type``.

        :param schema: Schema node.
        :param type_name: Resolved JSON type.
        :param depth: Current nesting depth.
        :returns: The generated value.
        """
        makers: dict[str, Callable[[], Any]] = {
            "object": lambda: self._object(schema, depth),
            "array": lambda: self._array(schema, depth),
            "string": lambda: _string(schema, self.rng),
            "number": lambda: _number(schema, self.rng, integer=False),
            "integer": lambda: _number(schema, self.rng, integer=True),
            "boolean": lambda: self.rng.random() < 0.5,
            "null": lambda: None,
        }
        return makers.get(type_name, lambda: PLACEHOLDER)()

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        """Generate every declared property (optional ones too), nothing else.

        :param schema: Object schema node.
        :param depth: Current nesting depth.
        :returns: The generated object.
        """
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = [n for n in schema.get("required") or [] if isinstance(n, str)]
        names = list(properties) + [n for n in required if n not in properties]
        limit = schema.get("maxProperties")
        if isinstance(limit, int) and len(names) > limit:
            kept = set((required + names)[:limit])
            names = [n for n in names if n in kept]
        extra = schema.get("additionalProperties", True)
        result: dict[str, Any] = {}
        for name in names:
            if name in properties:
                result[name] = self.value(properties[name], depth + 1)
            elif extra is not False:  # required but undeclared
                result[name] = self.value(extra if isinstance(extra, dict) else {}, depth + 1)
        return result

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        """Generate ``minItems`` items (at least one, at most :data:`MAX_ITEMS`).

        :param schema: Array schema node.
        :param depth: Current nesting depth.
        :returns: The generated list.
        """
        count = min(max(_int_or(schema.get("minItems"), 1), 1), MAX_ITEMS)
        count = min(count, _int_or(schema.get("maxItems"), count))
        items = schema.get("items", {})
        if isinstance(items, list):  # tuple form
            values = [self.value(item, depth + 1) for item in items[:MAX_ITEMS]]
        else:
            values = [self.value(items, depth + 1) for _ in range(count)]
        if schema.get("uniqueItems"):
            unique: list[Any] = []
            for item in values:
                if item not in unique:
                    unique.append(item)
            values = unique
        return values


def _type_of(schema: dict[str, Any]) -> str:
    """Resolve the JSON type of a schema node (first non-null of a list, else inferred).

    :param schema: Schema node.
    :returns: A JSON type name, or ``"any"``.
    """
    declared = schema.get("type")
    if isinstance(declared, list):
        non_null = [t for t in declared if t != "null"]
        declared = non_null[0] if non_null else (declared[0] if declared else None)
    if isinstance(declared, str):
        return declared
    if any(k in schema for k in ("properties", "required", "additionalProperties")):
        return "object"
    if "items" in schema:
        return "array"
    if any(k in schema for k in ("pattern", "format", "minLength", "maxLength")):
        return "string"
    if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
        return "number"
    return "any"


def _minimal(type_name: str) -> Any:
    """Smallest value of a type, used past :data:`MAX_DEPTH`.

    :param type_name: JSON type name.
    :returns: A value that needs no further recursion.
    """
    return {"object": {}, "array": [], "number": 0, "integer": 0,
            "boolean": False, "null": None}.get(type_name, PLACEHOLDER)


def _combine(base: dict[str, Any], branch: Any) -> dict[str, Any]:
    """Merge a ``oneOf``/``anyOf`` branch into the keywords beside it.

    :param base: The schema without the combinator.
    :param branch: The chosen branch.
    :returns: A schema with merged ``properties`` and ``required``.
    """
    if not isinstance(branch, dict):
        return dict(base)
    merged = dict(base)
    for key, value in branch.items():
        if key == "properties" and isinstance(base.get("properties"), dict):
            merged[key] = {**base["properties"], **value}
        elif key == "required" and isinstance(base.get("required"), list):
            merged[key] = list(dict.fromkeys(base["required"] + list(value)))
        else:
            merged[key] = value
    return merged


def _has_constraints(schema: dict[str, Any]) -> bool:
    """Tell whether a schema node says more than annotations.

    :param schema: Schema node.
    :returns: ``True`` if it has a keyword that constrains values.
    """
    return any(key not in _ANNOTATIONS for key in schema)


def _int_or(value: Any, fallback: int) -> int:
    """Return ``value`` if it is a non-negative integer, else ``fallback``.

    :param value: Candidate keyword value.
    :param fallback: Value used otherwise.
    :returns: An integer.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return fallback


def _string(schema: dict[str, Any], rng: random.Random) -> str:
    """Generate a string honouring ``format``, ``pattern`` and length bounds.

    :param schema: String schema node.
    :param rng: Source of randomness (uuids, pattern characters).
    :returns: The generated string.
    """
    min_len = _int_or(schema.get("minLength"), 0)
    max_len = _int_or(schema.get("maxLength"), max(min_len, len(PLACEHOLDER)) + 64)
    fmt = schema.get("format")
    if fmt == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if isinstance(fmt, str) and fmt in _FORMAT_VALUES:
        return _FORMAT_VALUES[fmt]
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        matched = _string_for_pattern(pattern, min_len, max_len, rng)
        if matched is not None:
            return matched
    text = PLACEHOLDER
    if len(text) < min_len:
        text += "x" * (min_len - len(text))
    return text[:max_len]


def _string_for_pattern(
    pattern: str, min_len: int, max_len: int, rng: random.Random
) -> Optional[str]:
    """Find a string matching ``pattern`` within the length bounds.

    :param pattern: ECMAScript-style regular expression (Python-compatible subset).
    :param min_len: Minimum length.
    :param max_len: Maximum length.
    :param rng: Source of randomness for synthesised characters.
    :returns: A matching string, or ``None`` if none was found.
    """
    try:
        regex = re.compile(pattern)
    except re.error:
        return None
    candidates = list(_PATTERN_CANDIDATES)
    try:
        candidates.append(_RegexWriter(rng).write(_sre.parse(pattern)))
    except Exception:  # noqa: BLE001 - unsupported construct: keep the fixed candidates
        pass
    for candidate in candidates:
        if min_len <= len(candidate) <= max_len and regex.search(candidate):
            return candidate
    return None


_opname = _sre.opname


class _RegexWriter:
    """Writes one string matched by a parsed regular expression (common subset)."""

    _CATEGORIES = {
        "CATEGORY_DIGIT": "0123456789",
        "CATEGORY_NOT_DIGIT": "abcxyz",
        "CATEGORY_WORD": "abcxyz019",
        "CATEGORY_NOT_WORD": "-.",
        "CATEGORY_SPACE": " ",
        "CATEGORY_NOT_SPACE": "abcxyz",
    }

    def __init__(self, rng: random.Random) -> None:
        """:param rng: Source of randomness for character choices."""
        self.rng = rng

    def write(self, parsed: Any) -> str:
        """Render a parsed (sub)pattern.

        :param parsed: Output of ``sre_parse.parse`` or one of its subpatterns.
        :returns: A string the subpattern matches.
        """
        return "".join(self._node(_opname(op), arg) for op, arg in parsed)

    def _node(self, op: str, arg: Any) -> str:
        """Render one parse-tree node.

        :param op: Opcode name.
        :param arg: Opcode argument.
        :returns: The rendered text.
        :raises ValueError: On constructs this writer does not support.
        """
        if op == "LITERAL":
            return chr(arg)
        if op == "ANY":
            return "a"
        if op == "IN":
            return self._in(arg)
        if op == "NOT_LITERAL":
            return "a" if chr(arg) != "a" else "b"
        if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, item = arg
            return "".join(self.write(item) for _ in range(max(low, 0)))
        if op == "SUBPATTERN":
            return self.write(arg[-1])
        if op == "BRANCH":
            return self.write(arg[1][0])
        if op in ("AT", "ASSERT", "ASSERT_NOT"):
            return ""
        if op == "CATEGORY":
            return self.rng.choice(self._CATEGORIES[_opname(arg)])
        raise ValueError(f"unsupported regex construct {op}")

    def _in(self, items: Any) -> str:
        """Pick a character of a character class.

        :param items: Members of the class.
        :returns: One member character.
        :raises ValueError: For negated classes with no simple answer.
        """
        choices: list[str] = []
        negated = False
        for op, arg in items:
            name = _opname(op)
            if name == "NEGATE":
                negated = True
            elif name == "LITERAL":
                choices.append(chr(arg))
            elif name == "RANGE":
                choices.extend(chr(c) for c in range(arg[0], min(arg[1], arg[0] + 25) + 1))
            elif name == "CATEGORY":
                choices.extend(self._CATEGORIES[_opname(arg)])
        if negated:
            allowed = [c for c in "aZ0-_." if c not in choices]
            if not allowed:
                raise ValueError("negated class excludes every candidate")
            return allowed[0]
        return self.rng.choice(choices)


def _number(schema: dict[str, Any], rng: random.Random, *, integer: bool) -> float | int:
    """Generate a number within ``minimum``/``maximum`` (exclusive bounds honoured).

    :param schema: Number or integer schema node.
    :param rng: Source of randomness.
    :param integer: Produce an ``int``.
    :returns: The generated number.
    """
    low, high = _bounds(schema, 1.0 if integer else 1e-6)
    step = schema.get("multipleOf")
    if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0:
        first, last = math.ceil(low / step), math.floor(high / step)
        multiple = step * rng.randint(first, max(first, last))
        return int(multiple) if integer else multiple
    if integer:
        first, last = math.ceil(low), math.floor(high)
        return rng.randint(first, max(first, last))
    return rng.uniform(low, high)


def _bounds(schema: dict[str, Any], gap: float) -> tuple[float, float]:
    """Compute the inclusive range a number must lie in.

    :param schema: Number or integer schema node.
    :param gap: Distance kept from an exclusive bound.
    :returns: ``(low, high)``.
    """
    def number(key: str) -> Optional[float]:
        value = schema.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value)

    low, high = number("minimum"), number("maximum")
    ex_low, ex_high = number("exclusiveMinimum"), number("exclusiveMaximum")
    if ex_low is not None:
        low = ex_low + gap if low is None or ex_low >= low else low
    elif schema.get("exclusiveMinimum") is True and low is not None:  # draft 4
        low += gap
    if ex_high is not None:
        high = ex_high - gap if high is None or ex_high <= high else high
    elif schema.get("exclusiveMaximum") is True and high is not None:  # draft 4
        high -= gap
    span = DEFAULT_NUMBER_RANGE[1] - DEFAULT_NUMBER_RANGE[0]
    if low is None and high is None:
        return DEFAULT_NUMBER_RANGE
    if low is None:
        assert high is not None
        return high - span, high
    if high is None:
        return low, low + span
    return low, max(low, high)
