"""Micro-benchmarks of the engine (pytest-benchmark; not part of the test suite).

    pytest benchmarks/ --benchmark-only
    pytest benchmarks/ --benchmark-only -s     # also prints the registration figures

``setup.cfg`` sets ``testpaths = tests``, so a bare ``pytest`` never collects
this folder; run it explicitly as above.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
import tracemalloc

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import apps  # noqa: E402

from flask_novu import Bridge, workflow  # noqa: E402
from flask_novu.engine import run_in_process  # noqa: E402
from flask_novu.signature import sign, verify_signature  # noqa: E402

REGISTRATION_WORKFLOWS = 1000
REGISTRATION_STEPS = 10
REGISTRATION_TARGET_S = 1.0
REGISTRATION_TARGET_MB = 50.0
_STEP_TYPES = ("in_app", "email", "sms", "push", "chat", "delay", "digest", "custom", "email", "in_app")


def make_workflow(index: int, steps: int = REGISTRATION_STEPS):
    """A workflow of ``steps`` steps, each with a small control schema."""

    def fn(payload, step):
        for n in range(steps):
            kind = _STEP_TYPES[n % len(_STEP_TYPES)]
            getattr(step, kind)(
                f"step-{n}",
                lambda controls: {"subject": controls["subject"], "body": controls["subject"]},
                control_schema={
                    "type": "object",
                    "properties": {"subject": {"type": "string", "default": "Hi {{payload.name}}"}},
                    "additionalProperties": False,
                },
            )

    return workflow(
        f"wf-{index}",
        payload_schema={
            "type": "object",
            "properties": {"name": {"type": "string"}},
            "additionalProperties": False,
        },
    )(fn)


def register(count: int) -> Bridge:
    return Bridge([make_workflow(i) for i in range(count)])


@pytest.fixture(scope="module")
def bridge() -> Bridge:
    return Bridge(apps.WORKFLOWS)


# -- discovery ---------------------------------------------------------------------------


def test_discover_build(benchmark, bridge):
    """``Bridge.discover()``: the discover document built from the discovered steps."""
    benchmark(bridge.discover)


def test_discover_serialized(benchmark, bridge):
    """``Bridge.serialized('discover')``: the cached body the view sends."""
    bridge.serialized("discover")
    benchmark(bridge.serialized, "discover")


# -- execute -----------------------------------------------------------------------------


def test_execute_last_of_six(benchmark, bridge):
    """``Bridge.execute``: last step of six, the five previous replayed from state."""
    event = apps.execute_event()
    result = benchmark(bridge.execute, event)
    assert result["outputs"]["subject"] == "Your pro summary, ADA"


@pytest.mark.parametrize("registered", [1, 1000])
def test_execute_vs_registered(benchmark, registered):
    """Execute cost with 1 vs 1,000 registered workflows (should be flat)."""
    fillers = [make_workflow(i) for i in range(registered - 1)]
    many = Bridge([apps.six_steps, *fillers])
    benchmark.group = "execute vs registered workflows"
    benchmark.extra_info["registered"] = registered
    benchmark(many.execute, apps.execute_event())


def test_compat_execute_welcome(benchmark, bridge):
    """``run_in_process``: the compat route's engine call, 2-step workflow."""
    wf = bridge.get(apps.COMPAT_WORKFLOW)
    body = apps.COMPAT_BODY
    result = benchmark(run_in_process, wf, body["to"], body["payload"], bridge=bridge)
    assert result["status"] == "completed"


# -- signature ---------------------------------------------------------------------------


def test_verify_signature(benchmark):
    """HMAC check of a signed execute body (one key)."""
    body = json.dumps(apps.EXECUTE_LAST_BODY, separators=(",", ":")).encode()
    header = sign("sk_bench", body)
    benchmark(verify_signature, header, ("sk_bench",), body)


def test_verify_signature_rotation(benchmark):
    """Same, the matching key second of two (key rotation)."""
    body = json.dumps(apps.EXECUTE_LAST_BODY, separators=(",", ":")).encode()
    header = sign("sk_new", body)
    benchmark(verify_signature, header, ("sk_old", "sk_new"), body)


# -- registration ------------------------------------------------------------------------


def test_registration_1000x10(benchmark):
    """Define and register 1,000 workflows x 10 steps: time and peak memory."""
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    registered = register(REGISTRATION_WORKFLOWS)
    traced_seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sum(len(w.steps) for w in registered.workflows.values()) == 10_000
    del registered
    gc.collect()

    result = benchmark.pedantic(register, args=(REGISTRATION_WORKFLOWS,), rounds=1, iterations=1)
    assert len(result.workflows) == REGISTRATION_WORKFLOWS
    seconds = benchmark.stats.stats.median
    peak_mb = peak / 2**20
    benchmark.extra_info.update(
        {
            "median_s": round(seconds, 3),
            "target_s": REGISTRATION_TARGET_S,
            "peak_mb": round(peak_mb, 1),
            "target_mb": REGISTRATION_TARGET_MB,
            "seconds_under_tracemalloc": round(traced_seconds, 3),
        }
    )
    print(
        f"\nregistration of {REGISTRATION_WORKFLOWS} x {REGISTRATION_STEPS} steps: "
        f"{seconds:.3f} s (target < {REGISTRATION_TARGET_S:g} s: "
        f"{'MET' if seconds < REGISTRATION_TARGET_S else 'MISSED'}), "
        f"peak {peak_mb:.1f} MB traced (target < {REGISTRATION_TARGET_MB:g} MB: "
        f"{'MET' if peak_mb < REGISTRATION_TARGET_MB else 'MISSED'})"
    )
