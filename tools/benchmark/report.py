"""The benchmark's report: PASS or MISS per target, the table, and the results as JSON in
bench/results/. A missed target is printed, not an error: timings on a shared machine vary."""

import json
import statistics
import time

from tools.bench_data import FULL
from tools.benchmark.database import BENCH_DIR
from tools.benchmark.scale import judge_scale, print_scale
from tools.benchmark.targets import ARTICLE, ARTICLE_STATIC, WAGTAIL
from tools.serving import PROJECT

RESULTS = BENCH_DIR / "results"

# The targets. Each is PASS or MISS (or not measured); none makes the run fail.
ARTICLE_SHARE_OF_STATIC = 0.7  # cached article ≥ 0.7× its own bytes served as a static file
WAGTAIL_FACTOR = 3.0  # uncached article ≥ 3× a stock Wagtail article page's requests/s
ARTICLE_RENDER_MS = 3.0  # uncached, median in-process
ARTICLE_QUERIES = 4
DEEP_PAGE_SHARE = 0.8  # /blog/?page=150 within 20% of /blog/
ADMIN_QUERIES = 10
ADMIN_MS = 150
SUBMISSION_P99_S = 1.0
WORKER_PEAK_MB = 100


def summarize(targets, pass_name):
    """Medians over the rounds; the ratio is the median of each round's ratio to the article's
    static copy measured in that same round."""
    static = next(t for t in targets if t.name == ARTICLE_STATIC).rounds[pass_name]
    summary = {}
    for target in targets:
        rounds = target.rounds.get(pass_name)
        if not rounds:
            continue
        summary[target.name] = {
            "rps": statistics.median(r["rps"] for r in rounds),
            "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
            "p99_ms": statistics.median(r["p99_ms"] for r in rounds),
            "share_of_static": statistics.median(
                r["rps"] / s["rps"] for r, s in zip(rounds, static, strict=True)
            ),
            "errors": sum(r["errors"] for r in rounds),
        }
    return summary


def ratio_of(targets, pass_name, name, base_name):
    by_name = {t.name: t for t in targets}
    pairs = zip(by_name[name].rounds[pass_name], by_name[base_name].rounds[pass_name], strict=True)
    return statistics.median(a["rps"] / b["rps"] for a, b in pairs)


def print_table(targets, summaries):
    passes = list(summaries)
    head = f"{'target':<22}{'URL':<44}"
    for pass_name in passes:
        head += f"{pass_name + ' req/s':>16}{'p50 ms':>8}{'p99 ms':>8}{'×article static':>16}"
    head += f"{'queries':>8}{'render ms':>10}"
    print(head)
    print("-" * len(head))
    for target in targets:
        path = target.path if len(target.path) < 43 else target.path[:40] + "…"
        line = f"{target.name:<22}{path:<44}"
        for pass_name in passes:
            row = summaries[pass_name].get(target.name)
            if row is None:
                line += f"{'—':>16}{'':>8}{'':>8}{'':>16}"
                continue
            line += (
                f"{row['rps']:>16,.0f}{row['p50_ms']:>8.1f}{row['p99_ms']:>8.1f}"
                f"{row['share_of_static']:>16.2f}"
            )
        if target.queries is None:  # not our site
            line += f"{'—':>8}{'—':>10}"
        else:
            line += f"{target.queries:>8}{target.render_ms:>10.2f}"
        print(line)
    errors = {
        f"{t.name} ({p})": summaries[p][t.name]["errors"]
        for t in targets
        for p in passes
        if t.name in summaries[p] and summaries[p][t.name]["errors"]
    }
    if errors:
        print(f"wrk counted errors (connect/read/write/timeout/status ≥ 400): {errors}")
    print(
        "req/s, p50 and p99: medians over the rounds; ×article static: median of each round's "
        "ratio to the article's own bytes served as a static file by whitenoise; queries and "
        "render ms: in-process, page cache off."
    )


