"""The sitemap as a search engine reads it: the index at /sitemap.xml, then each page it lists."""

from http import HTTPStatus
from urllib.parse import urlsplit
from xml.etree import ElementTree

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _entries(response, tag):
    assert response.status_code == HTTPStatus.OK
    root = ElementTree.fromstring(response.content)
    return [
        (entry.find(f"{NS}loc").text, getattr(entry.find(f"{NS}lastmod"), "text", None))
        for entry in root.iter(f"{NS}{tag}")
    ]


def local(url):
    """http://testserver/sitemap-posts.xml?p=2 → /sitemap-posts.xml?p=2"""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sitemap_index(client):
    """[(address, lastmod)] of the sitemap pages that /sitemap.xml lists, in its order."""
    return [
        (local(loc), lastmod) for loc, lastmod in _entries(client.get("/sitemap.xml"), "sitemap")
    ]


def sitemap_urls(client):
    """[(url, lastmod)] of every page of every section, in order (a list: a repeat would show)."""
    return [
        entry
        for address, _ in sitemap_index(client)
        for entry in _entries(client.get(address), "url")
    ]
