"""HTTP load benchmark: Flask-Novu vs bare Flask vs the official @novu/framework SDK.

One run starts, on loopback, the bridge app and the bare Flask app of
``apps.py`` and the async twin of the bridge app (``async_ratio.py``: the
same six-step workflow written ``async def``) under each Python server
(gunicorn with one sync worker, which opens a connection per request; and,
when it is installed, granian with one worker, a Rust HTTP server with
keep-alive) and, when ``node`` and the SDK's ``node_modules`` are available,
``sdk_server.mjs``; then it drives every server with the same requests, side
by side and interleaved in rounds, and prints requests/s, p50/p99 latency
and, per Python server, the ratios the performance issue sets targets for.

    python benchmarks/load.py                       # wrk if installed, else Python
    python benchmarks/load.py --client python --duration 3 --rounds 2
    python benchmarks/load.py --servers gunicorn    # granian is measured when installed
    python benchmarks/load.py --sdk-dir /tmp/novu-ref    # folder with node_modules

The SDK folder: copy ``shared/novu-reference`` to a temporary folder and run
``npm ci`` there (``NOVU_SDK_DIR`` or ``--sdk-dir``; default ``/tmp/novu-ref``).
Results also go to ``benchmarks/results/load-<time>.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
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
    #: Another path for some servers (the async twin's workflow id).
    paths: dict[str, str] = field(default_factory=dict)

    def path_for(self, server: str) -> str:
        return self.paths.get(server, self.path)


def endpoints() -> list[Endpoint]:
    route = apps.ROUTE
    execute = json.dumps(apps.EXECUTE_LAST_BODY, separators=(",", ":")).encode()
    compat = json.dumps(apps.COMPAT_BODY, separators=(",", ":")).encode()
    return [
        Endpoint("health-check", "GET", f"{route}?action=health-check"),
        Endpoint("discover", "GET", f"{route}?action=discover"),
        Endpoint(
            "execute-last-of-6",
            "POST",
            f"{route}?{apps.EXECUTE_LAST_QUERY}",
            execute,
            servers=("bridge", "previous", "bare", "sdk", "async"),
            paths={"async": f"{route}?{ASYNC_QUERY}"},
        ),
        Endpoint(
            "compat-execute",
            "POST",
            f"{route}/workflows/{apps.COMPAT_WORKFLOW}/execute",
            compat,
            servers=("bridge", "previous", "bare"),
        ),
    ]


#: The async twin of the six-step workflow (``async_ratio.py``), same request.
ASYNC_QUERY = f"action=execute&workflowId=bench-six-steps-async&stepId={apps.LAST_STEP}"

#: (label, endpoint, numerator, denominator, target or None, per server kind)
#: An async workflow may cost 1.15x its sync twin: requests/s >= 1/1.15.
RATIOS = [
    ("health-check vs bare Flask", "health-check", "bridge", "bare", {"gunicorn": 0.9}),
    ("discover vs SDK", "discover", "bridge", "sdk", {"gunicorn": 1.2, "granian": 3.0}),
    ("execute last of 6 vs SDK", "execute-last-of-6", "bridge", "sdk", {"gunicorn": 1.25, "granian": 2.5}),
    ("execute last of 6 vs bare Flask POST", "execute-last-of-6", "bridge", "bare", {"gunicorn": 0.6, "granian": 0.6}),
    ("compat execute vs bare Flask POST", "compat-execute", "bridge", "bare", {"gunicorn": 0.85}),
    ("execute, async twin vs sync workflow", "execute-last-of-6", "async", "bridge", {"gunicorn": 0.87, "granian": 0.87}),
    ("health-check vs SDK", "health-check", "bridge", "sdk", {}),
    ("health-check vs previous checkout", "health-check", "bridge", "previous", {}),
    ("discover vs previous checkout", "discover", "bridge", "previous", {}),
    ("execute last of 6 vs previous checkout", "execute-last-of-6", "bridge", "previous", {}),
    ("compat execute vs previous checkout", "compat-execute", "bridge", "previous", {}),
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
        f"apps:{app}" if ":" not in app else app,
    ]  # fmt: skip
    return Server(name, port, argv, env={"PYTHONPATH": tree} if tree else {})


def granian_server(name: str, app: str, port: int, tree: str | None = None) -> Server:
    """``apps:<app>`` under granian: one worker, one blocking thread (the WSGI
    app runs in one Python thread, as under gunicorn's sync worker), HTTP/1.1
    keep-alive."""
    bench = os.path.join(tree, "benchmarks") if tree else HERE
    argv = [
        sys.executable, "-m", "granian",
        "--interface", "wsgi",
        "--workers", "1",
        "--blocking-threads", "1",
        "--http", "1",
        "--no-ws",
        "--host", HOST,
        "--port", str(port),
        "--working-dir", bench,
        "--log-level", "warning",
        f"apps:{app}" if ":" not in app else app,
    ]  # fmt: skip
    path = os.pathsep.join([tree, bench]) if tree else bench
    return Server(name, port, argv, env={"PYTHONPATH": path})


def python_server(
    kind: str, name: str, app: str, port: int, worker_class: str, tree: str | None = None
) -> Server:
    if kind == "granian":
        return granian_server(name, app, port, tree)
    return gunicorn_server(name, app, port, worker_class, tree)


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


def proc_stats() -> t.Iterator[tuple[int, list[bytes]]]:
    """Every process's pid and the fields of its ``/proc/<pid>/stat`` after
    the command name (which may contain spaces): state is field 0, the
    parent's pid field 1, the session field 3, utime and stime fields 11
    and 12. Nothing without Linux's ``/proc``."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:  # the process ended meanwhile
            continue
        yield int(entry), stat[stat.rindex(b")") + 2 :].split()


def session_cpu_seconds(session: int) -> float | None:
    """User + system CPU time of every process in ``session`` (a server was
    started in a session of its own: gunicorn's master and worker, or Node).

    Unlike requests/s, it does not count the time a server waits for the
    load generator: when it matches ``1/rps``, the server was saturated and
    the figures measure it, not the client. ``None`` without Linux's ``/proc``.
    """
    if not os.path.isdir("/proc"):
        return None
    total = 0
    for _, fields in proc_stats():
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
    result = load(server.port, ep, ep.path_for(server.name), duration, connections)
    after = session_cpu_seconds(session) if session is not None else None
    if before is not None and after is not None and result.requests:
        result.cpu_us = (after - before) / result.requests * 1e6
    return result


def check(port: int, ep: Endpoint, path: str) -> None:
    """One request: the server must answer 200 with JSON."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request(ep.method, path, ep.body, JSON_HEADERS if ep.body else {})
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


def run_wrk(port: int, ep: Endpoint, path: str, duration: float, connections: int) -> Measurement:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "{ep.method}"\n')
        if ep.body:
            script.write(f"wrk.body = [==[{ep.body.decode()}]==]\n")
            script.write('wrk.headers["Content-Type"] = "application/json"\n')
    try:
        out = subprocess.run(
            [
                "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s",
                "--latency", "-s", script.name, f"http://{HOST}:{port}{path}",
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


def run_python(port: int, ep: Endpoint, path: str, duration: float, connections: int) -> Measurement:
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
                conn.request(ep.method, path, ep.body, headers)
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
        "granian": importlib.metadata.version("granian") if granian_installed() else None,
        "flask_novu": flask_novu.__version__,
        "node": version(["node", "--version"]) if shutil.which("node") else None,
        "wrk": version(["wrk", "--version"]) if shutil.which("wrk") else None,
    }


def granian_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("granian") is not None


def run_servers(
    servers: list[Server],
    load: t.Callable[..., Measurement],
    args: argparse.Namespace,
    pin: str | None,
) -> dict[str, dict[str, t.Any]]:
    """Every endpoint against every server that serves it, interleaved rounds."""
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
                check(server.port, ep, ep.path_for(server.name))
                load(server.port, ep, ep.path_for(server.name), args.warmup, args.connections)
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
                    f"  {name:8} {row['rps']:9.1f} req/s   p50 {row['p50_ms']:7.2f} ms   "
                    f"p99 {row['p99_ms']:7.2f} ms{cpu_text}   errors {row['errors']}   rounds {row['rounds_rps']}"
                )
    finally:
        for server in servers:
            server.stop()
    return results


def paired_ratios(kind: str, results: dict[str, dict[str, t.Any]], previous: bool) -> list[dict[str, t.Any]]:
    """The targets' ratios for one Python server kind, printed and returned."""
    ratios = []
    print(
        f"\nratios under {kind} (requests/s of Flask-Novu / baseline: ratio of the medians of interleaved "
        "rounds; paired: median of the per-round ratios (their range); cpu: the same paired ratio in "
        "server CPU time per request, baseline / Flask-Novu; targets are judged on the paired ratio)"
    )
    for label, ep_name, num, den, targets in RATIOS:
        if den == "previous" and not previous:
            continue
        target = targets.get(kind)
        row = results.get(ep_name, {})
        if num not in row or den not in row or not row[den]["rps"]:
            ratios.append({"label": label, "ratio": None, "target": target, "met": None})
            print(f"  {label:40} n/a (no {num if num not in row else den} server)")
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
        # Against the SDK, bare Flask answering precomputed bodies on the same
        # server is the ceiling of any Flask app: a target above it is out of
        # reach of the bridge's code.
        ceiling = None
        if den == "sdk" and "bare" in row and num != "bare":
            ceiling = statistics.median(
                a / b for a, b in zip(row["bare"]["rounds_rps"], row[den]["rounds_rps"]) if b
            )
            ratios[-1]["bare_flask_ceiling"] = round(ceiling, 3)
        verdict = "" if target is None else f"target >= {target:g}x  {'MET' if met else 'MISSED'}"
        if ceiling is not None:
            verdict += f"  (bare Flask: {ceiling:.2f}x)"
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
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per server and endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median is reported)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--servers",
        default="gunicorn,granian",
        help="Python servers to measure, comma-separated (gunicorn, granian); granian is skipped when absent",
    )
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--sdk-dir", default=os.environ.get("NOVU_SDK_DIR", "/tmp/novu-ref"))
    parser.add_argument("--no-sdk", action="store_true")
    parser.add_argument("--port", type=int, default=4310, help="first of a range of loopback ports")
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
    kinds = [k.strip() for k in args.servers.split(",") if k.strip()]
    unknown = set(kinds) - {"gunicorn", "granian"}
    if unknown or not kinds:
        parser.error(f"--servers: unknown server(s) {sorted(unknown)}; choose among gunicorn, granian")
    if "granian" in kinds and not granian_installed():
        print("granian skipped: not installed (pip install granian)")
        kinds.remove("granian")
    if not kinds:
        return 1
    previous = os.path.realpath(args.previous) if args.previous else None
    if previous:
        check_tree(previous)

    pin = None
    if not args.no_pin and hasattr(os, "sched_setaffinity") and shutil.which("taskset"):
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) >= 2:  # servers on the last CPU, the load generator on the others
            pin = str(cpus[-1])
            os.sched_setaffinity(0, cpus[:-1])

    info = machine()
    print(
        f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, node {info['node']}; "
        f"client {client}, {args.connections} connections, servers {', '.join(kinds)} "
        f"(1 worker each; gunicorn {args.worker_class}), {args.rounds} x {args.duration:g}s, "
        f"servers pinned to CPU {pin}"
    )
    workdir = tempfile.mkdtemp(prefix="flask-novu-bench-")
    results: dict[str, dict[str, dict[str, t.Any]]] = {}
    ratios: dict[str, list[dict[str, t.Any]]] = {}
    work: dict[str, list[dict[str, t.Any]]] = {}
    try:
        sdk = None
        if not args.no_sdk:
            sdk = sdk_server(args.port, args.sdk_dir, workdir)
            if sdk is None:
                print(f"SDK server skipped: no node or no @novu/framework under {args.sdk_dir}/node_modules")
        for i, kind in enumerate(kinds):
            port = args.port + 1 + 4 * i
            servers = [
                python_server(kind, "bridge", "bridge_app", port, args.worker_class),
                python_server(kind, "bare", "bare_app", port + 1, args.worker_class),
                python_server(kind, "async", "async_ratio:app", port + 2, args.worker_class),
            ]
            if previous:
                servers.append(
                    python_server(kind, "previous", "bridge_app", port + 3, args.worker_class, previous)
                )
            if sdk is not None:  # measured again next to each server kind, in the same rounds
                servers.append(dataclasses.replace(sdk, proc=None, log=None))
            print(f"\n== {kind} ==")
            results[kind] = run_servers(servers, load, args, pin)
            ratios[kind] = paired_ratios(kind, results[kind], bool(previous))
            work[kind] = work_beyond_floor(results[kind])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    out = args.out or os.path.join(HERE, "results", time.strftime("load-%Y%m%d-%H%M%S.json"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        json.dump(
            {
                "machine": info,
                "config": {**vars(args), "client": client, "pinned_cpu": pin, "servers": kinds},
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
