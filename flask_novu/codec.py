"""The bridge's JSON codec: compact output as ``JSON.stringify`` writes it,
strict input (no ``NaN``, no out-of-range numbers, bounded nesting).

.. versionadded:: 0.1
"""

from __future__ import annotations

import decimal
import enum
import json
import math
import re
import typing as t
import uuid

from ._gc import collector_paused
from ._numbers import as_javascript_int, parse_float
from ._text import escape_surrogates
from .errors import InvalidRequestError

#: Deepest nesting of arrays/objects accepted in a request body by default.
MAX_JSON_DEPTH = 128


class NotJSONError(TypeError):
    """A value of a response cannot be sent as JSON (user code returned a
    generator, a lock, an integer too long to print...).

    The message is fit for the caller; :attr:`detail` (the type) is for the log.
    """

    def __init__(self, detail: str) -> None:
        super().__init__("The response is not JSON-serialisable.")
        self.detail = detail


def _json_default(value: t.Any) -> t.Any:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    # Anything else would be stringified with its memory address at best.
    raise NotJSONError(f"a value of type {type(value).__qualname__} is not JSON")


def dumps(value: t.Any) -> bytes:
    """Compact JSON, as the official SDK sends it (``NaN`` and infinities,
    which JSON cannot carry, become ``null`` as in ``JSON.stringify``; lone
    surrogates, which UTF-8 cannot carry, become ``\\uXXXX`` escapes, as in
    ``JSON.stringify``).

    :raises NotJSONError: a value has no JSON form.
    """
    try:
        text = _ENCODER.encode(value)
    except ValueError as exc:
        if _INT_DIGITS.search(str(exc)):
            raise NotJSONError(f"an integer is too long to print: {exc}") from None
        text = _ENCODER.encode(_finite(value))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return escape_surrogates(text).encode("utf-8")


#: Python's message for integers over ``sys.get_int_max_str_digits()``.
_INT_DIGITS = re.compile(r"integer string conversion|int_max_str_digits")


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


#: The most digits of an integer in a request body (Python's own default
#: limit, applied on every version: converting longer ones is quadratic).
MAX_INT_DIGITS = 4300


def _bounded_int(text: str) -> int | float:
    if len(text) - text.startswith("-") > MAX_INT_DIGITS:
        raise ValueError(f"a number has more than {MAX_INT_DIGITS} digits")
    return as_javascript_int(int(text))


# Built once: ``json.dumps``/``json.loads`` with options build them per call.
#: Numbers are read as JavaScript reads them (see :mod:`._numbers`).
_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=parse_float, parse_int=_bounded_int
)
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
        with collector_paused():  # nothing cyclic: see flask_novu._gc
            value = _DECODER.decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidRequestError("The request body is not valid UTF-8.") from None
    except RecursionError:
        raise InvalidRequestError("The request body is nested too deeply.") from None
    except ValueError as exc:
        raise InvalidRequestError(f"The request body is not valid JSON: {exc}") from None
    if raw.count(b"[") + raw.count(b"{") > max_depth and _too_deep_paused(value, max_depth):
        # The engine (validation, Liquid, sanitising) recurses per level.
        raise InvalidRequestError("The request body is nested too deeply.")
    return value


def _too_deep_paused(value: t.Any, limit: int) -> bool:
    with collector_paused():  # its stack allocates a tuple per container
        return too_deep(value, limit)


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
