"""Record how JavaScript's ``new Date(text)`` reads generated dashboard text.

Writes ``tests/fixtures/js_dates.json``: ``[text, iso]`` pairs, where ``iso`` is
``new Date(text).toISOString()`` in node with ``TZ=UTC`` (``"Invalid"`` for an
invalid date).  The texts are seeded combinations of what payload text holds
next to a number (words, month and zone names, the ISO ``T``, emoji,
punctuation, blanks): what V8's legacy date parser reads when a Liquid date
filter gets text that is not ISO 8601.  Texts with a time (``:``) or a
``+`` offset are left out: they follow the ISO and RFC 2822 rules.
``tests/test_js_dates.py`` replays the table without node.  Run with node on
the PATH::

    python scripts/record_js_dates.py
"""

from __future__ import annotations

import json
import os
import pathlib
import random
import subprocess

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "js_dates.json"

PIECES = [
    "1", "5", "12", "31", "32", "2024", "99", "0", "007", "100", "13", " ", "  ", ",", "-", ".", "/", "(", ")",
    "(x)", "t", "T", "z", "Z", "utc", "gmt", "est", "pst", "am", "pm", "Mar", "march", "Dec", "Tue", "Order", "x",
    "é", "🚀", "$", "%", "#", "&", "[", "_", "\n", "\u00a0", "tt", "jan", "zulu", "€",
]
NODE_SCRIPT = (
    "const lines=require('fs').readFileSync(0,'utf8').split('\\n').filter(Boolean).map(JSON.parse);"
    "process.stdout.write(JSON.stringify(lines.map(s=>{const d=new Date(s);return isNaN(d)?'Invalid':d.toISOString()})))"
)


def generate(seed: int = 9, count: int = 4000) -> list[str]:
    rng = random.Random(seed)
    texts: set[str] = set()
    while len(texts) < count:
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6)))
        if not (text.strip().isdigit() and text.strip().isascii()):  # digit strings are Unix seconds
            texts.add(text)
    return sorted(texts)


def main() -> None:
    texts = generate()
    result = subprocess.run(["node", "-e", NODE_SCRIPT], input="\n".join(json.dumps(t) for t in texts),
                            capture_output=True, text=True, check=True, env={**os.environ, "TZ": "UTC"})
    rows = list(zip(texts, json.loads(result.stdout)))
    OUT.write_text("[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n", encoding="utf-8")
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
