from django.contrib import admin
from django.urls import include, path

from blog import editor
from blog.sitemaps import sitemap

from . import media, two_factor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("blog/", include("blog.urls")),
    path("consultation/", include("consultations.urls")),
    # markdownx's endpoints, mounted by us behind a staff permission check.
    path("editor/preview/", editor.preview, name="editor_preview"),
    path("editor/upload/", editor.upload, name="editor_upload"),
    path("admin/two-factor/", two_factor.verify, name="two_factor"),
    path("admin/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("admin/", admin.site.urls),
    path("pages/<path:url>", views.page, name="page"),
]

if media.is_stored_locally():
    # Uploaded images on this machine's disk, served with DEBUG on or off (practice/media.py);
    # with media on S3 the bucket serves them and /media/ is not Django's.
    urlpatterns.append(path("media/<path:path>", media.serve_media, name="media"))

handler500 = "practice.views.server_error"
