"""The benchmark's report (tools/benchmark/report.py) on made-up measurements: every goal has
its row, the ratios come from the same rounds, and the JSON holds everything."""

import json

from tools.benchmark.report import judge, results_json, summarize
from tools.benchmark.targets import ARTICLE, ARTICLE_STATIC, WAGTAIL, Target


def rounds(*rps):
    return [
        {"rps": value, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0, "requests": 10} for value in rps
    ]


def made_up_targets(with_wagtail=True):
    measured = {
        "home": (800, 100),
        "blog list": (800, 100),
        "blog list p.150": (790, 95),
        ARTICLE: (750, 300),
        ARTICLE_STATIC: (1000, 1000),
        "static site.css": (1100, 1100),
    }
    targets = []
    for name, (cached, uncached) in measured.items():
        target = Target(name, f"/{name}/", queries=3, render_ms=2.5, render_fastest_ms=2.0)
        target.rounds = {"cached": rounds(cached, cached), "uncached": rounds(uncached, uncached)}
        targets.append(target)
    if with_wagtail:
        wagtail = Target(WAGTAIL, "/blog/bench-article/", server=object(), passes=("uncached",))
        wagtail.rounds = {"uncached": rounds(80, 120)}
        targets.append(wagtail)
    return targets


ADMIN = {
    "in_process": {"admin list": {"queries": 8}},
    "http": {"admin list": {"median_ms": 60.0, "p99_ms": 80.0, "runs": 20}},
}
SENT = {"sent": 200, "thanked": 200, "rows": 200, "p99_s": 0.5, "distinct_tokens": 200}
MEMORY = {"cached": {"1": {"peak_mb": 60.0, "rss_mb": 50.0}}}


def verdicts_for(targets, wagtail_missing=None):
    summaries = {p: summarize(targets, p) for p in ("cached", "uncached")}
    return summaries, judge(targets, summaries, ADMIN, SENT, MEMORY, wagtail_missing, None)


def test_every_goal_has_its_row_in_order():
    _, verdicts = verdicts_for(made_up_targets())
    labels = [label for label, _, _ in verdicts]
    assert labels[0].startswith("cached article ≥ 0.7× its own bytes served static")
    assert labels[1].startswith("uncached article over HTTP ≥ 3× a stock Wagtail 8 article page")
    assert labels[2].startswith("uncached article ≤ 3 ms median, ≤ 4 queries")
    assert labels[3].startswith("/blog list p.150/ within 20% of /blog/")
    assert labels[4].startswith("sitemap index and every sitemap page")
    assert labels[5].startswith("search for a word in")
    assert any(label.startswith("admin list") for label in labels)
    assert any("concurrent submissions" in label for label in labels)
    assert any("peak RSS" in label for label in labels)


def test_ratios_are_to_the_articles_static_copy_and_to_wagtail_in_the_same_rounds():
    summaries, verdicts = verdicts_for(made_up_targets())
    assert summaries["cached"][ARTICLE]["share_of_static"] == 0.75
    assert summaries["cached"]["static site.css"]["share_of_static"] == 1.1
    assert WAGTAIL not in summaries["cached"]
    cached, wagtail = verdicts[0], verdicts[1]
    assert cached[1] is True and cached[2].startswith("0.75×")
    # Round by round: 300/80 and 300/120, whose median is 3.125.
    assert wagtail[1] is True and wagtail[2].startswith("3.12×")


def test_without_wagtail_its_row_says_why_and_is_neither_pass_nor_miss():
    why = "not measured: Wagtail 8.0.1 could not be set up (no network)"
    _, verdicts = verdicts_for(made_up_targets(with_wagtail=False), wagtail_missing=why)
    assert verdicts[1][1:] == (None, why)


def test_the_results_hold_every_target_summary_and_verdict_as_json():
    targets = made_up_targets()
    summaries, verdicts = verdicts_for(targets)
    results = results_json(
        {"arguments": {}}, targets, summaries, MEMORY, ADMIN, SENT, verdicts, None
    )
    results = json.loads(json.dumps(results, default=str))
    assert {"targets", "summary", "workers", "admin", "submissions", "growth", "verdicts"} <= set(
        results
    )
    by_name = {target["name"]: target for target in results["targets"]}
    assert by_name[WAGTAIL]["server"] == "wagtail"
    assert by_name[ARTICLE_STATIC]["server"] == "ours"
    assert [v["pass"] for v in results["verdicts"]][:2] == [True, True]
    assert results["verdicts"][4]["pass"] is None  # the scale part was skipped
