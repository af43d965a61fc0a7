from markdownx.widgets import AdminMarkdownxWidget


class MarkdownEditor(AdminMarkdownxWidget):
    """markdownx's admin editor, plus plain-language messages when an image upload is refused,
    and unsaved text kept until it is saved."""

    class Media:
        js = [
            "editor/upload-messages.js",
            "editor/keep.js",  # unsaved text kept in the browser and on the server
        ]
