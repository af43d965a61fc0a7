"""The signed-in consultation list over HTTP: first page and "Overdue", alternating."""

import statistics
import time

from tools.benchmark.common import ADMIN_PATHS, BenchError, percentile
from tools.benchmark.load import get


def time_admin(server, session_cookie, runs):
    """{label: median and p99 ms over `runs` requests}, after two warm-ups, as the front-desk
    user whose session (name, key) the in-process part signed in."""
    name, key = session_cookie
    times = {label: [] for label in ADMIN_PATHS}
    for number in range(runs + 2):  # two warm-ups
        for label, path in ADMIN_PATHS.items():
            started = time.perf_counter()
            response = get(server, path, {"Cookie": f"{name}={key}"})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                where = response.headers.get("location", "")
                raise BenchError(
                    f"GET {path} as the signed-in user answered {response.status} {where}"
                )
            if number >= 2:
                times[label].append(elapsed)
    return {
        label: {"median_ms": statistics.median(values), "p99_ms": percentile(values, 99),
                "runs": len(values)}
        for label, values in times.items()
    }  # fmt: skip
