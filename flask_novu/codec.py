"""The bridge's JSON codec: compact output as ``JSON.stringify`` writes it,
strict input (no ``NaN``, no out-of-range numbers, bounded nesting).

.. versionadded:: 0.1
"""

from __future__ import annotations

import json
import math
import typing as t

from .errors import InvalidRequestError

#: Deepest nesting of arrays/objects accepted in a request body by default.
MAX_JSON_DEPTH = 128


def _json_default(value: t.Any) -> t.Any:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def dumps(value: t.Any) -> bytes:
    """Compact JSON, as the official SDK sends it (``NaN`` and infinities,
    which JSON cannot carry, become ``null`` as in ``JSON.stringify``)."""
    try:
        text = _ENCODER.encode(value)
    except ValueError:
        text = _ENCODER.encode(_finite(value))
    return text.encode("utf-8")


def _finite(value: t.Any) -> t.Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _reject_constant(name: str) -> t.NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    # 1e999 parses as inf, which would be echoed back as the non-JSON Infinity.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


# Built once: ``json.dumps``/``json.loads`` with options build them per call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=_json_default, allow_nan=False
)


def loads_body(raw: bytes | None, max_depth: int = MAX_JSON_DEPTH) -> t.Any:
    """Parse a request body; ``{}`` when empty.

    :raises InvalidRequestError: not UTF-8, not JSON, or nested more than
        ``max_depth`` levels.
    """
    if not raw or not raw.strip():
        return {}
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidRequestError("The request body is not valid UTF-8.") from None
    except RecursionError:
        raise InvalidRequestError("The request body is nested too deeply.") from None
    except ValueError as exc:
        raise InvalidRequestError(f"The request body is not valid JSON: {exc}") from None
    if raw.count(b"[") + raw.count(b"{") > max_depth and too_deep(value, max_depth):
        # The engine (validation, Liquid, sanitising) recurses per level.
        raise InvalidRequestError("The request body is nested too deeply.")
    return value


def too_deep(value: t.Any, limit: int) -> bool:
    """Whether ``value`` nests arrays/objects more than ``limit`` levels (iteratively)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False
