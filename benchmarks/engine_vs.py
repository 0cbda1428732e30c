"""The engine of two source trees side by side, in process, as ratios.

Each tree runs in its own interpreter (its ``.venv/bin/python`` when it has
one, else this interpreter with the tree first on ``sys.path``), serving the
same calls from *this* file's ``apps.py`` (the benchmarks' six-step
workflow): ``Bridge.execute`` of the last of six steps (five replayed from
state, Liquid controls, HTML sanitised) and ``run_in_process`` of the
two-step welcome workflow (the compat route's engine call). Rounds alternate
the two trees (A B, then B A, ...); in each round a worker times batches of
calls with ``time.thread_time`` (CPU time of its own thread, so waiting for
a shared CPU does not count) and reports its median per call. A figure is
the median over rounds of baseline / candidate (above 1: the candidate is
faster), with the range of the per-round ratios. ::

    python benchmarks/engine_vs.py /work/wt/baseline .            # baseline, candidate
    python benchmarks/engine_vs.py OLD NEW --rounds 20 --batch 50
    python benchmarks/engine_vs.py OLD NEW --python /usr/bin/python3  # one interpreter for both
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import typing as t

HERE = os.path.dirname(os.path.abspath(__file__))
FIGURES = ("execute last of 6", "run_in_process (compat)")


def _worker(tree: str) -> int:
    """Serve timing requests on stdin: one ``figure batches size`` line each."""
    import gc
    import time

    sys.path[:0] = [tree, HERE]
    import apps

    import flask_novu
    from flask_novu import Bridge
    from flask_novu.engine import run_in_process

    source = os.path.realpath(flask_novu.__file__)
    if not source.startswith(os.path.realpath(tree) + os.sep):
        print(json.dumps({"error": f"flask_novu imported from {source}, not from {tree}"}), flush=True)
        return 1
    bridge = Bridge(apps.WORKFLOWS)
    welcome = bridge.get(apps.COMPAT_WORKFLOW)
    compat = apps.COMPAT_BODY

    def execute() -> None:
        bridge.execute(apps.execute_event())

    def in_process() -> None:
        run_in_process(welcome, compat["to"], compat["payload"], bridge=bridge)

    calls: dict[str, t.Callable[[], None]] = dict(zip(FIGURES, (execute, in_process)))
    for call in calls.values():  # warm the caches of compiled schemas and templates
        for _ in range(50):
            call()
    print(json.dumps({"ready": source}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        call = calls[request["figure"]]
        size = request["size"]
        per_call = []
        gc.collect()
        for _ in range(request["batches"]):
            started = time.thread_time()
            for _ in range(size):
                call()
            per_call.append((time.thread_time() - started) / size)
        print(json.dumps({"seconds": statistics.median(per_call)}), flush=True)
    return 0


class Worker:
    def __init__(self, tree: str, python: str | None) -> None:
        tree = os.path.abspath(tree)
        if python is None:
            own = os.path.join(tree, ".venv", "bin", "python")
            python = own if os.path.exists(own) else sys.executable
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        self.process = subprocess.Popen(
            [python, os.path.abspath(__file__), "--worker", tree],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tree,
        )
        answer = self._read()
        if "error" in answer:
            raise SystemExit(answer["error"])
        self.source = answer["ready"]
        self.python = python

    def _read(self) -> dict[str, t.Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("a worker exited early (see its traceback above)")
        answer: dict[str, t.Any] = json.loads(line)
        return answer

    def time(self, figure: str, batches: int, size: int) -> float:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"figure": figure, "batches": batches, "size": size}) + "\n")
        self.process.stdin.flush()
        return float(self._read()["seconds"])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return _worker(argv[1])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("baseline", help="source tree of the baseline engine")
    parser.add_argument("candidate", help="source tree of the engine measured against it")
    parser.add_argument("--rounds", type=int, default=20, help="alternating rounds per figure (default 20)")
    parser.add_argument("--batches", type=int, default=7, help="timed batches per worker and round (default 7)")
    parser.add_argument("--batch", type=int, default=30, help="calls per timed batch (default 30)")
    parser.add_argument("--python", help="one interpreter for both trees (default: each tree's .venv)")
    args = parser.parse_args(argv)

    base, cand = Worker(args.baseline, args.python), Worker(args.candidate, args.python)
    try:
        print(f"baseline : {base.source} ({base.python})")
        print(f"candidate: {cand.source} ({cand.python})")
        print(f"{args.rounds} rounds per figure, {args.batches} batches of {args.batch} calls per side and round\n")
        header = f"{'figure':<26} {'baseline':>10} {'candidate':>10} {'ratio':>7}  range"
        print(header)
        print("-" * len(header))
        for figure in FIGURES:
            ratios, base_times, cand_times = [], [], []
            for round_ in range(args.rounds):
                order = (base, cand) if round_ % 2 == 0 else (cand, base)
                timed = {id(w): w.time(figure, args.batches, args.batch) for w in order}
                base_times.append(timed[id(base)])
                cand_times.append(timed[id(cand)])
                ratios.append(timed[id(base)] / timed[id(cand)])
            print(
                f"{figure:<26} {statistics.median(base_times) * 1e6:>8.1f}us "
                f"{statistics.median(cand_times) * 1e6:>8.1f}us {statistics.median(ratios):>6.2f}x"
                f"  {min(ratios):.2f}-{max(ratios):.2f}x"
            )
        print("\nratio = baseline / candidate per round (above 1: the candidate is faster); median, range")
    finally:
        base.close()
        cand.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
