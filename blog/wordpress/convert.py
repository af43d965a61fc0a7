"""Old articles' HTML made into Markdown for our editor, without scripts, embeds or styles.

The Markdown is then rendered like any other article's, by editor.markdown.render.
"""

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Comment, Tag
from markdownify import ATX, MarkdownConverter

from editor.markdown import IGNORED_IN_SCHEME, SCHEME, URL_SCHEMES

MAX_BODY_CHARACTERS = 1_000_000  # one article's HTML; a long article is about 25,000
MAX_NESTING = 100  # tags inside tags; page builders nest about 15 deep
# Paragraphs, list items, headings, table rows…: a long article has a few hundred. Rendering
# time grows faster than the count (Python-Markdown's smarty extension), so it is bounded too.
MAX_BLOCKS = 5_000
# Removed with everything inside them: active content, and page furniture with no place in
# an article. Frames and videos first leave a link to what they showed (see _replace_embeds).
DROPPED_TAGS = [
    "script", "style", "iframe", "object", "embed", "applet", "noscript", "template", "svg",
    "math", "canvas", "form", "input", "button", "select", "textarea", "video", "audio",
    "link", "meta", "base", "frame", "frameset",
]  # fmt: skip
KEPT_ATTRIBUTES = {"href", "src", "alt", "title", "start", "colspan", "rowspan"}
# Tags that start their own block; text between them needs a paragraph of its own.
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
}  # fmt: skip
CONTENT_BLOCKS = [
    "p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dt", "dd", "hr",
    "figure",
]  # fmt: skip
BLANK_LINE = re.compile(r"\n[ \t]*\n")
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
# Where the two services keep a site's uploaded images, besides the site's own address.
IMAGE_HOSTS = re.compile(r"(^|\.)(squarespace-cdn\.com|squarespace\.com|wp\.com|wordpress\.com)$")


class UnconvertibleHTML(ValueError):
    """The HTML is beyond what an article can be; the message says how, after "it"."""


def plain_text(html):
    """Text only, on one line: for summaries, which are not Markdown."""
    return " ".join(BeautifulSoup(html or "", "html.parser").get_text(" ").split())


@dataclass
class Converted:
    markdown: str
    embeds: list[str]  # addresses of embedded frames and videos, now plain links


def html_to_markdown(html, site="", resolve_image=None):
    """Markdown for an old article's HTML, with scripts, embeds and inline styles removed.

    `resolve_image(url)` is asked for each image and each link to an image file on the old
    site (`site`); it returns the address to use instead, or None to keep the old one.
    """
    if len(html) > MAX_BODY_CHARACTERS:
        raise UnconvertibleHTML(
            f"its body is {len(html):,} characters long, more than the "
            f"{MAX_BODY_CHARACTERS:,} an article may have"
        )
    soup = BeautifulSoup(html, "html.parser")
    if _depth(soup) > MAX_NESTING:
        raise UnconvertibleHTML(f"its HTML is nested more than {MAX_NESTING} tags deep")
    loose_paragraphs = sum(
        len(BLANK_LINE.findall(text)) + 1
        for text in soup.find_all(string=True, recursive=False)
        if text.strip()
    )
    if len(soup.find_all(CONTENT_BLOCKS)) + loose_paragraphs > MAX_BLOCKS:
        raise UnconvertibleHTML(
            f"it has more than {MAX_BLOCKS:,} paragraphs, list items and table rows, "
            "far more than an article has"
        )
    embeds = _replace_embeds(soup)
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()  # WordPress's block editor leaves <!-- wp:paragraph --> everywhere
    for tag in soup.find_all(DROPPED_TAGS):
        tag.decompose()
    for image in soup.find_all("img"):
        _use_lazy_source(image)
    for tag in soup.find_all(True):
        tag.attrs = {name: value for name, value in tag.attrs.items() if name in KEPT_ATTRIBUTES}
    for link in soup.find_all("a", href=True):
        if not _is_allowed_address(link["href"]):
            link.unwrap()  # javascript: and the like; the words stay
    if resolve_image:
        _rewrite_images(soup, site, resolve_image)
    _add_paragraphs(soup)
    markdown = _Converter(
        heading_style=ATX, bullets="-", table_infer_header=True, escape_misc=False
    ).convert_soup(soup)
    return Converted(markdown=_tidy(markdown), embeds=embeds)


