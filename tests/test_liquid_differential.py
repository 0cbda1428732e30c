"""Differential tests of Liquid rendering against the SDK's own compileControls.

* The recorded corpus (``tests/fixtures/liquid_corpus.json``, thousands of
  generated cases rendered by ``@novu/framework`` 2.13.2; re-record with
  ``scripts/record_liquid_corpus.py``) runs everywhere, without Node.
* Fresh cases from other seeds are rendered by the real SDK when Node and
  the reference install (``$NOVU_REFERENCE_INSTALLED``, default
  ``/tmp/novu-ref``) are present; the test is skipped otherwise.
* The fast path for plain outputs must agree with python-liquid on the whole
  corpus.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from flask_novu import templating
from flask_novu.templating import ControlCompilationError, compile_controls

from liquid_cases import generate

HERE = Path(__file__).resolve().parent
CORPUS = json.loads((HERE / "fixtures" / "liquid_corpus.json").read_text(encoding="utf-8"))["cases"]
REFERENCE = Path(os.environ.get("NOVU_REFERENCE_INSTALLED", "/tmp/novu-ref"))
ORACLE = HERE.parent / "scripts" / "liquid_oracle.mjs"


@pytest.fixture(autouse=True)
def _utc(utc: None) -> None:
    """The corpus was recorded with TZ=UTC (conftest's ``utc``)."""


def ours(case: dict[str, Any]) -> dict[str, Any]:
    context = {
        "workflow": {"workflowId": "liquid-oracle"},
        "payload": case["payload"],
        "subscriber": case["subscriber"],
        "context": {},
        "steps": {},
        "env": {},
    }
    try:
        return {"ok": compile_controls(case["controls"], context)}
    except ControlCompilationError as err:
        return {"error": err.data["name"]}


def _disagreements(cases: list[dict[str, Any]], answers: list[dict[str, Any]]) -> list[str]:
    found = []
    for case, answer in zip(cases, answers):
        got = ours(case)
        if got != answer:
            found.append(f"{json.dumps(case['controls'], ensure_ascii=False)}\n  sdk  {answer}\n  ours {got}")
    return found


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CORPUS) >= 3000
    errors = sum(1 for case in CORPUS if "error" in case["sdk"])
    assert 0 < errors < len(CORPUS) // 4


def test_recorded_corpus_renders_as_the_sdk() -> None:
    found = _disagreements(CORPUS, [case["sdk"] for case in CORPUS])
    assert not found, f"{len(found)} of {len(CORPUS)} differ:\n" + "\n".join(found[:10])


def test_fast_path_agrees_with_python_liquid_on_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    sample = CORPUS[::3]
    templating._prepare.cache_clear()  # type: ignore[attr-defined]
    fast = [ours(case) for case in sample]
    templating._prepare.cache_clear()  # type: ignore[attr-defined]
    with monkeypatch.context() as patch:
        patch.setattr(templating, "_make_plan", lambda template: None)
        slow = [ours(case) for case in sample]
    templating._prepare.cache_clear()  # type: ignore[attr-defined]
    assert fast == slow


_HAVE_SDK = shutil.which("node") is not None and (REFERENCE / "node_modules" / "@novu" / "framework").is_dir()


@pytest.mark.skipif(not _HAVE_SDK, reason="needs node and the reference SDK install")
def test_fresh_cases_render_as_the_live_sdk() -> None:
    cases = [generate(seed) for seed in range(1_000_000, 1_000_400)]
    completed = subprocess.run(
        ["node", str(ORACLE)],
        input="\n".join(json.dumps(case) for case in cases),
        capture_output=True,
        text=True,
        env=dict(os.environ, NOVU_REFERENCE=str(REFERENCE), TZ="UTC"),
        check=True,
        timeout=300,
    )
    answers = [json.loads(line) for line in completed.stdout.splitlines()]
    assert len(answers) == len(cases), completed.stderr
    found = _disagreements(cases, answers)
    assert not found, f"{len(found)} of {len(cases)} differ:\n" + "\n".join(found[:10])
