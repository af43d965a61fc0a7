from django.urls import path

from . import views

# markdownx's endpoints, mounted by us behind a staff permission check (settings name these
# addresses for its JavaScript: MARKDOWNX_URLS_PATH, MARKDOWNX_UPLOAD_URLS_PATH).
urlpatterns = [
    path("preview/", views.preview, name="editor_preview"),
    path("upload/", views.upload, name="editor_upload"),
    # Unsaved text kept on the server while a clinician writes (static/editor/keep.js).
    path("autosave/", views.autosave, name="editor_autosave"),
]
