"""Built-in filters on every JSON type, as ``@novu/framework`` 2.13.2 renders them.

Each case is a body template, the payload value ``v`` (as JSON text, read the
way the bridge reads a request body) and the body the SDK's
``compileControls`` rendered for it (LiquidJS 10.30.1, observed with
``scripts/liquid_oracle.mjs``).
"""

from __future__ import annotations

import pytest

from flask_novu.codec import loads_body
from flask_novu.templating import compile_controls

MISSING = object()


def render(template: str, value: str | object = MISSING) -> str:
    payload = {} if value is MISSING else {"v": loads_body(str(value).encode())}
    context = {
        "workflow": {"workflowId": "parity"}, "payload": payload,
        "subscriber": {"subscriberId": "u1", "firstName": "Ada"},
        "context": {}, "steps": {}, "env": {},
    }
    return compile_controls({"body": template}, context)["body"]


# JavaScript calls a filter with whatever arguments it is given: surplus ones
# are ignored, missing ones are ``undefined``.
SURPLUS_ARGUMENTS = [
    ("{{ payload.v | abs: 2 }}", '"hello world"', "0"),
    ("{{ payload.v | abs: 2 }}", "-3", "3"),
    ("{{ payload.v | ceil: 'a' }}", "3.7", "4"),
    ("{{ payload.v | floor: nil }}", "-2.5", "-3"),
    ("{{ payload.v | escape: 2 }}", '"<b>"', "&lt;b&gt;"),
    ("{{ payload.v | url_encode: 'a' }}", '"Zoë naïve"', "Zo%C3%AB+na%C3%AFve"),
    ("{{ payload.v | uri_escape: 1.5 }}", '"hello world"', "hello%20world"),
    ("{{ payload.v | strip_html: -1 }}", '"<b>x</b>"', "x"),
    ("{{ payload.v | newline_to_br: 2 }}", '"a"', "a"),
    ("{{ payload.v | last: 2 }}", '"hello world"', "d"),
    ("{{ payload.v | first: nil }}", "[1,2,3]", "1"),
]

MISSING_OPERAND = [
    ("{{ payload.v | plus }}", "5", "NaN"),
    ("{{ payload.v | minus }}", '"5"', "NaN"),
    ("{{ payload.v | times }}", "null", "NaN"),
    ("{{ payload.v | divided_by }}", "5", "NaN"),
    ("{{ payload.v | modulo }}", "5", "NaN"),
    ("{{ payload.v | plus }}", MISSING, "NaN"),
    ("{{ payload.v | plus: nil }}", "5", "5"),
    ("{{ payload.v | at_least }}", "5", "5"),
    ("{{ payload.v | minus: 2 | append: ' pts' }}", "5", "3 pts"),
    ("{{ payload.v | times: 1.2 | round: 2 | prepend: '$' }}", "3.7", "$4.44"),
]

# ``round``'s digits are not truncated to an integer: LiquidJS shifts the
# decimal point by writing ``${mantissa}e${digits}``, which is NaN for a
# fraction, and then answers the number unrounded.
ROUND = [
    ("{{ payload.v | round: payload.v }}", "-2.5", "-2.5"),
    ("{{ payload.v | round: payload.v }}", "0.1", "0.1"),
    ("{{ payload.v | round: 1.5 }}", "3.14159", "3.14159"),
    ("{{ payload.v | round: 2 }}", "3.14159", "3.14"),
    ("{{ payload.v | round: -1 }}", "15", "20"),
    ("{{ payload.v | divided_by: 0 | round }}", "5", "Infinity"),
]


@pytest.mark.parametrize(("template", "value", "expected"), SURPLUS_ARGUMENTS + MISSING_OPERAND + ROUND)
def test_math_and_arity(template: str, value: str, expected: str) -> None:
    assert render(template, value) == expected
