"""The pages this process already holds: a hit costs one shared-cache read (the content
version) instead of two, and no unpickling of the page.

Entries are filed under the content version, so a new version (from any worker or server) makes
every entry here unreachable at once; they are dropped the moment a new version is seen. The
store is bounded in bytes, least recently used first out, so a worker's memory stays flat
however many pages the site has.
"""

import threading

from cachetools import LRUCache
from django.conf import settings

_lock = threading.Lock()  # gthread or runserver workers share the store between threads
_version = None
_pages = LRUCache(maxsize=settings.PAGE_CACHE_LOCAL_BYTES, getsizeof=lambda page: page.size)


class Page:
    """A stored response, ready to be served again: its status, headers and body."""

    __slots__ = ("status", "headers", "content", "size")

    def __init__(self, status, headers, content):
        self.status = status
        self.headers = headers
        self.content = content
        self.size = len(content) + sum(len(k) + len(v) for k, v in headers.items())


def get(version, address):
    """The page for `address` under `version`, if this process holds it."""
    global _version
    with _lock:
        if version != _version:
            _pages.clear()
            _version = version
            return None
        return _pages.get(address)


def put(version, address, page):
    with _lock:
        # A page too large for the store (more than a quarter of it) is left to the shared cache.
        if version == _version and page.size <= _pages.maxsize // 4:
            _pages[address] = page


def clear():
    """Forget everything (tests start each from an empty store)."""
    global _version
    with _lock:
        _pages.clear()
        _version = None
