from markdownx.widgets import AdminMarkdownxWidget


class MarkdownEditor(AdminMarkdownxWidget):
    """markdownx's admin editor, plus plain-language messages when an image upload is refused
    and a formatting toolbar with a short Markdown help."""

    template_name = "editor/markdown_editor.html"

    class Media:
        js = [
            "editor/upload-messages.js",
            "editor/toolbar.js",  # the formatting toolbar, and the help it opens
        ]
