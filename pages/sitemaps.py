from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from .models import Page


class PageSitemap(Sitemap):
    limit = settings.SITEMAP_LIMIT

    def items(self):
        return Page.objects.public().only("address", "updated_at").order_by("pk")

    def lastmod(self, page):
        return page.updated_at

    def get_latest_lastmod(self):
        return Page.objects.public().aggregate(latest=Max("updated_at"))["latest"]
