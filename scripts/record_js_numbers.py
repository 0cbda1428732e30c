"""Record how JavaScript prints a generated set of numbers.

Writes ``tests/fixtures/js_numbers.json``: ``[text, kind, printed]`` triples,
where ``text`` is the number as Python writes it (``repr`` for floats, which
round-trips, ``str`` for integers; ``NaN``/``Infinity`` as words), ``kind`` is
``"float"`` or ``"int"`` and ``printed`` is ``String(Number(text))`` in node.
``tests/test_jsnumber.py`` replays the table without node. Run with node on
the PATH::

    python scripts/record_js_numbers.py
"""

from __future__ import annotations

import json
import pathlib
import random
import struct
import subprocess
import sys

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "js_numbers.json"

NODE_SCRIPT = (
    "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{"
    "process.stdout.write(JSON.stringify(JSON.parse(s).map(x=>String(Number(x)))))})"
)


def generate(seed: int = 16, randoms: int = 600) -> list[tuple[str, str]]:
    """Inputs: special values, decimal-layout boundaries, powers of ten, random doubles."""
    rng = random.Random(seed)
    floats: list[float] = [0.0, -0.0, float("nan"), float("inf"), float("-inf"), 5e-324, -5e-324,
                           2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 0.2, 0.1 + 0.2,
                           1 / 3, 2 / 3, 123.456, 1e21, 1e21 * (1 - 2**-53), 999999999999999900000.0,
                           1e-6, 1e-7, 0.000001, 0.0000001, 0.00001, 1.5e-7, 123e-20, 1.25e-6,
                           2.0**53, 2.0**53 + 2, 2.0**63, 2.0**64, 4.35, 0.5, 1.0, 100.0, -1.5]
    for exponent in range(-325, 310):
        for mantissa in ("1", "9.999", "1.5", "4.2"):
            floats.append(float(f"{mantissa}e{exponent}"))
    for _ in range(randoms):
        bits = rng.getrandbits(64)
        value = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if value == value:  # NaN payloads are all printed "NaN"; keep one above
            floats.append(value)
    for _ in range(randoms):
        floats.append(round(rng.uniform(-1, 1) * 10 ** rng.randint(-9, 24), rng.randint(0, 12)))
    ints = [0, 1, -1, 2**53, 2**53 + 1, -(2**53) - 1, 2**53 + 3, 10**21, 10**21 + 1, 10**22,
            2**64 - 1, 10**25 + 7, 2**1023, 2**1024, -(2**1024), 10**400]
    ints += [rng.randint(-(2**70), 2**70) for _ in range(100)]
    inputs = [(repr(value).replace("nan", "NaN").replace("inf", "Infinity"), "float") for value in floats]
    inputs += [(str(value), "int") for value in ints]
    seen: set[tuple[str, str]] = set()
    return [item for item in inputs if not (item in seen or seen.add(item))]


def js_print(texts: list[str]) -> list[str]:
    """``String(Number(text))`` for each text, computed by node."""
    result = subprocess.run(
        ["node", "-e", NODE_SCRIPT], input=json.dumps(texts), capture_output=True, text=True, check=True
    )
    return list(json.loads(result.stdout))


def main() -> int:
    inputs = generate()
    printed = js_print([text for text, _ in inputs])
    table = [[text, kind, out] for (text, kind), out in zip(inputs, printed)]
    OUT.write_text("[\n" + ",\n".join(json.dumps(row) for row in table) + "\n]\n", encoding="utf-8")
    print(f"wrote {len(table)} numbers to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
