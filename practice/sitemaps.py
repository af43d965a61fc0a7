"""/sitemap.xml, the address search engines know (robots.txt names it), is an index of the
sections' sitemaps: /sitemap-<section>.xml, paged with ?p=N. Django's own views, behind the page
cache, with ?p= taking only a page written plainly (as ?page= on the lists)."""

from django.contrib.sitemaps import views
from django.http import Http404

from blog.sitemaps import SITEMAPS as BLOG_SITEMAPS
from blog.views import PAGE_NUMBER
from page_cache.decorators import public_page
from pages.sitemaps import PageSitemap

SITEMAPS = {**BLOG_SITEMAPS, "pages": PageSitemap}


@public_page
def index(request):
    return views.index(request, SITEMAPS, sitemap_url_name="sitemap_section")


@public_page(query=["p"])
def section(request, section):
    # Django reads ?p=02 or ?p=%202 as page 2: one page, one address (and one cache entry).
    if not PAGE_NUMBER.fullmatch(request.GET.get("p", "1")):
        raise Http404("No such page.")
    return views.sitemap(request, SITEMAPS, section=section)
