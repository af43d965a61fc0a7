"""The pages the benchmark measures, chosen from the data: a middle part of a series, the
busiest topic, a deep page of the list…, and the hashed site.css (whitenoise: the ceiling for
this stack, which the others are compared with)."""

import math
from dataclasses import dataclass, field

from tools.benchmark.common import BenchError
from tools.serving import FORM_PATH


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


def pick_targets():
    """The pages to measure (Django set up); the static file comes last."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db.models import Count

    from blog.models import Post, Series, Topic
    from blog.views import POSTS_PER_PAGE

    series = Series.objects.with_published_parts().order_by("slug").first()
    parts = list(series.published_parts())
    article = parts[len(parts) // 2]
    topic = Topic.objects.annotate(n=Count("posts")).filter(n__gt=0).order_by("-n", "slug").first()
    last_page = math.ceil(Post.objects.published().count() / POSTS_PER_PAGE)
    deep = min(150, last_page)
    css = staticfiles_storage.url("css/site.css")  # the hashed name, from the manifest
    if css == settings.STATIC_URL + "css/site.css":
        raise BenchError("site.css has no hashed name: collectstatic did not write a manifest")
    return [
        Target("home", "/"),
        Target("blog list", "/blog/"),
        Target(f"blog list p.{deep}", f"/blog/?page={deep}"),
        Target("article in series", article.get_absolute_url(), render_runs=200),
        Target("series", series.get_absolute_url()),
        Target("topic", topic.get_absolute_url()),
        Target("RSS feed", "/blog/feed/"),
        Target("sitemap", "/sitemap.xml", render_runs=10),
        Target("consultation form", FORM_PATH, cacheable=False),
        Target("static site.css", css, cacheable=False),
    ]
