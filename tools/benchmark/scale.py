"""What grows with the number of articles: every public page, uncached, in-process, at 2,000
articles and at --articles N, and the search for the rare word (tools/bench_data.py puts it in
1% of the articles) on SQLite and on a throwaway PostgreSQL.

Each database is measured in a child process of its own (`python -m tools.benchmark.scale`),
so each gets its own Django set-up; the child writes what it measured as JSON to a file.
"""

# Runs our own commands (this module as a child, manage.py, PostgreSQL's initdb and pg_ctl).
# ruff: noqa: S603

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, urlsplit

if __name__ == "__main__":  # run as a child: the project on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tools.bench_data import RARE_WORD, rare_count
from tools.benchmark.common import BenchError
from tools.benchmark.database import PYTHON
from tools.serving import run_child, run_setup

BASE_ARTICLES = 2000  # what every size is compared with
GOAL_ARTICLES = 20_000  # the size the sitemap and search goals are set for
PAGE_GROWTH = 2.0  # a page at N articles costs at most this many times what it costs at 2,000
SEARCH_MS = 30.0
MIN_RUNS, MAX_RUNS, PAGE_SECONDS = 5, 40, 1.5  # timed runs per page: at least, at most, budget
SLOW_MS = 500  # a page slower than this at its first run gets MIN_RUNS runs, no more
GIVE_UP_MS = 5000  # and one this slow, a single run after the first
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")  # Debian's PostgreSQL 15


def sitemap_pages(xml):
    """The paths (with their query) of the sitemaps a sitemap index lists; [] for a sitemap of
    pages (no index)."""
    root = ET.fromstring(xml)  # noqa: S314 - our own sitemap, just rendered
    if not root.tag.endswith("sitemapindex"):
        return []
    paths = []
    for loc in root.iter():
        if loc.tag.endswith("loc") and loc.text:
            parts = urlsplit(loc.text.strip())
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def search_path():
    from django.urls import reverse

    return f"{reverse('blog:search')}?q={RARE_WORD}"


# --- In the child ---------------------------------------------------------------------------


def time_page(client, path):
    """{queries, median_ms, fastest_ms, runs, bytes} of `path`, uncached, as a first visit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tools.benchmark.in_process import timed_get

    response, first = timed_get(client, path)  # warm-up (templates, URLs, caches)
    if response.status_code != 200:
        raise BenchError(f"{path} answered {response.status_code} in-process")
    if first <= SLOW_MS:
        for _ in range(2):
            timed_get(client, path)
    with CaptureQueriesContext(connection) as captured:
        times = [timed_get(client, path)[1]]
    queries = len(captured)  # now: the next request clears the connection's query log
    if first > GIVE_UP_MS:  # a page this slow: more runs would say nothing new
        pass
    elif first > SLOW_MS:
        times += [timed_get(client, path)[1] for _ in range(MIN_RUNS - 1)]
    else:
        started = time.monotonic()
        while len(times) < MIN_RUNS or (
            len(times) < MAX_RUNS and time.monotonic() - started < PAGE_SECONDS
        ):
            times.append(timed_get(client, path)[1])
    return {
        "queries": queries,
        "median_ms": statistics.median(times),
        "fastest_ms": min(times),
        "runs": len(times),
        "bytes": len(response.content),
    }


def measure(search_only):
    """{path: timing} for every public page (or the search only), and the search's hits."""
    from django.test import Client
    from django.test.utils import override_settings

    from tools.benchmark.in_process import PROXY, setup_django
    from tools.benchmark.targets import public_pages

    setup_django(dict(os.environ))
    from blog.models import Post

    with override_settings(PAGE_CACHE_SECONDS=0):
        client = Client(**PROXY)
        pages = [] if search_only else [(t.name, t.path) for t in public_pages()]
        if pages:
            index = client.get("/sitemap.xml")
            pages += [("sitemap page", path) for path in sitemap_pages(index.content)]
        pages.append(("search", search_path()))
        measured = {}
        for name, path in pages:
            measured[path] = {"name": name, **time_page(client, path)}
            row = measured[path]
            print(
                f"    {name:<20} {row['queries']:>3} queries {row['median_ms']:8.2f} ms median "
                f"(fastest {row['fastest_ms']:.2f} ms)  {path}",
                flush=True,
            )
    return {
        "articles": Post.objects.published().count(),
        "search_path": search_path(),
        "search_hits": Post.objects.published().search(RARE_WORD).count(),
        "pages": measured,
    }


