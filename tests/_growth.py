"""Timing for the complexity tests: growth ratios that a loaded machine cannot fail.

A complexity test builds the same hostile shape at a few sizes, each double
the one before, and asserts that the time grows about linearly.  The timings
are CPU time of the test's own thread (other processes do not count), each
run repeated enough to take at least 20 ms, and the sizes are measured in
interleaved rounds, keeping the best time of each: a busy machine can only
slow a run down, never speed one up, so another round can only bring the
figures closer to the truth.  Rounds stop as soon as the growth is judged
acceptable, so a quiet machine pays for one round.
"""

from __future__ import annotations

import math
import time
import typing as t

__all__ = ["cpu_time", "growth_times", "per_doubling"]


def cpu_time(function: t.Callable[[], object], loops: int = 1) -> float:
    """CPU time of this thread for ``loops`` calls of ``function``."""
    started = time.thread_time()
    for _ in range(loops):
        function()
    return time.thread_time() - started


def _loops_for(function: t.Callable[[], object], floor: float) -> int:
    loops = 1
    while cpu_time(function, loops) < floor and loops < 1 << 16:
        loops *= 2
    return loops


def growth_times(
    runs: t.Sequence[t.Callable[[], object]],
    accept: t.Callable[[list[float]], bool],
    *,
    rounds: int = 5,
    floor: float = 0.02,
) -> list[float]:
    """The best time per call of each of ``runs`` (one per input size,
    smallest first), over up to ``rounds`` interleaved rounds; stops early
    once ``accept(times)`` holds.  The caller asserts on the result."""
    loops = _loops_for(runs[0], floor)
    times = [math.inf] * len(runs)
    for _ in range(rounds):
        times = [min(best, cpu_time(run, loops) / loops) for best, run in zip(times, runs)]
        if accept(times):
            break
    return times


def per_doubling(times: t.Sequence[float]) -> float:
    """The mean growth factor per doubling of the input (2 is linear, 4
    quadratic), for times measured at sizes that double each step."""
    return (times[-1] / max(times[0], 1e-9)) ** (1 / (len(times) - 1))
