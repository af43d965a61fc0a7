"""Is a piece of sanitized HTML inert? Parsed, not pattern-matched, as a browser would read it."""

from html.parser import HTMLParser

from editor.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

FORBIDDEN_ELEMENTS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "form", "input", "button", "textarea", "select", "meta", "base", "link", "template",
    "noscript", "xmp", "plaintext", "title", "body",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


class _Markup(HTMLParser):
    """Every element, attribute and comment in a piece of HTML, parsed rather than matched."""

    def __init__(self, markup):
        # convert_charrefs: attribute values and text arrive decoded once, as a browser sees them.
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, [(attribute, value), ...])
        self.comments = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        self.comments.append(decl)

    def unknown_decl(self, data):
        self.comments.append(data)

    def handle_pi(self, data):
        self.comments.append(data)


def url_scheme(url):
    """The scheme a lenient browser might read: every space and control character dropped."""
    cleaned = "".join(
        c for c in url if not (c.isspace() or ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F)
    )
    scheme, colon, _ = cleaned.lower().partition(":")
    if not colon or not scheme or not scheme[0].isascii() or not scheme[0].isalpha():
        return None
    if not all(c.isascii() and (c.isalnum() or c in "+.-") for c in scheme):
        return None  # not a scheme at all: a relative path such as "/notes/10:30/"
    return scheme


def active_content(markup):
    """Everything in sanitized HTML that could run script, restyle the page or escape the
    allowlist; an empty list means the markup is inert."""
    parsed = _Markup(markup)
    problems = [f"comment or declaration {text!r}" for text in parsed.comments]
    for tag, attrs in parsed.elements:
        if tag in FORBIDDEN_ELEMENTS:
            problems.append(f"<{tag}> element")
        elif tag not in ALLOWED_TAGS:
            problems.append(f"<{tag}> is not on the allowlist")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"<{tag} {name}> event handler")
            elif name == "style":
                problems.append(f"<{tag} style> attribute")
            elif name not in allowed:
                problems.append(f"<{tag} {name}> is not on the allowlist")
            if name in {"href", "src"} and value is not None:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    problems.append(f"<{tag} {name}={value!r}> uses scheme {scheme!r}")
    return problems
