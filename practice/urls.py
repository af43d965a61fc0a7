from django.contrib import admin
from django.urls import include, path

from images.views import is_stored_locally, serve_media
from staff import two_factor

from . import sitemaps, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap_section"),
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
