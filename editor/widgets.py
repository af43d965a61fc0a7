from markdownx.widgets import AdminMarkdownxWidget

from .reading_time import WORDS_PER_MINUTE


class MarkdownEditor(AdminMarkdownxWidget):
    """markdownx's admin editor, plus plain-language messages when an image upload is refused,
    a formatting toolbar with a short Markdown help, the preview beside the text on wide
    screens, live counts, upload progress, and unsaved text kept until it is saved."""

    template_name = "editor/markdown_editor.html"

    def __init__(self, attrs=None):
        # The rate the live counts (static/editor/layout.js) read the text at, as the site does.
        super().__init__(attrs={"data-words-per-minute": WORDS_PER_MINUTE, **(attrs or {})})

    class Media:
        js = [
            "editor/upload-messages.js",
            "editor/toolbar.js",  # the formatting toolbar, and the help it opens
            "editor/layout.js",
            "editor/keep.js",  # unsaved text kept in the browser and on the server
        ]
