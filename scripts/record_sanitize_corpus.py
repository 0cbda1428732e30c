"""Record the reference sanitiser's outputs for a corpus of email and in-app HTML.

Runs ``sanitize-html`` exactly as ``@novu/framework`` 2.13.2 configures it
(``scripts/sanitize_oracle.cjs``, which needs an installed copy of the
reference bridge: ``NOVU_REFERENCE_INSTALLED``, default ``/tmp/novu-ref``)
over the seeded corpus of ``tests/_sanitize_cases.py`` plus fixed edge and
hostile cases, and writes ``tests/fixtures/sanitize_corpus.json``: one
``[input, sdk_output]`` pair per case, or ``[input, sdk_output, ours, reason]``
where Flask-Novu deliberately differs (``docs/protocol.rst``; ``reason`` is
``style-closer`` or ``lone-surrogate``).  Any other disagreement stops the
recording.  Run from the repository root::

    python scripts/record_sanitize_corpus.py
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from typing import List

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from flask_novu.sanitize import sanitize_html  # noqa: E402
from _sanitize_cases import EDGE_CASES, corpus  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "sanitize_corpus.json"
SEED = 20261202
COUNT = 3000


def reference_outputs(inputs: List[str]) -> List[str]:
    """Sanitise ``inputs`` with the reference sanitiser (node)."""
    env = dict(os.environ)
    env.setdefault("NOVU_REFERENCE_INSTALLED", "/tmp/novu-ref")
    completed = subprocess.run(
        ["node", str(ROOT / "scripts" / "sanitize_oracle.cjs")],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    outputs: List[str] = json.loads(completed.stdout)
    return outputs


def reason(sdk: str, ours: str) -> str:
    """Name the deliberate difference between two outputs, or fail."""
    if ours == "".join("\ufffd" if 0xD800 <= ord(char) <= 0xDFFF else char for char in sdk):
        return "lone-surrogate"
    if ours.lower().count("</style") < sdk.lower().count("</style"):
        return "style-closer"
    raise SystemExit(f"undocumented difference:\n  sdk:  {sdk!r}\n  ours: {ours!r}")


def main() -> None:
    inputs = list(EDGE_CASES) + corpus(COUNT, SEED)
    cases = []
    for dirty, sdk in zip(inputs, reference_outputs(inputs)):
        ours = sanitize_html(dirty)
        cases.append([dirty, sdk] if ours == sdk else [dirty, sdk, ours, reason(sdk, ours)])
    OUT.write_text(json.dumps(cases, indent=0) + "\n", encoding="utf-8")
    differing = sum(len(case) > 2 for case in cases)
    print(f"{len(cases)} cases written to {OUT.relative_to(ROOT)} ({differing} deliberate differences)")


if __name__ == "__main__":
    main()
