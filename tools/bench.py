"""Benchmark the site the way production serves it: `make bench`.

1. Builds the benchmark database bench/bench-<N>.sqlite3 once per size (tools/bench_data.py:
   --articles N published articles, 2,000 by default, 100 series, 20 topics, 20,000
   consultation requests, 50,000 contact-log entries), and again only with --rebuild, when the
   generator's version changes, or when the data is over 6 days old (its dates are relative to
   the build). db.sqlite3 is never touched.
2. In this process, with the page cache off: the queries each page makes, the median time to
   render each page through the whole middleware stack (the article: ≥200 runs after warm-up),
   and the queries the signed-in admin consultation list makes. The article's exact bytes, as
   the page cache serves them, are saved as a static file (bench-article.html) before gunicorn
   starts.
3. Serves the database like `make serve` (collectstatic, gunicorn practice.wsgi, 2 workers,
   DEBUG off, on 127.0.0.1, behind the proxy headers production's proxy sets) and runs wrk
   against every page, the article's static copy and the hashed site.css (both from
   whitenoise: the ceiling for this stack), round-robin: each round runs every target once for
   --duration seconds, and the medians over --rounds rounds count. The machine is shared, so
   ratios measured in the same rounds are what to quote.
   Then, on the same server: the admin consultation list (first page, and "Overdue") over HTTP
   with a signed-in, two-factor-verified session, and --submissions form submissions at once,
   each from its own address; the rows are counted in the database afterwards. At the end, each
   worker's peak memory (VmHWM).
4. The same rounds again with the page cache off (DJANGO_PAGE_CACHE_SECONDS=0), unless
   --skip-uncached: what rendering costs under load. A stock Wagtail 8 article page holding the
   same article (tools/benchmark/wagtail.py: installed from PyPI once into bench/) takes its
   turn in these rounds on a server of its own, unless --skip-wagtail.
5. Unless --skip-scale, what grows with the data (tools/benchmark/scale.py): every public
   page, sitemaps and the search for a rare word included, in-process and uncached, at 2,000
   articles and at N, and the same search on a throwaway PostgreSQL 15 loaded with N articles.

Prints a table and PASS/MISS per target, writes bench/results/bench-<time>.json. Exits 1 when
a submission did not land, 2 when the benchmark could not run; a missed timing target is
printed, not an error, since timings on a shared machine vary.

    .venv/bin/python tools/bench.py [--articles 2000] [--rounds 3] [--duration 3]
                                    [--connections 8] [--rebuild] [--skip-uncached]
                                    [--skip-wagtail] [--skip-scale] [--redis] [--port 8123]
"""

# The parts, one module each, are in tools/benchmark/ (its __init__.py lists them).

import argparse
import contextlib
import os
import platform
import secrets
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: tools/ is on the path, not the project
    sys.path.insert(0, str(ROOT))