def judge(targets, summaries, admin, submissions, memory, wagtail_missing, scale):
    """(label, passed or None when not measured, detail) per target."""
    by_name = {t.name: t for t in targets}
    article = by_name[ARTICLE]
    deep_name = targets[2].name
    verdicts = []
    share = summaries["cached"][ARTICLE]["share_of_static"]
    verdicts.append(
        (
            f"cached article ≥ {ARTICLE_SHARE_OF_STATIC:g}× its own bytes served static "
            "(same stack, same rounds)",
            share >= ARTICLE_SHARE_OF_STATIC,
            f"{share:.2f}× ({summaries['cached'][ARTICLE]['rps']:,.0f} against "
            f"{summaries['cached'][ARTICLE_STATIC]['rps']:,.0f} req/s)",
        )
    )
    label = f"uncached article over HTTP ≥ {WAGTAIL_FACTOR:g}× a stock Wagtail 8 article page"
    if "uncached" not in summaries:
        verdicts.append((label, None, "not measured: --skip-uncached"))
    elif WAGTAIL not in summaries["uncached"]:
        verdicts.append((label, None, wagtail_missing))
    else:
        factor = ratio_of(targets, "uncached", ARTICLE, WAGTAIL)
        ours, theirs = (summaries["uncached"][name]["rps"] for name in (ARTICLE, WAGTAIL))
        verdicts.append(
            (label, factor >= WAGTAIL_FACTOR,
             f"{factor:.2f}× ({ours:,.0f} against {theirs:,.0f} req/s)")
        )  # fmt: skip
    verdicts.append(
        (
            f"uncached article ≤ {ARTICLE_RENDER_MS:g} ms median, ≤ {ARTICLE_QUERIES} queries",
            article.render_ms <= ARTICLE_RENDER_MS and article.queries <= ARTICLE_QUERIES,
            f"{article.render_ms:.2f} ms (fastest {article.render_fastest_ms:.2f} ms), "
            f"{article.queries} queries",
        )
    )
    details = []
    passed = True
    for pass_name in summaries:
        ratio = ratio_of(targets, pass_name, deep_name, "blog list")
        details.append(f"{pass_name} {ratio:.0%}")
        passed = passed and ratio >= DEEP_PAGE_SHARE
    render_ratio = by_name[deep_name].render_ms / by_name["blog list"].render_ms
    details.append(f"render time {render_ratio:.0%} of /blog/'s")
    verdicts.append(
        (f"{by_name[deep_name].path} within 20% of /blog/ req/s", passed, ", ".join(details))
    )
    verdicts += judge_scale(scale)
    for label, timing in admin["http"].items():
        queries = admin["in_process"][label]["queries"]
        verdicts.append(
            (
                f"{label}: ≤ {ADMIN_QUERIES} queries, ≤ {ADMIN_MS} ms",
                queries <= ADMIN_QUERIES and timing["median_ms"] <= ADMIN_MS,
                f"{queries} queries, {timing['median_ms']:.0f} ms median over HTTP "
                f"(p99 {timing['p99_ms']:.0f} ms)",
            )
        )
    landed = submissions["rows"] == submissions["sent"] == submissions["thanked"]
    verdicts.append(
        (
            f"{submissions['sent']} concurrent submissions all land, p99 < {SUBMISSION_P99_S:g} s",
            landed and submissions["p99_s"] < SUBMISSION_P99_S,
            f"{submissions['thanked']} thanked, {submissions['rows']} rows stored, "
            f"p99 {submissions['p99_s']:.2f} s",
        )
    )
    for pass_name, workers in memory.items():
        peaks = [worker["peak_mb"] for worker in workers.values()]
        verdicts.append(
            (
                f"each worker < {WORKER_PEAK_MB} MB peak RSS ({pass_name} pass)",
                bool(peaks) and max(peaks) < WORKER_PEAK_MB,
                ", ".join(f"{peak:.0f} MB" for peak in peaks),
            )
        )
    return verdicts


def print_report(targets, summaries, memory, admin, submissions, verdicts, scale):
    print()
    print_table(targets, summaries)
    if scale:
        print_scale(scale)
    print("\nPage cache header on the first two GETs:", end=" ")
    print(", ".join(f"{t.name} {'/'.join(t.checks['cached'])}" for t in targets if t.cacheable))
    print("\nWorkers' peak memory (VmHWM, read at the end of each pass):")
    for pass_name, workers in memory.items():
        print(f"  {pass_name}: " + ", ".join(
            f"pid {pid} {w['peak_mb']:.0f} MB" for pid, w in workers.items()))  # fmt: skip
    print(f"\nAdmin consultation list, signed in, {FULL.requests:,} requests:")
    for label, timing in admin["http"].items():
        queries = admin["in_process"][label]["queries"]
        print(
            f"  {label:<20} {timing['median_ms']:6.0f} ms median, p99 {timing['p99_ms']:4.0f} ms "
            f"over HTTP ({timing['runs']} runs); {queries} queries"
        )
    print(
        f"\n{submissions['sent']} form submissions at once: {submissions['thanked']} thanked, "
        f"{submissions['rows']} rows stored ({submissions['distinct_tokens']} distinct tokens); "
        f"p50 {submissions['p50_s']:.2f} s, p99 {submissions['p99_s']:.2f} s, "
        f"all done in {submissions['wall_s']:.2f} s"
    )
    if submissions["other_responses"]:
        print(f"  other responses: {submissions['other_responses']}")

    print("\nTargets:")
    for label, passed, detail in verdicts:
        print(f"  {verdict_word(passed)}  {label}: {detail}")


def verdict_word(passed):
    return "----" if passed is None else "PASS" if passed else "MISS"


def results_json(results, targets, summaries, memory, admin, submissions, verdicts, scale):
    """Everything measured, for bench/results/ (`results` has the arguments and the scale)."""
    return {
        **results,
        "targets": [
            {
                "name": t.name,
                "path": t.path,
                "queries": t.queries,
                "render_ms": t.render_ms,
                "render_fastest_ms": t.render_fastest_ms,
                "render_runs": t.render_runs,
                "page_cache_header": t.checks,
                "rounds": t.rounds,
                "server": "wagtail" if t.server else "ours",
            }
            for t in targets
        ],
        "summary": summaries,
        "workers": memory,
        "admin": admin,
        "submissions": submissions,
        "growth": scale,
        "verdicts": [{"target": v[0], "pass": v[1], "detail": v[2]} for v in verdicts],
    }


def write_results(results):
    """bench/results/bench-<time>.json; returns its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%SZ', time.gmtime())}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return path.relative_to(PROJECT)
