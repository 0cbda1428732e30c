"""HTTP load benchmark: Flask-Novu vs bare Flask vs the official @novu/framework SDK.

One run starts, on loopback, the bridge app and the bare Flask app of
``apps.py`` under gunicorn (one worker each) and, when ``node`` and the SDK's
``node_modules`` are available, ``sdk_server.mjs``; then it drives every
server with the same requests, side by side and interleaved in rounds, and
prints requests/s, p50/p99 latency and the ratios the performance issue sets
targets for.

    python benchmarks/load.py                       # wrk if installed, else Python
    python benchmarks/load.py --client python --duration 3 --rounds 2
    python benchmarks/load.py --sdk-dir /tmp/novu-ref    # folder with node_modules

The SDK folder: copy ``shared/novu-reference`` to a temporary folder and run
``npm ci`` there (``NOVU_SDK_DIR`` or ``--sdk-dir``; default ``/tmp/novu-ref``).
Results also go to ``benchmarks/results/load-<time>.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
import urllib.request
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import apps  # noqa: E402

HOST = "127.0.0.1"
JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    body: bytes | None = None
    servers: tuple[str, ...] = ("bridge", "previous", "bare", "sdk")


def endpoints() -> list[Endpoint]:
    route = apps.ROUTE
    execute = json.dumps(apps.EXECUTE_LAST_BODY, separators=(",", ":")).encode()
    compat = json.dumps(apps.COMPAT_BODY, separators=(",", ":")).encode()
    return [
        Endpoint("health-check", "GET", f"{route}?action=health-check"),
        Endpoint("discover", "GET", f"{route}?action=discover"),
        Endpoint("execute-last-of-6", "POST", f"{route}?{apps.EXECUTE_LAST_QUERY}", execute),
        Endpoint(
            "compat-execute",
            "POST",
            f"{route}/workflows/{apps.COMPAT_WORKFLOW}/execute",
            compat,
            servers=("bridge", "previous", "bare"),
        ),
    ]


#: (label, endpoint, numerator, denominator, target or None)
RATIOS = [
    ("health-check vs bare Flask", "health-check", "bridge", "bare", 0.9),
    ("discover vs SDK", "discover", "bridge", "sdk", 1.2),
    ("execute last of 6 vs SDK", "execute-last-of-6", "bridge", "sdk", 1.25),
    ("execute last of 6 vs bare Flask POST", "execute-last-of-6", "bridge", "bare", 0.6),
    ("compat execute vs bare Flask POST", "compat-execute", "bridge", "bare", 0.85),
    ("health-check vs SDK", "health-check", "bridge", "sdk", None),
    ("health-check vs previous checkout", "health-check", "bridge", "previous", None),
    ("discover vs previous checkout", "discover", "bridge", "previous", None),
    ("execute last of 6 vs previous checkout", "execute-last-of-6", "bridge", "previous", None),
    ("compat execute vs previous checkout", "compat-execute", "bridge", "previous", None),
]


def work_beyond_floor(results: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """What a bridge request costs beyond the trivial health-check of the
    same stack, for Flask-Novu and the SDK.

    The ratios above include each stack's server: gunicorn's sync worker
    opens a connection per request where Node keeps them alive, which sets a
    floor no Flask app goes below. Subtracting each stack's health-check time
    leaves the work of the bridge itself (parsing, validation, Liquid,
    sanitising, serialising).
    """
    health = results.get("health-check", {})
    if "bridge" not in health or "sdk" not in health:
        return []
    rows = []
    for endpoint in ("discover", "execute-last-of-6"):
        row = results.get(endpoint, {})
        if "bridge" not in row or "sdk" not in row:
            continue
        bridge_us = 1e6 / row["bridge"]["rps"] - 1e6 / health["bridge"]["rps"]
        sdk_us = 1e6 / row["sdk"]["rps"] - 1e6 / health["sdk"]["rps"]
        rows.append(
            {
                "endpoint": endpoint,
                "bridge_us": round(bridge_us, 1),
                "sdk_us": round(sdk_us, 1),
                "ratio": round(sdk_us / bridge_us, 2) if bridge_us > 0 else None,
            }
        )
    return rows


# -- servers ----------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    argv: list[str]
    cwd: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    log: t.Any = None

    def start(self, pin: str | None) -> None:
        argv = (["taskset", "-c", pin] if pin else []) + self.argv
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            argv,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://{HOST}:{self.port}{apps.ROUTE}?action=health-check"
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start:\n{self.output()}")

    def output(self) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # our own session: gunicorn master + worker
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def gunicorn_server(
    name: str, app: str, port: int, worker_class: str, tree: str | None = None
) -> Server:
    """``apps:<app>`` under gunicorn; from another checkout of Flask-Novu
    (its ``flask_novu`` and ``benchmarks/apps.py``) when ``tree`` is given."""
    argv = [
        sys.executable, "-m", "gunicorn",
        "--workers", "1",
        "--worker-class", worker_class,
        "--bind", f"{HOST}:{port}",
        "--pythonpath", os.path.join(tree, "benchmarks") if tree else HERE,
        "--log-level", "warning",
        f"apps:{app}",
    ]  # fmt: skip
    return Server(name, port, argv, env={"PYTHONPATH": tree} if tree else {})


def check_tree(tree: str) -> None:
    """Fail unless ``tree`` is a checkout whose ``flask_novu`` Python imports first."""
    found = subprocess.run(
        [sys.executable, "-c", "import flask_novu; print(flask_novu.__file__)"],
        env={**os.environ, "PYTHONPATH": tree},
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    ).stdout.strip()
    if not os.path.isfile(os.path.join(tree, "benchmarks", "apps.py")) or not found.startswith(
        os.path.realpath(tree) + os.sep
    ):
        raise SystemExit(f"--previous {tree}: not a Flask-Novu checkout imported first ({found!r})")


def sdk_server(port: int, sdk_dir: str, workdir: str) -> Server | None:
    node = shutil.which("node")
    modules = os.path.join(sdk_dir, "node_modules")
    if not node or not os.path.isdir(os.path.join(modules, "@novu", "framework")):
        return None
    # ESM resolves packages next to the importing file: run a copy of the
    # script from a folder whose node_modules links to the SDK's.
    os.symlink(modules, os.path.join(workdir, "node_modules"))
    shutil.copy(os.path.join(HERE, "sdk_server.mjs"), workdir)
    env = {"PORT": str(port), "NODE_ENV": "production"}
    return Server("sdk", port, [node, os.path.join(workdir, "sdk_server.mjs")], cwd=workdir, env=env)


# -- load generators ------------------------------------------------------------------


@dataclass
class Measurement:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    #: CPU time the server's processes spent per request (µs), when known.
    cpu_us: float | None = None


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def session_cpu_seconds(session: int) -> float | None:
    """User + system CPU time of every process in ``session`` (a server was
    started in a session of its own: gunicorn's master and worker, or Node).

    Unlike requests/s, it does not count the time a server waits for the
    load generator: when it matches ``1/rps``, the server was saturated and
    the figures measure it, not the client. ``None`` without Linux's ``/proc``.
    """
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:  # the process ended meanwhile
            continue
        # Fields after the command name (which may contain spaces): state is
        # field 3, session field 6, utime and stime fields 14 and 15.
        fields = stat[stat.rindex(b")") + 2 :].split()
        if int(fields[3]) == session:
            total += int(fields[11]) + int(fields[12])
    return total / _TICK


def measure(
    server: Server,
    load: t.Callable[..., Measurement],
    ep: Endpoint,
    duration: float,
    connections: int,
) -> Measurement:
    """``load`` against ``server``, with the server's CPU time per request."""
    session = server.proc.pid if server.proc is not None else None
    before = session_cpu_seconds(session) if session is not None else None
    result = load(server.port, ep, duration, connections)
    after = session_cpu_seconds(session) if session is not None else None
    if before is not None and after is not None and result.requests:
        result.cpu_us = (after - before) / result.requests * 1e6
    return result


def check(port: int, ep: Endpoint) -> None:
    """One request: the server must answer 200 with JSON."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request(ep.method, ep.path, ep.body, JSON_HEADERS if ep.body else {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{ep.name} on :{port} answered {response.status}: {data[:300]!r}")
    json.loads(data)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(port: int, ep: Endpoint, duration: float, connections: int) -> Measurement:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "{ep.method}"\n')
        if ep.body:
            script.write(f"wrk.body = [==[{ep.body.decode()}]==]\n")
            script.write('wrk.headers["Content-Type"] = "application/json"\n')
    try:
        out = subprocess.run(
            [
                "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s",
                "--latency", "-s", script.name, f"http://{HOST}:{port}{ep.path}",
            ],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:  # read errors are the sync worker closing idle connections: not failures
        errors += int(sock.group(1)) + int(sock.group(3)) + int(sock.group(4))
    return Measurement(rps, p50, p99, requests, errors)


def run_python(port: int, ep: Endpoint, duration: float, connections: int) -> Measurement:
    """Keep-alive http.client in ``connections`` threads (reconnects when the server closes)."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    headers = JSON_HEADERS if ep.body else {}
    start = threading.Barrier(connections + 1)
    stop_at = [0.0]

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        own = latencies[i]
        start.wait()
        while True:
            began = time.perf_counter()
            if began >= stop_at[0]:
                break
            try:
                conn.request(ep.method, ep.path, ep.body, headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[i] += 1
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                continue
            own.append(time.perf_counter() - began)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + duration
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    merged = sorted(x for own in latencies for x in own)
    if not merged:
        return Measurement(0.0, float("nan"), float("nan"), 0, sum(errors))

    def pct(p: float) -> float:
        return merged[min(len(merged) - 1, int(p * len(merged)))] * 1000

    return Measurement(len(merged) / elapsed, pct(0.50), pct(0.99), len(merged), sum(errors))


# -- report ------------------------------------------------------------------------------


def machine() -> dict[str, t.Any]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def version(argv: list[str]) -> str | None:
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return None

    import importlib.metadata

    import gunicorn

    import flask_novu

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "flask": importlib.metadata.version("flask"),
        "gunicorn": gunicorn.__version__,
        "flask_novu": flask_novu.__version__,
        "node": version(["node", "--version"]) if shutil.which("node") else None,
        "wrk": version(["wrk", "--version"]) if shutil.which("wrk") else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per server and endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median is reported)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--sdk-dir", default=os.environ.get("NOVU_SDK_DIR", "/tmp/novu-ref"))
    parser.add_argument("--no-sdk", action="store_true")
    parser.add_argument("--port", type=int, default=4310, help="first of four loopback ports")
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers and client to separate CPUs")
    parser.add_argument("--out", default=None, help="JSON results file")
    parser.add_argument(
        "--previous",
        metavar="DIR",
        help="another checkout (e.g. git worktree add /tmp/prev HEAD~3) measured side by side",
    )
    args = parser.parse_args(argv)

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    load = run_wrk if client == "wrk" else run_python

    pin = None
    if not args.no_pin and hasattr(os, "sched_setaffinity") and shutil.which("taskset"):
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) >= 2:  # servers on the last CPU, the load generator on the others
            pin = str(cpus[-1])
            os.sched_setaffinity(0, cpus[:-1])

    workdir = tempfile.mkdtemp(prefix="flask-novu-bench-")
    servers = [
        gunicorn_server("bridge", "bridge_app", args.port, args.worker_class),
        gunicorn_server("bare", "bare_app", args.port + 1, args.worker_class),
    ]
    if args.previous:
        check_tree(os.path.realpath(args.previous))
        servers.append(
            gunicorn_server(
                "previous", "bridge_app", args.port + 3, args.worker_class, os.path.realpath(args.previous)
            )
        )
    if not args.no_sdk:
        sdk = sdk_server(args.port + 2, args.sdk_dir, workdir)
        if sdk is None:
            print(f"SDK server skipped: no node or no @novu/framework under {args.sdk_dir}/node_modules")
        else:
            servers.append(sdk)
    info = machine()
    print(
        f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, node {info['node']}; "
        f"client {client}, {args.connections} connections, gunicorn 1 {args.worker_class} worker, "
        f"{args.rounds} x {args.duration:g}s, servers pinned to CPU {pin}"
    )
    results: dict[str, dict[str, t.Any]] = {}
    try:
        for server in servers:
            server.start(pin)
        for server in servers:
            server.wait_ready()
        by_name = {s.name: s for s in servers}
        for ep in endpoints():
            active = [by_name[n] for n in ep.servers if n in by_name]
            for server in active:
                check(server.port, ep)
                load(server.port, ep, args.warmup, args.connections)
            rounds: dict[str, list[Measurement]] = {s.name: [] for s in active}
            for r in range(args.rounds):
                order = active[r % len(active):] + active[: r % len(active)]
                for server in order:
                    rounds[server.name].append(measure(server, load, ep, args.duration, args.connections))
            results[ep.name] = {}
            for name, ms in rounds.items():
                cpu = [m.cpu_us for m in ms if m.cpu_us is not None]
                complete = len(cpu) == len(ms)
                results[ep.name][name] = {
                    "rps": statistics.median(m.rps for m in ms),
                    "p50_ms": statistics.median(m.p50_ms for m in ms),
                    "p99_ms": statistics.median(m.p99_ms for m in ms),
                    "errors": sum(m.errors for m in ms),
                    "rounds_rps": [round(m.rps, 1) for m in ms],
                    "cpu_us": statistics.median(cpu) if complete else None,
                    "rounds_cpu_us": [round(c, 1) for c in cpu] if complete else None,
                }
            print(f"\n{ep.name}: {ep.method} {ep.path}")
            for name, row in results[ep.name].items():
                cpu_text = f"   cpu {row['cpu_us']:6.0f} us/req" if row["cpu_us"] is not None else ""
                print(
                    f"  {name:7} {row['rps']:9.1f} req/s   p50 {row['p50_ms']:7.2f} ms   "
                    f"p99 {row['p99_ms']:7.2f} ms{cpu_text}   errors {row['errors']}   rounds {row['rounds_rps']}"
                )
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    ratios = []
    print(
        "\nratios (requests/s of Flask-Novu / baseline: ratio of the medians of interleaved "
        "rounds; paired: median of the per-round ratios (their range); cpu: the same paired ratio in "
        "server CPU time per request, baseline / Flask-Novu; targets are judged on the paired ratio)"
    )
    for label, ep_name, num, den, target in RATIOS:
        if den == "previous" and not args.previous:
            continue
        row = results.get(ep_name, {})
        if num not in row or den not in row or not row[den]["rps"]:
            ratios.append({"label": label, "ratio": None, "target": target, "met": None})
            print(f"  {label:40} n/a (no {den} server)")
            continue
        ratio = row[num]["rps"] / row[den]["rps"]
        # Rounds of the two servers ran back to back: their ratio cancels
        # most of the machine's drift between rounds.
        per_round = [a / b for a, b in zip(row[num]["rounds_rps"], row[den]["rounds_rps"]) if b]
        paired = statistics.median(per_round)
        met = None if target is None else paired >= target
        # The same comparison in server CPU time per request (baseline /
        # Flask-Novu, so that above 1 still means Flask-Novu is cheaper).
        cpu_ratio = None
        if row[num]["rounds_cpu_us"] and row[den]["rounds_cpu_us"]:
            cpu_ratio = statistics.median(
                b / a for a, b in zip(row[num]["rounds_cpu_us"], row[den]["rounds_cpu_us"]) if a
            )
        ratios.append(
            {
                "label": label,
                "ratio": round(ratio, 3),
                "paired_ratio": round(paired, 3),
                "paired_range": [round(min(per_round), 3), round(max(per_round), 3)],
                "paired_cpu_ratio": round(cpu_ratio, 3) if cpu_ratio is not None else None,
                "target": target,
                "met": met,
            }
        )
        verdict = "" if target is None else f"target >= {target:g}x  {'MET' if met else 'MISSED'}"
        cpu_text = f"cpu {cpu_ratio:5.2f}x   " if cpu_ratio is not None else ""
        spread = f"({min(per_round):.2f}-{max(per_round):.2f})"
        print(f"  {label:40} {ratio:6.2f}x   paired {paired:5.2f}x {spread:11}  {cpu_text}{verdict}")

    work = work_beyond_floor(results)
    if work:
        print(
            "\nper-request work beyond each stack's health-check (1/rps - 1/rps(health-check), "
            "server and framework costs removed)"
        )
        for row in work:
            print(
                f"  {row['endpoint']:18} Flask-Novu {row['bridge_us']:7.1f} us   "
                f"SDK {row['sdk_us']:7.1f} us   SDK/Flask-Novu "
                + (f"{row['ratio']:5.2f}x" if row["ratio"] is not None else "n/a")
            )

    out = args.out or os.path.join(HERE, "results", time.strftime("load-%Y%m%d-%H%M%S.json"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        json.dump(
            {
                "machine": info,
                "config": {**vars(args), "client": client, "pinned_cpu": pin},
                "results": results,
                "ratios": ratios,
                "work_beyond_floor": work,
            },
            fh,
            indent=2,
        )
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
