"""Record the Liquid differential corpus from the real SDK.

Generates cases with ``tests/liquid_cases.py`` (seeds 0..N-1), renders each
with ``@novu/framework``'s own ``compileControls`` (``scripts/liquid_oracle.mjs``,
Node, ``TZ=UTC``) and writes ``tests/fixtures/liquid_corpus.json``, which
``tests/test_liquid_differential.py`` replays without Node.

Usage::

    python scripts/record_liquid_corpus.py [--cases 3000] [--reference DIR]

``DIR`` holds ``node_modules`` with ``@novu/framework`` 2.13.2 (default: the
``NOVU_REFERENCE_INSTALLED`` environment variable).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from liquid_cases import generate  # noqa: E402


def render_with_sdk(cases: list[dict[str, Any]], reference: str) -> list[dict[str, Any]]:
    """The SDK's answer for each case: ``{"ok": controls}`` or ``{"error": name}``."""
    env = dict(os.environ, NOVU_REFERENCE=reference, TZ="UTC")
    completed = subprocess.run(
        ["node", str(ROOT / "scripts" / "liquid_oracle.mjs")],
        input="\n".join(json.dumps(case) for case in cases),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    answers = [json.loads(line) for line in completed.stdout.splitlines()]
    if len(answers) != len(cases):
        raise SystemExit(f"the oracle answered {len(answers)} of {len(cases)} cases: {completed.stderr}")
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--reference", default=os.environ.get("NOVU_REFERENCE_INSTALLED", ""))
    args = parser.parse_args()
    if not args.reference:
        raise SystemExit("give --reference or set NOVU_REFERENCE_INSTALLED")
    cases = [generate(seed) for seed in range(args.cases)]
    answers = render_with_sdk(cases, args.reference)
    records = [{"seed": seed, **case, "sdk": answer} for seed, (case, answer) in enumerate(zip(cases, answers))]
    out = ROOT / "tests" / "fixtures" / "liquid_corpus.json"
    out.write_text(json.dumps({"sdk": "@novu/framework 2.13.2", "tz": "UTC", "cases": records},
                              ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} cases to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
