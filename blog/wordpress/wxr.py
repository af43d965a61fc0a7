"""Reading WordPress exports (WXR), the format both WordPress and Squarespace export blogs in.

read_export() turns a file into plain data, refusing anything that is not a sane export. It
touches neither the database nor the network.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.conf import settings
from django.utils.text import slugify

# A practice's whole blog is a few megabytes; this leaves a wide margin and still bounds the
# memory and time an import can take.
MAX_FILE_BYTES = 50 * 1024 * 1024

NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}
WORDPRESS_NAMESPACE = re.compile(r"^http://wordpress\.org/export/[\d.]+/(excerpt/)?$")
NO_DATE = "0000-00-00"


class ExportError(Exception):
    """The export cannot be imported; the message says why, in words for the person running it."""


@dataclass
class Term:
    kind: str  # "category" or "post_tag"
    slug: str
    name: str


@dataclass
class Item:
    number: int  # its place among the export's items, for messages
    post_id: str
    post_type: str
    status: str
    title: str
    post_name: str
    link: str
    guid: str
    creator: str
    date_gmt: str
    date_local: str
    modified_gmt: str
    modified_local: str
    content: str | None  # None when the export has no <content:encoded> at all
    excerpt: str
    terms: list[Term] = field(default_factory=list)

    def __str__(self):
        return f"“{self.title}”" if self.title else f"item {self.number} (id {self.post_id})"

    @property
    def date(self):
        """When it was (or will be) published, in UTC; None when the export has no date.

        The GMT date comes first; drafts often have 0000-00-00 there, and then the site's
        local date is read in our TIME_ZONE.
        """
        return _wordpress_date(self.date_gmt, UTC) or _wordpress_date(
            self.date_local, ZoneInfo(settings.TIME_ZONE)
        )

    @property
    def modified(self):
        """When it was last changed on the old site, in UTC; None when the export does not say."""
        return _wordpress_date(self.modified_gmt, UTC) or _wordpress_date(
            self.modified_local, ZoneInfo(settings.TIME_ZONE)
        )

    @property
    def slug(self):
        """The old address's last part, as a slug; made from the title when there is none."""
        name = unquote(self.post_name).strip().strip("/").rsplit("/", 1)[-1]
        name = re.sub(r"\.html?$", "", name)  # Squarespace writes some as "my-post.html"
        slug = slugify(name) or slugify(self.title) or f"article-{self.post_id}"
        return slug[:200].strip("-")


@dataclass
class Author:
    login: str
    email: str
    display_name: str


@dataclass
class Export:
    site: str  # the old site's host name, without "www."
    authors: list[Author]
    items: list[Item]


def read_export(path):
    """Parse a WXR file into an Export, or raise ExportError saying what is wrong with it."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ExportError(f"Cannot read {path}: {error.strerror or error}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise ExportError(
            f"{path.name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, far more than a "
            "blog's export."
        )
    try:
        # Exports never declare a DTD; refusing one stops entity expansion ("billion laughs")
        # and external entities before anything is expanded or fetched.
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ExportError(
            f"{path.name} declares a document type or entities, which WordPress and Squarespace "
            "exports never do. It may be crafted to exhaust the server, so it was refused."
        ) from None
    except ParseError as error:
        line, column = error.position
        raise ExportError(
            f"{path.name} is not well-formed XML (line {line}, column {column + 1}): "
            "it may be cut short or damaged. Export it again."
        ) from None

    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ExportError(
            f"{path.name} is not a WordPress or Squarespace export: it has no <rss><channel>."
        )
    fields = _fields(channel)
    if "wp:wxr_version" not in fields and not any(
        "wp:post_type" in _fields(item) for item in channel.iter("item")
    ):
        raise ExportError(
            f"{path.name} looks like an ordinary RSS feed, not a WordPress export (WXR). "
            "Export the blog from WordPress (Tools → Export) or Squarespace (Settings → Export)."
        )
    site_url = fields.get("wp:base_blog_url") or fields.get("link") or ""
    site = (urlsplit(site_url.strip()).hostname or "").removeprefix("www.")
    authors = [
        Author(
            login=author.get("wp:author_login", "").strip(),
            email=author.get("wp:author_email", "").strip(),
            display_name=author.get("wp:author_display_name", "").strip(),
        )
        for author in (_fields(element) for element in channel if _key(element) == "wp:author")
    ]
    items = [_item(number, element) for number, element in enumerate(channel.iter("item"), 1)]
    return Export(site=site, authors=authors, items=items)


def _item(number, element):
    fields = _fields(element)
    for required in ("wp:post_type", "wp:post_id"):
        if not fields.get(required, "").strip():
            title = fields.get("title", "").strip()
            named = f" (“{title}”)" if title else ""
            raise ExportError(
                f"Item {number}{named} has no <{required}>, which every item of an export "
                "has. The file may have been edited by hand or cut short."
            )
    terms = [
        Term(
            kind=child.get("domain", ""),
            slug=unquote(child.get("nicename", "")).strip(),
            name=(child.text or "").strip(),
        )
        for child in element
        if child.tag == "category"
    ]
    return Item(
        number=number,
        post_id=fields["wp:post_id"].strip(),
        post_type=fields["wp:post_type"].strip(),
        status=fields.get("wp:status", "").strip(),
        title=" ".join(fields.get("title", "").split()),
        post_name=fields.get("wp:post_name", ""),
        link=fields.get("link", "").strip(),
        guid=fields.get("guid", "").strip(),
        creator=fields.get("dc:creator", "").strip(),
        date_gmt=fields.get("wp:post_date_gmt", ""),
        date_local=fields.get("wp:post_date", ""),
        modified_gmt=fields.get("wp:post_modified_gmt", ""),
        modified_local=fields.get("wp:post_modified", ""),
        content=fields.get("content:encoded"),
        excerpt=fields.get("excerpt:encoded", ""),
        terms=terms,
    )


def _key(element):
    """ "wp:status" for {http://wordpress.org/export/1.2/}status, whatever the WXR version."""
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    if WORDPRESS_NAMESPACE.match(namespace):
        return f"{'excerpt' if namespace.endswith('excerpt/') else 'wp'}:{local}"
    return f"{NAMESPACES.get(namespace, namespace)}:{local}"


def _fields(element):
    """The text of each child, by key; the first one wins when a key repeats."""
    fields = {}
    for child in element:
        fields.setdefault(_key(child), child.text or "")
    return fields


def _wordpress_date(value, zone):
    value = value.strip()
    if not value or value.startswith(NO_DATE):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone).astimezone(UTC)
    except ValueError:
        return None
