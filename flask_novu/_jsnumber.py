"""Numbers as JavaScript prints them (``Number.prototype.toString``).

One formatter for the package: Liquid output (:mod:`flask_novu.templating`)
and Ajv-style validation messages (:mod:`flask_novu.validation`) both print
numbers the way the SDK's JavaScript does. Python's :func:`repr` of a float
gives the same shortest round-trip digits as JavaScript; only the layout
differs (JavaScript writes plain decimals for exponents from -7 to 20 and
``1e+21`` style exponents otherwise).
"""

from __future__ import annotations

import math

#: Integers above this are doubles in JavaScript (rounded like ``float()``).
_SAFE_INT = 2**53


def js_number(value: int | float) -> str:
    """Format ``value`` like JavaScript's ``String(number)``.

    ``bool`` is printed as ``true``/``false``; integers beyond 2**53 are
    rounded to the nearest double first, as JavaScript stores them.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) <= _SAFE_INT:
            return str(value)
        try:
            value = float(value)
        except OverflowError:
            return "Infinity" if value > 0 else "-Infinity"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    # The decimal point sits after `point` digits of `digits`.
    point = len(whole) + (int(exp_text) if exp_text else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        exponent = n - 1
        exp_sign = "+" if exponent >= 0 else "-"
        head = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{head}e{exp_sign}{abs(exponent)}"
    return sign + text