def child_main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--search-only", action="store_true")
    args = parser.parse_args()
    Path(args.out).write_text(json.dumps(measure(args.search_only)))


# --- In the benchmark -----------------------------------------------------------------------


def measure_database(env, out, search_only=False):
    """Run the child on the database `env` names; what it measured."""
    command = [str(PYTHON), "-m", "tools.benchmark.scale", "--out", str(out)]
    if search_only:
        command.append("--search-only")
    process = run_child(command, env=env)
    print(process.stdout, end="", flush=True)
    if process.returncode != 0:
        raise BenchError(f"measuring {env['DATABASE_URL']} failed:\n{process.stderr[-4000:]}")
    return json.loads(Path(out).read_text())


def compare(base, large):
    """Per page at the large size: its cost, and its ratio to the same page at 2,000. Pages are
    the same by role (the data differ: the article chosen may not be the same one); sitemaps
    by address. A sitemap page that exists only at the large size is compared with the slowest
    sitemap page of the same section at 2,000 (of any section, if its section has none there).
    """

    def section(path):
        return urlsplit(path).path

    by_name = {r["name"]: r for r in base["pages"].values() if r["name"] != "sitemap page"}
    sitemap_base = {p: r for p, r in base["pages"].items() if r["name"] == "sitemap page"}
    rows = []
    for path, row in large["pages"].items():
        if row["name"] != "sitemap page":
            before = by_name.get(row["name"])
        elif path in sitemap_base:
            before = sitemap_base[path]
        else:
            same_section = [r for p, r in sitemap_base.items() if section(p) == section(path)]
            candidates = same_section or list(sitemap_base.values())
            before = max(candidates, key=lambda r: r["median_ms"], default=None)
        rows.append(
            {
                "name": row["name"],
                "path": path,
                "median_ms": row["median_ms"],
                "queries": row["queries"],
                "base_ms": before and before["median_ms"],
                "base_queries": before and before["queries"],
                "ratio": before and row["median_ms"] / before["median_ms"],
            }
        )
    return rows


@contextlib.contextmanager
def postgres_cluster(workdir):
    """A throwaway PostgreSQL 15 on a unix socket only (no TCP port) in `workdir`, made for
    speed of loading (nothing is fsynced: it is thrown away); yields its DATABASE_URL, or None
    when Debian's PostgreSQL 15 is not installed. Stopped whatever happens."""
    if not (POSTGRES_BIN / "initdb").exists():
        yield None
        return
    folder = workdir / "postgres"
    folder.mkdir()
    as_postgres = []
    if os.geteuid() == 0:  # initdb refuses root: the cluster is the postgres user's
        as_postgres = ["runuser", "-u", "postgres", "--"]
        workdir.chmod(0o711)  # the postgres user passes through to its own folder
        shutil.chown(folder, "postgres")
    data = folder / "data"
    pg_ctl = [*as_postgres, str(POSTGRES_BIN / "pg_ctl"), "-D", str(data)]
    initdb = [*as_postgres, str(POSTGRES_BIN / "initdb"), "--auth=trust", "--username=postgres"]
    run_setup([*initdb, "-D", str(data)], None, "PostgreSQL initdb")
    options = f"-c listen_addresses='' -k {folder} -c fsync=off -c full_page_writes=off"
    options += " -c synchronous_commit=off"
    try:
        start = [*pg_ctl, "-l", str(folder / "server.log"), "-w", "-o", options, "start"]
        run_setup(start, None, "PostgreSQL start")
        createdb = [*as_postgres, str(POSTGRES_BIN / "createdb"), "-h", str(folder), "bench"]
        run_setup([*createdb, "-U", "postgres"], None, "PostgreSQL createdb")
        yield f"postgres://postgres@{quote(str(folder), safe='')}:5432/bench"
    finally:
        run_child([*pg_ctl, "-m", "immediate", "stop"])


def measure_postgres(env, workdir, articles):
    """Load the same generated data into a throwaway PostgreSQL and time the search there:
    (timing, hits, load seconds), or None and why not."""
    with postgres_cluster(workdir) as url:
        if url is None:
            return None, f"PostgreSQL not installed ({POSTGRES_BIN} is missing)"
        pg_env = {**env, "DATABASE_URL": url}
        started = time.monotonic()
        run_setup([str(PYTHON), "manage.py", "migrate", "--noinput"], pg_env, "migrate")
        generate = [str(PYTHON), "tools/bench_data.py", "--articles", str(articles)]
        run_setup(generate, pg_env, f"generate {articles:,} articles")
        load_seconds = time.monotonic() - started
        measured = measure_database(pg_env, workdir / f"scale-postgres-{articles}.json", True)
        measured["load_seconds"] = load_seconds
        return measured, None