from tools.bench_data import FULL, GENERATOR_VERSION  # noqa: E402 - needs ROOT on the path
from tools.benchmark import (  # noqa: E402
    admin,
    database,
    in_process,
    load,
    report,
    scale,
    submissions,
    wagtail,
)
from tools.benchmark.common import BenchError  # noqa: E402
from tools.benchmark.targets import ARTICLE, chosen_article, pick_targets, wagtail_target  # noqa: E402
from tools.serving import ServerError, ensure_free  # noqa: E402

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"  # run as PYTHON -m gunicorn


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles", type=int, default=FULL.posts, help="published articles (default 2000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of load (default 3)")
    parser.add_argument("--duration", type=int, default=3, help="seconds per target per round")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    # One wrk thread easily outpaces two sync workers, and leaves them more of a small machine.
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--submissions", type=int, default=200, help="concurrent form posts")
    parser.add_argument("--admin-runs", type=int, default=20, help="timed admin list requests")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the benchmark database")
    parser.add_argument(
        "--skip-uncached", action="store_true", help="skip the rounds with the page cache off"
    )
    parser.add_argument(
        "--skip-wagtail", action="store_true", help="leave out the stock Wagtail page"
    )
    parser.add_argument(
        "--skip-scale", action="store_true", help="skip the pages at 2,000 and N, and PostgreSQL"
    )
    parser.add_argument("--redis", action="store_true", help="cache in a local redis-server")
    parser.add_argument("--port", type=int, help="port for the first gunicorn (default: free)")
    args = parser.parse_args(argv)
    for name in ("rounds", "duration", "connections", "threads", "submissions", "admin_runs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.articles < scale.BASE_ARTICLES:
        parser.error(f"--articles must be at least {scale.BASE_ARTICLES}")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads (wrk needs one per thread)")
    return args


def check_prerequisites():
    missing = []
    if not database.PYTHON.exists() or not GUNICORN.exists():
        missing.append("the virtualenv: make .venv/.dev")
    if not shutil.which("wrk"):
        missing.append("Debian's wrk: sudo apt-get install -y wrk")
    if missing:
        raise BenchError("The benchmark needs " + "; ".join(missing))


def run(args, workdir):
    secret_key = secrets.token_urlsafe(50)

    def env_for(articles):
        return database.bench_environment(workdir, secret_key, articles)

    env = env_for(args.articles)
    data = vars(FULL) | {"posts": args.articles, "version": GENERATOR_VERSION}
    results = {"arguments": vars(args), "scale": data}
    with contextlib.ExitStack() as stack:
        if args.redis:
            env["REDIS_URL"] = stack.enter_context(database.redis_server(workdir))
        print("Preparing", flush=True)
        database.collect_static(env)
        database.ensure_database(env, args.rebuild, args.articles)
        if not args.skip_scale and args.articles != scale.BASE_ARTICLES:
            database.ensure_database(
                env_for(scale.BASE_ARTICLES), args.rebuild, scale.BASE_ARTICLES
            )

        in_process.setup_django(env)
        from django.conf import settings

        in_process.reset_leftovers()
        targets = pick_targets()
        article = next(t for t in targets if t.name == ARTICLE)
        size, header = in_process.save_static_copy(article.path)
        print(f"  article's static copy         {size:,} bytes (page cache: {header})", flush=True)
        wagtail_missing = "not measured: --skip-wagtail"
        if not args.skip_wagtail and not args.skip_uncached:
            wagtail_missing = wagtail.prepare(wagtail.article_fields(chosen_article()))

        print("\nIn this process, page cache off (queries, median render time):", flush=True)
        session_cookie = in_process.signed_in_session()
        admin_times = {"in_process": in_process.measure_in_process(targets, session_cookie)}
        min_fill = settings.CONSULTATION_MIN_FILL_SECONDS

        run_id = secrets.token_hex(3)
        sent = {}
        memory = {}

        def admin_and_forms(server):
            print(f"  admin consultation list over HTTP, {args.admin_runs} runs each", flush=True)
            admin_times["http"] = admin.time_admin(server, session_cookie, args.admin_runs)
            print(f"  {args.submissions} form submissions at once", flush=True)
            sent.update(submissions.submit_forms(server, args.submissions, min_fill, run_id))
            return {}

        cache = "Redis" if args.redis else "database cache"
        print(f"\nLoad with the page cache on ({cache}):", flush=True)
        python = database.PYTHON
        database_file = database.database_path(args.articles)
        try:
            memory["cached"] = load.serve_and_measure(
                workdir, env, targets, args, "cached", args.port, python, admin_and_forms
            )["workers"]
            rows, tokens = submissions.stored_submissions(database_file, run_id)
            sent.update(rows=rows, distinct_tokens=tokens)
            if not args.skip_uncached:
                print("\nLoad with the page cache off (DJANGO_PAGE_CACHE_SECONDS=0):", flush=True)
                uncached_env = {**env, "DJANGO_PAGE_CACHE_SECONDS": "0"}
                with contextlib.ExitStack() as servers:
                    if wagtail_missing is None:
                        try:
                            server = servers.enter_context(wagtail.running_wagtail(workdir))
                        except RuntimeError as error:
                            wagtail_missing = f"not measured: {error}"
                        else:
                            print(f"  Wagtail at {server.base_url}{wagtail.PAGE_PATH}", flush=True)
                            targets.append(wagtail_target(server, wagtail.PAGE_PATH))
                    # A port of its own: the first one is full of connections in TIME_WAIT.
                    memory["uncached"] = load.serve_and_measure(
                        workdir, uncached_env, targets, args, "uncached", None, python
                    )["workers"]
        finally:
            submissions.delete_submissions(database_file)  # the data set stays as generated

    growth = None
    if not args.skip_scale:
        print("\nWhat grows with the articles (in-process, page cache off):", flush=True)
        growth = scale.run_scale(env_for, workdir, args.articles)

    summaries = {p: report.summarize(targets, p) for p in ("cached", "uncached") if p in memory}
    verdicts = report.judge(targets, summaries, admin_times, sent, memory, wagtail_missing, growth)
    report.print_report(targets, summaries, memory, admin_times, sent, verdicts, growth)
    results = report.results_json(
        results, targets, summaries, memory, admin_times, sent, verdicts, growth
    )
    results["wagtail"] = {"version": wagtail.VERSION, "missing": wagtail_missing}
    landed = sent["rows"] == sent["sent"] == sent["thanked"]
    return results, landed


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    # Ctrl-C and a plain kill both end up in the finally blocks, which stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        check_prerequisites()
        if args.port:
            ensure_free(args.port)
        load_before = os.getloadavg()
        with tempfile.TemporaryDirectory(prefix="practice-bench-") as tmp:
            results, landed = run(args, Path(tmp))
    except (BenchError, ServerError) as error:
        print(f"\nbench: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nbench: interrupted; the server was stopped.", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - a crash is exit 2, not 1 (1 means a lost submission)
        traceback.print_exc()
        print("\nbench: crashed; the server was stopped.", file=sys.stderr)
        return 2
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "seconds": round(time.monotonic() - started, 1),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    path = report.write_results(results)
    print(
        f"\nDone in {results['machine']['seconds']:.0f} s (load average "
        f"{load_before[0]:.1f} before, {results['machine']['load_average_after'][0]:.1f} after, "
        f"{os.cpu_count()} CPUs); results in {path}"
    )
    if not landed:
        print("bench: not every form submission landed (see above).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
