"""JavaScript number semantics for the JSON the bridge reads.

Novu's servers and the official SDK are JavaScript: every JSON number is an
IEEE double. Bodies are parsed here so that workflow code, validation and
Liquid see the numbers the SDK would see: ``1.0`` and ``-0.0`` are the
integers ``1`` and ``0``, and an integer beyond 2**53 is rounded to the
nearest double (``12345678901234567890`` becomes ``12345678901234567000``,
still a Python ``int``, printed as JavaScript prints it).
"""

from __future__ import annotations

import math

from ._jsnumber import js_number

__all__ = ["as_javascript_int", "parse_float"]

_SAFE = 2**53


def _as_double(value: float) -> int | float:
    if value.is_integer() and abs(value) < 1e21:
        return int(value) if abs(value) <= _SAFE else int(js_number(value))
    return value


def as_javascript_int(number: int) -> int | float:
    """The JSON integer ``number`` as JavaScript reads it."""
    if -_SAFE <= number <= _SAFE:
        return number
    try:
        return _as_double(float(number))
    except OverflowError:
        return number  # beyond any double (JavaScript: Infinity); kept as written


def parse_float(text: str) -> int | float:
    """A JSON number with a fraction or an exponent as JavaScript reads it."""
    value = float(text)
    if not math.isfinite(value):
        # 1e999 parses as inf, which would be echoed back as the non-JSON Infinity.
        raise ValueError(f"the number {text[:40]} is out of range")
    return _as_double(value)
