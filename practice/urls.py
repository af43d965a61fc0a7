from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from blog.sitemaps import SITEMAPS as BLOG_SITEMAPS
from images.views import is_stored_locally, serve_media
from page_cache.decorators import public_page
from pages.sitemaps import PageSitemap
from staff import two_factor

from . import views

SITEMAPS = {**BLOG_SITEMAPS, "pages": PageSitemap}

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon),
    path(
        "sitemap.xml",
        public_page(query=["p"])(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("blog/", include("blog.urls")),
    path("pages/", include("pages.urls")),
    path("consultation/", include("consultations.urls")),
    path("editor/", include("editor.urls")),
    path("admin/two-factor/", two_factor.verify, name="two_factor"),
    path("admin/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("admin/", admin.site.urls),
]

if is_stored_locally():
    # Uploaded images on this machine's disk, served with DEBUG on or off (images/views.py);
    # with media on S3 the bucket serves them and /media/ is not Django's.
    urlpatterns.append(path("media/<path:path>", serve_media, name="media"))

handler500 = "practice.views.server_error"
