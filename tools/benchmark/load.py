"""Load with wrk: gunicorn (tools/serving.py) serving every target in turn, round-robin, and
what its workers used (CPU time to tell when they are idle again, peak memory)."""

# Runs our own wrk against the server it started on 127.0.0.1.
# ruff: noqa: S603, S607

import contextlib
import json
import os
import subprocess
import time
from pathlib import Path

from tools.benchmark.common import PROXY_HEADERS, BenchError
from tools.serving import HttpClient, running_gunicorn

WRK_GRACE = 30  # seconds wrk may take beyond --duration before it is stopped
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def get(server, path, headers=None):
    """One GET with the proxy's headers, as a first-time visitor (no cookies but `headers`')."""
    return HttpClient(headers={**PROXY_HEADERS, **(headers or {})}).get(server, path)


def check_targets(server, targets, pass_name):
    """Each page answers 200; a cacheable page says miss, then hit (with the page cache on)."""
    for target in targets:
        seen = []
        for _ in range(2):
            response = get(target.server or server, target.path)
            if response.status != 200:
                raise BenchError(f"GET {target.path} answered {response.status}")
            seen.append(response.headers.get("x-page-cache", "—"))
        target.checks[pass_name] = seen


def run_wrk(base_url, target, args, workdir):
    script = workdir / "report.lua"
    if not script.exists():
        script.write_text(WRK_SCRIPT)
    command = [
        "wrk",
        *("--threads", str(args.threads), "--connections", str(args.connections)),
        *("--duration", f"{args.duration}s", "--timeout", "10s", "--script", str(script)),
    ]
    for name, value in PROXY_HEADERS.items():
        command += ["--header", f"{name}: {value}"]
    command.append(base_url + target.path)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=args.duration + WRK_GRACE, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"wrk did not finish within {args.duration + WRK_GRACE} s") from error
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(f"wrk failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH "))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": sum(raw[k] for k in ("connect", "read", "write", "status", "timeout")),
        **raw,
    }


def settle(server, deadline_s=60):
    """Wait until gunicorn is idle again. When wrk stops, requests it already sent are still
    queued (a slow page's can take seconds), and would otherwise be billed to the next target:
    idle means /healthz answers at once and no worker used CPU for a tenth of a second."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        started = time.perf_counter()
        get(server, "/healthz")
        if time.perf_counter() - started > 0.05:
            continue
        before = worker_cpu_ticks(server.pid)
        time.sleep(0.1)
        after = worker_cpu_ticks(server.pid)
        if all(after.get(pid, 0) - ticks <= 1 for pid, ticks in before.items()):
            return
    raise BenchError(f"gunicorn was still busy {deadline_s} s after the load stopped")


def load_rounds(server, targets, args, workdir, pass_name):
    """Round-robin: every target once per round, starting one later each round. A target on
    another server (Wagtail's) takes its turn like the others, once both servers are idle."""
    servers = [server]
    servers += [t.server for t in targets if t.server and t.server not in servers]
    for number in range(args.rounds):
        started = time.monotonic()
        order = targets[number % len(targets) :] + targets[: number % len(targets)]
        for target in order:
            for each in servers:
                settle(each)
            result = run_wrk((target.server or server).base_url, target, args, workdir)
            target.rounds.setdefault(pass_name, []).append(result)
        load = os.getloadavg()[0]
        print(
            f"  round {number + 1}/{args.rounds}: {time.monotonic() - started:.0f} s, "
            f"load average {load:.1f}",
            flush=True,
        )


def worker_processes(master_pid):
    """{pid: fields of /proc/<pid>/stat after the command name} of the gunicorn workers."""
    workers = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == master_pid:
                    workers[int(entry.name)] = fields
    return workers


def worker_cpu_ticks(master_pid):
    """{pid: user + system CPU time in clock ticks} of the gunicorn workers."""
    return {pid: int(f[11]) + int(f[12]) for pid, f in worker_processes(master_pid).items()}


def worker_memory(master_pid):
    """{pid: (VmHWM MB, VmRSS MB)} of the gunicorn workers."""
    workers = {}
    for pid in worker_processes(master_pid):
        with contextlib.suppress(OSError):
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            status = dict(line.split(":", 1) for line in lines)
            workers[pid] = tuple(int(status[k].split()[0]) / 1024 for k in ("VmHWM", "VmRSS"))
    return workers


def serve_and_measure(workdir, env, targets, args, pass_name, port, python, extra=None):
    """Start gunicorn, run the load rounds (and `extra`, on the same server), read the workers'
    peak memory, and stop it again whatever happens. Only the targets that take part in
    `pass_name` are loaded."""
    targets = [target for target in targets if pass_name in target.passes]
    server = None
    try:
        with running_gunicorn(
            env, workdir, f"gunicorn-{pass_name}", workers=2, port=port, python=python
        ) as server:
            print(f"  serving {server.base_url} (gunicorn, 2 workers, DEBUG off)", flush=True)
            check_targets(server, targets, pass_name)
            load_rounds(server, targets, args, workdir, pass_name)
            settle(server)
            outcome = extra(server) if extra else {}
            outcome["workers"] = {
                str(pid): {"peak_mb": peak, "rss_mb": rss}
                for pid, (peak, rss) in sorted(worker_memory(server.pid).items())
            }
            return outcome
    finally:
        errors = server.errors() if server else []
        if errors:
            print(f"  gunicorn logged {len(errors)} error lines, e.g.:", flush=True)
            for line in errors[:10]:
                print(f"    {line}", flush=True)
