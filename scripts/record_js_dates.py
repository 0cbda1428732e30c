"""Record how JavaScript's ``new Date(text)`` reads generated dashboard text.

Writes ``tests/fixtures/js_dates.json``: ``[text, iso]`` pairs, where ``iso`` is
``new Date(text).toISOString()`` in node with ``TZ=UTC`` (``"Invalid"`` for an
invalid date).  The texts are seeded combinations of what payload text holds
next to a number (words, month and zone names, the ISO ``T``, emoji,
punctuation, blanks, times, AM/PM and offsets), plus date texts as
programs write them (``Date.toString()``, ``toLocaleString()``, RFC 2822):
what V8's legacy date parser reads when a Liquid date filter gets text that
is not ISO 8601.  ``tests/test_js_dates.py`` replays the table without node.
Run with node on the PATH::

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
    ":", "+", "10:30", "23:59:59", ".5", ".123", "PM", "AM", "GMT+0100", "-05:00", "+2",
]
#: Date texts as programs write them.
WRITTEN = [
    "Tue Mar 05 2024 14:30:00 GMT+0100 (Central European Standard Time)", "Tue Mar 05 2024 14:30:00 GMT+0100",
    "Tue, 05 Mar 2024 14:30:00 GMT", "Tue, 05 Mar 2024 14:30:00 +0100", "3/5/2024, 2:30:00 PM",
    "12/31/2024 11:59 PM", "5 Mar 2024 10:30", "Mar 5, 2024 10:30 AM", "05 Mar 2024 14:30 UTC",
    "Mar 5 2024 14:30:00.123", "5.3.2024 14:30", "14:30 5 Mar 2024", "2024-03-05 10:30 PM", "Mar 5 10:30",
    "2024-3-5 10:30", "2024/03/05 10:30:15", "March 5, 2024", "Meeting at 10:30", "10:30 PM", "5:30pm",
    "2024-03-05 ", " 2024-03-05", "24:00 1 Jan 2024", "2024-03-05 10:30 -0500", "Jan 1 2024 12:00 AM",
]
NODE_SCRIPT = (
    "const lines=require('fs').readFileSync(0,'utf8').split('\\n').filter(Boolean).map(JSON.parse);"
    "process.stdout.write(JSON.stringify(lines.map(s=>{const d=new Date(s);return isNaN(d)?'Invalid':d.toISOString()})))"
)


def generate(seed: int = 9, count: int = 4000) -> list[str]:
    rng = random.Random(seed)
    texts: set[str] = set(WRITTEN)
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
