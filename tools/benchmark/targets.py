"""The pages the benchmark measures, chosen from the data: a middle part of a series, the
busiest topic, a deep page of the list…; the article's own bytes saved as a static file and the
hashed site.css, both served by whitenoise (the ceiling for this stack: every page is compared
with the article's static copy); and, with the page cache off, a stock Wagtail article page on a
server of its own (tools/benchmark/wagtail.py)."""

import math
from dataclasses import dataclass, field

from tools.benchmark.common import BenchError
from tools.serving import FORM_PATH

ARTICLE = "article in series"
ARTICLE_STATIC = "article, static copy"  # what every page's ratio is to
ARTICLE_STATIC_FILE = "bench-article.html"  # in STATIC_ROOT, written before gunicorn starts
WAGTAIL = "Wagtail 8 article"


@dataclass
class Target:
    name: str
    path: str
    cacheable: bool = True  # the page cache serves it to anonymous visitors
    render_runs: int = 25  # in-process, uncached
    queries: int | None = None
    render_ms: float | None = None
    render_fastest_ms: float | None = None  # the floor under the machine's noise
    checks: dict = field(default_factory=dict)  # pass name -> what the first GETs showed
    rounds: dict = field(default_factory=dict)  # pass name -> [wrk result per round]
    server: object = None  # another server than ours (Wagtail's), loaded in the same rounds
    passes: tuple = ("cached", "uncached")  # the load passes it takes part in


def chosen_article():
    """The article measured: the middle part of the first series (Django set up)."""
    from blog.models import Series

    series = Series.objects.with_published_parts().order_by("slug").first()
    parts = list(series.published_parts())
    return parts[len(parts) // 2]


def public_pages():
    """The public pages, chosen from the data the same way at every size (Django set up)."""
    from django.db.models import Count

    from blog.models import Post, Topic
    from blog.views import POSTS_PER_PAGE

    article = chosen_article()
    series = article.series
    topic = Topic.objects.annotate(n=Count("posts")).filter(n__gt=0).order_by("-n", "slug").first()
    last_page = math.ceil(Post.objects.published().count() / POSTS_PER_PAGE)
    deep = min(150, last_page)
    return [
        Target("home", "/"),
        Target("blog list", "/blog/"),
        Target(f"blog list p.{deep}", f"/blog/?page={deep}"),
        Target(ARTICLE, article.get_absolute_url(), render_runs=200),
        Target("series", series.get_absolute_url()),
        Target("topic", topic.get_absolute_url()),
        Target("RSS feed", "/blog/feed/"),
        Target("sitemap", "/sitemap.xml", render_runs=25),  # the index
        Target("sitemap: articles", "/sitemap-posts.xml", render_runs=10),
    ]


def pick_targets():
    """The pages to measure (Django set up) and the two static files."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage

    css = staticfiles_storage.url("css/site.css")  # the hashed name, from the manifest
    if css == settings.STATIC_URL + "css/site.css":
        raise BenchError("site.css has no hashed name: collectstatic did not write a manifest")
    return [
        *public_pages(),
        Target("consultation form", FORM_PATH, cacheable=False),
        Target(ARTICLE_STATIC, settings.STATIC_URL + ARTICLE_STATIC_FILE, cacheable=False),
        Target("static site.css", css, cacheable=False),
    ]


def wagtail_target(server, path):
    """Wagtail's article page on its own server, in the rounds with the page cache off."""
    return Target(WAGTAIL, path, cacheable=False, server=server, passes=("uncached",))
