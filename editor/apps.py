from django.apps import AppConfig


class EditorConfig(AppConfig):
    """The Markdown editor shared by articles and pages: rendering, preview, upload, checks."""

    name = "editor"
    verbose_name = "Editor"
