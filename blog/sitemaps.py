"""The blog's sections of the sitemap index (practice/sitemaps.py): published articles, series,
topics and the main lists.

Each section is paged (settings.SITEMAP_LIMIT addresses a page) and costs the same on its last
page as on its first: a page's ids are read from an index, then only those rows
(IdsFirstPaginator), and every lastmod is the newest `updated_at` found by walking the
`updated_at` index from the top, never a MAX over all articles.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse

from .models import Post, Series, Topic, address_of
from .views import IdsFirstPaginator


def newest_update(posts):
    """The latest `updated_at` among `posts` (a queryset), read from the top of its index."""
    return posts.order_by("-updated_at").values_list("updated_at", flat=True).first()


def newest_update_subquery(posts):
    """newest_update(), as a subquery of an outer query that `posts` refers to."""
    return Subquery(posts.order_by("-updated_at").values("updated_at")[:1])


class PagedSitemap(Sitemap):
    limit = settings.SITEMAP_LIMIT

    @property
    def paginator(self):
        return IdsFirstPaginator(self.items(), self.limit)


class PostSitemap(PagedSitemap):
    def items(self):
        # Oldest first, so a new article lands on the last page and earlier pages stay as they
        # were. Only what a <url> entry needs, as plain values: building 1,000 articles (even
        # deferred ones) took longer than reading them.
        posts = Post.objects.published().order_by("published_at", "pk")
        return posts.values("slug", "updated_at")

    def location(self, post):
        return address_of("blog:post_detail", post["slug"])

    def lastmod(self, post):
        return post["updated_at"]

    def get_latest_lastmod(self):
        return newest_update(Post.objects.published())


class SeriesSitemap(PagedSitemap):
    def items(self):
        parts = Post.objects.published().filter(series=OuterRef("pk"))
        latest_part = newest_update_subquery(parts)
        return (
            Series.objects.with_published_parts()
            .only("slug", "updated_at")
            .annotate(latest_part=latest_part)
            .order_by("pk")
        )

    def lastmod(self, series):
        return max(series.updated_at, series.latest_part)

    def get_latest_lastmod(self):
        series = Series.objects.with_published_parts().aggregate(latest=Max("updated_at"))
        part = newest_update(Post.objects.published().filter(series__isnull=False))
        return max(filter(None, [series["latest"], part]), default=None)


class TopicSitemap(PagedSitemap):
    def items(self):
        posts = Post.objects.published().tagged(OuterRef(OuterRef("pk")))
        latest_post = newest_update_subquery(posts)
        return (
            Topic.objects.annotate(latest_post=latest_post)
            .filter(latest_post__isnull=False)  # topics with a published article
            .order_by("pk")
        )

    def lastmod(self, topic):
        return topic.latest_post

    def get_latest_lastmod(self):
        return newest_update(Post.objects.published().tagged())


class MainSitemap(Sitemap):
    def items(self):
        return ["home", "blog:post_list"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        if not hasattr(self, "_latest"):
            self._latest = newest_update(Post.objects.published())
        return self._latest

    def get_latest_lastmod(self):
        return self.lastmod("home")


SITEMAPS = {
    "main": MainSitemap,
    "posts": PostSitemap,
    "series": SeriesSitemap,
    "topics": TopicSitemap,
}
