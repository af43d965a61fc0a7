from django.contrib.sitemaps import Sitemap

from .models import Page


class PageSitemap(Sitemap):
    def items(self):
        return Page.objects.public().only("address", "updated_at")

    def lastmod(self, page):
        return page.updated_at