def _depth(soup):
    deepest, stack = 0, [(soup, 0)]
    while stack:
        tag, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in tag.children if isinstance(child, Tag))
    return deepest


def _replace_embeds(soup):
    """Turn embedded frames and videos into a link to what they showed, so nothing is lost."""
    addresses = []
    for embed in soup.find_all(["iframe", "video"]):
        source = embed.get("src") or next(
            (s.get("src") for s in embed.find_all("source") if s.get("src")), ""
        )
        source = source.strip()
        if source.startswith("//"):
            source = "https:" + source
        host = urlsplit(source).hostname if source.startswith(("http://", "https://")) else None
        if host:
            addresses.append(source)
            paragraph = soup.new_tag("p")
            link = soup.new_tag("a", href=source)
            link.string = f"Embedded content from {host}"
            paragraph.append(link)
            embed.replace_with(paragraph)
    return addresses


def _use_lazy_source(image):
    """Squarespace's lazy-loaded images keep their address in data-src or data-image."""
    source = (image.get("src") or "").strip()
    if not source or source.startswith("data:"):
        source = (image.get("data-src") or image.get("data-image") or "").strip()
    if source:
        image["src"] = source
    else:
        image.decompose()


def _is_allowed_address(url):
    """What the renderer would keep (blog/markdown.py), so the Markdown shows no more than it."""
    scheme = SCHEME.match(IGNORED_IN_SCHEME.sub("", url).lower())
    return scheme is None or scheme.group(1) in URL_SCHEMES


def is_image_address(url):
    return PurePosixPath(unquote(urlsplit(url).path)).suffix.lower() in IMAGE_EXTENSIONS


def _on_old_site(url, site):
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return not host or host == site or bool(IMAGE_HOSTS.search(host))


def _rewrite_images(soup, site, resolve_image):
    for image in soup.find_all("img", src=True):
        new = resolve_image(image["src"])
        if new:
            image["src"] = new
    for link in soup.find_all("a", href=True):
        href = link["href"]
        if is_image_address(href) and _on_old_site(href, site):
            new = resolve_image(href)
            if new:
                link["href"] = new


def _add_paragraphs(soup):
    """Wrap loose text in paragraphs, as WordPress does when it shows a post.

    WordPress stores many posts without <p>: paragraphs are separated by blank lines, and
    wpautop() adds the tags when the page is shown. Without this they would run together.
    """
    if not any(isinstance(child, str) and child.strip() for child in soup.children):
        return
    nodes = [child.extract() for child in list(soup.children)]
    run = []  # the loose text and inline tags of the paragraph being gathered

    def close_paragraph():
        if any(str(node).strip() for node in run):
            paragraph = soup.new_tag("p")
            paragraph.extend(run)
            soup.append(paragraph)
        run.clear()

    for node in nodes:
        if isinstance(node, Tag) and node.name in BLOCK_TAGS:
            close_paragraph()
            soup.append(node)
        elif isinstance(node, Tag):
            run.append(node)
        else:
            for number, part in enumerate(BLANK_LINE.split(str(node))):
                if number:
                    close_paragraph()
                run.append(part)
    close_paragraph()


class _Converter(MarkdownConverter):
    def convert_li(self, el, text, parent_tags):
        # Nested lists are indented by four spaces, which CommonMark reads as a list inside
        # the item after any bullet up to "99." (markdownify's own indent depends on the bullet).
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start", "1"))
            first = int(start) if start.isdigit() else 1
            bullet = f"{first + len(el.find_previous_siblings('li'))}."
        else:
            bullet = "-"
        lines = text.split("\n")
        rest = [f"    {line}" if line.strip() else "" for line in lines[1:]]
        return "\n".join([f"{bullet} {lines[0]}", *rest]) + "\n"

    def escape(self, text, parent_tags):
        # Text that looks like a tag must stay text: "&lt;b&gt;" in the HTML is not markup.
        return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", super().escape(text, parent_tags))


def _tidy(markdown):
    """No blank-looking lines (&nbsp; paragraphs), no trailing spaces but a <br>'s two."""
    lines = []
    for line in markdown.split("\n"):
        if not line.strip(" \t\xa0"):
            line = ""
        elif not line.endswith("  "):
            line = line.rstrip()
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
