from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.flatpages import views as flatpage_views
from django.urls import include, path

from blog import editor
from blog.sitemaps import sitemap

from . import views

admin.site.site_header = f"{settings.PRACTICE_NAME} — staff"
admin.site.site_title = settings.PRACTICE_NAME
admin.site.index_title = "Articles, pages and consultation requests"
admin.site.enable_nav_sidebar = False  # the triage list needs the width

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
    path("admin/", admin.site.urls),
    path("pages/<path:url>", flatpage_views.flatpage, name="page"),
]

if settings.DEBUG:
    # Production serves uploads from the reverse proxy (see README).
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "practice.views.server_error"