def run_scale(env_for, workdir, articles):
    """Every public page at 2,000 articles and at `articles` (when more), and the search on
    SQLite and PostgreSQL at `articles`. `env_for(n)` is the environment on the SQLite database
    of n articles, built already."""
    sizes = sorted({BASE_ARTICLES, articles})
    results = {"sizes": {}}
    for size in sizes:
        print(f"  SQLite, {size:,} articles:", flush=True)
        results["sizes"][str(size)] = measure_database(env_for(size), workdir / f"s-{size}.json")
    if articles > BASE_ARTICLES:
        results["comparison"] = compare(
            results["sizes"][str(BASE_ARTICLES)], results["sizes"][str(articles)]
        )
    print(f"  PostgreSQL, {articles:,} articles (search only):", flush=True)
    results["postgres"], results["postgres_missing"] = measure_postgres(
        env_for(articles), workdir, articles
    )
    results["articles"] = articles
    results["search_hits_expected"] = rare_count(articles)
    return results


def print_scale(scale):
    rows = scale.get("comparison")
    if not rows:
        return
    base, large = BASE_ARTICLES, scale["articles"]
    print(f"\nUncached, in-process, {large:,} articles against {base:,}:")
    print(f"  {'page':<20}{'URL':<42}{f'ms at {base:,}':>12}{f'ms at {large:,}':>13}"
          f"{'×':>7}{'queries':>10}")  # fmt: skip
    for row in rows:
        path = row["path"] if len(row["path"]) < 41 else row["path"][:38] + "…"
        base_ms = f"{row['base_ms']:.2f}" if row["base_ms"] is not None else "—"
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        queries = f"{row['base_queries']}→{row['queries']}"
        print(f"  {row['name']:<20}{path:<42}{base_ms:>12}{row['median_ms']:>13.2f}"
              f"{ratio:>7}{queries:>10}")  # fmt: skip


def judge_scale(scale, articles=GOAL_ARTICLES):
    """The two verdicts the scale part decides: (label, passed or None, detail). `scale` is
    None when the part was skipped."""
    large = scale["articles"] if scale else articles
    label = (
        f"sitemap index and every sitemap page, uncached, {max(large, GOAL_ARTICLES):,} articles"
        f" ≤ {PAGE_GROWTH:g}× the same at {BASE_ARTICLES:,}"
    )
    search_label = (
        f"search for a word in {rare_count(large):,} of {large:,} articles, uncached ≤ "
        f"{SEARCH_MS:g} ms on SQLite and on PostgreSQL"
    )
    if scale is None:
        skipped = "not measured: --skip-scale"
        return [(label, None, skipped), (search_label, None, skipped)]
    rows = [r for r in scale.get("comparison", []) if r["name"] in {"sitemap", "sitemap page"}]
    if large <= BASE_ARTICLES:
        sitemap = (label, None, f"not measured: make bench ARTICLES={GOAL_ARTICLES}")
    else:
        worst = max(rows, key=lambda r: r["ratio"])
        sitemap = (
            label,
            all(r["ratio"] <= PAGE_GROWTH for r in rows),
            f"{len(rows)} sitemaps, worst {worst['ratio']:.2f}× ({worst['path']}: "
            f"{worst['base_ms']:.1f} → {worst['median_ms']:.1f} ms)",
        )
    expected = rare_count(large)
    details, passed = [], True
    for engine, measured in (
        ("SQLite", scale["sizes"][str(large)]),
        ("PostgreSQL", scale["postgres"]),
    ):
        if measured is None:
            details.append(scale["postgres_missing"])
            passed = False
            continue
        row = next(r for p, r in measured["pages"].items() if p == measured["search_path"])
        passed = passed and row["median_ms"] <= SEARCH_MS and measured["search_hits"] == expected
        details.append(
            f"{engine} {row['median_ms']:.1f} ms ({row['queries']} queries, "
            f"{measured['search_hits']} found)"
        )
    if scale["postgres"]:
        details.append(f"PostgreSQL loaded in {scale['postgres']['load_seconds']:.0f} s")
    if large < GOAL_ARTICLES:
        details.append(f"the goal is at {GOAL_ARTICLES:,}: make bench ARTICLES={GOAL_ARTICLES}")
        passed = None
    search = (search_label, passed, ", ".join(details))
    return [sitemap, search]


if __name__ == "__main__":
    child_main()
