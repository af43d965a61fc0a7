"""The benchmark's scale part (tools/benchmark/scale.py) without timing anything: which sitemaps
it measures, how it compares sizes, and the verdicts it gives."""

from tools.benchmark.scale import compare, judge_scale, sitemap_pages

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://testserver/sitemap-blog.xml</loc></sitemap>
<sitemap><loc>https://testserver/sitemap-blog.xml?p=2</loc></sitemap>
<sitemap><loc> https://testserver/sitemap-pages.xml?p=1 </loc><lastmod>2026-12-01</lastmod>
</sitemap>
</sitemapindex>
"""
URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://testserver/blog/an-article/</loc></url>
</urlset>
"""


def test_an_index_lists_the_path_and_page_of_every_sitemap():
    assert sitemap_pages(INDEX) == [
        "/sitemap-blog.xml",
        "/sitemap-blog.xml?p=2",
        "/sitemap-pages.xml?p=1",
    ]


def test_a_sitemap_of_pages_is_one_page_with_nothing_more_to_measure():
    assert sitemap_pages(URLSET) == []


def page(name, ms, queries=2):
    return {"name": name, "median_ms": ms, "queries": queries}


def sizes(base_pages, large_pages, articles=20_000, search_hits=200):
    search = "/blog/search/?q=heliotrope"
    return {
        "articles": articles,
        "sizes": {
            "2000": {"pages": base_pages, "search_path": search, "search_hits": 20},
            str(articles): {
                "pages": large_pages,
                "search_path": search,
                "search_hits": search_hits,
            },
        },
        "postgres": {
            "pages": {search: page("search", 12.0)},
            "search_path": search,
            "search_hits": search_hits,
            "load_seconds": 80.0,
        },
        "postgres_missing": None,
    }


BASE = {
    "/sitemap.xml": page("sitemap", 2.0),
    "/sitemap-blog.xml?p=1": page("sitemap page", 10.0),
    "/sitemap-pages.xml?p=1": page("sitemap page", 1.0),
    "/blog/search/?q=heliotrope": page("search", 5.0),
}
LARGE = {
    "/sitemap.xml": page("sitemap", 3.0),
    "/sitemap-blog.xml?p=1": page("sitemap page", 12.0),
    "/sitemap-blog.xml?p=9": page("sitemap page", 15.0),
    "/sitemap-pages.xml?p=1": page("sitemap page", 1.1),
    "/blog/search/?q=heliotrope": page("search", 20.0),
}


def test_a_sitemap_page_only_the_large_size_has_is_compared_with_its_sections_slowest():
    rows = {row["path"]: row for row in compare({"pages": BASE}, {"pages": LARGE})}
    assert rows["/sitemap.xml"]["ratio"] == 1.5
    assert rows["/sitemap-blog.xml?p=9"]["base_ms"] == 10.0
    assert rows["/sitemap-blog.xml?p=9"]["ratio"] == 1.5


def test_sitemaps_and_search_within_their_goals_pass():
    scale = sizes(BASE, LARGE)
    scale["comparison"] = compare(scale["sizes"]["2000"], scale["sizes"]["20000"])
    (sitemap_label, sitemap, detail), (search_label, search, search_detail) = judge_scale(scale)
    assert sitemap and search
    assert "20,000" in sitemap_label and "200 of 20,000" in search_label
    assert "worst 1.50×" in detail
    assert "SQLite 20.0 ms" in search_detail and "PostgreSQL 12.0 ms" in search_detail


def test_a_sitemap_page_growing_more_than_twice_misses():
    slow = {**LARGE, "/sitemap-blog.xml?p=9": page("sitemap page", 25.0)}
    scale = sizes(BASE, slow)
    scale["comparison"] = compare(scale["sizes"]["2000"], scale["sizes"]["20000"])
    assert judge_scale(scale)[0][1] is False


def test_a_search_that_finds_the_wrong_number_of_articles_misses():
    scale = sizes(BASE, LARGE, search_hits=199)
    scale["comparison"] = compare(scale["sizes"]["2000"], scale["sizes"]["20000"])
    assert judge_scale(scale)[1][1] is False


def test_without_postgresql_the_search_row_says_so_and_misses():
    scale = sizes(BASE, LARGE)
    scale["comparison"] = compare(scale["sizes"]["2000"], scale["sizes"]["20000"])
    scale["postgres"], scale["postgres_missing"] = None, "PostgreSQL not installed (…)"
    _, passed, detail = judge_scale(scale)[1]
    assert passed is False
    assert "PostgreSQL not installed" in detail


def test_at_the_default_size_the_growth_goals_are_not_measured_but_said_how():
    scale = sizes(BASE, BASE, articles=2000, search_hits=20)
    (_, sitemap, detail), (_, search, search_detail) = judge_scale(scale)
    assert sitemap is None and search is None
    assert "ARTICLES=20000" in detail and "ARTICLES=20000" in search_detail


def test_a_skipped_scale_part_gives_both_rows_as_not_measured():
    assert [passed for _, passed, _ in judge_scale(None)] == [None, None]


def test_pages_other_than_sitemaps_are_compared_by_role_as_the_articles_differ():
    base = {"/blog/part-269/": page("article in series", 4.0, queries=4)}
    large = {"/blog/part-2472/": page("article in series", 5.0, queries=4)}
    (row,) = compare({"pages": base}, {"pages": large})
    assert (row["base_ms"], row["ratio"], row["base_queries"]) == (4.0, 1.25, 4)
