from markdownx.widgets import AdminMarkdownxWidget


class MarkdownEditor(AdminMarkdownxWidget):
    """markdownx's admin editor, plus plain-language messages when an image upload is refused."""

    class Media:
        js = ["editor/upload-messages.js"]
