"""The shared page cache: anonymous visitors get public pages at about the cost of a static file.

A public page is the same for every visitor until someone saves content, so whole responses are
kept in Django's cache (the database cache table on one machine, Redis across several) under a
key that starts with the site's content version (versions.py), which every change of content
replaces, so the next request everywhere misses and renders afresh.

Only views wrapped in `public_page` (decorators.py) are stored, only for requests without a
session cookie (staff never get, nor fill, cached pages), and only plain 200 responses that set
no cookie.
"""

import functools
import hashlib
import logging
from pathlib import Path
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import cc_delim_re, patch_cache_control, set_response_etag

from . import local, outage
from .versions import bump, current_version

logger = logging.getLogger(__name__)

HEADER = "X-Page-Cache"
UNCACHEABLE_DIRECTIVES = {"private", "no-cache", "no-store"}
# Cookies that can change what a page shows: a signed-in session, or a message waiting for it.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
BASE_DIR = Path(settings.BASE_DIR)


@functools.cache
def build_id():
    """A digest of the code, templates and static manifest: a deploy starts a fresh key space, so
    pages rendered by the old code (naming old stylesheet files) are never served by the new."""
    digest = hashlib.sha256()
    ours = [
        Path(app.path) for app in apps.get_app_configs() if Path(app.path).is_relative_to(BASE_DIR)
    ]
    for folder in [*ours, BASE_DIR / "templates"]:
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".xml"}:
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def page_address(request):
    """What a cached page is filed under, or None for a request no cached page answers: the
    address without the query parameters its view does not read, in a fixed order.

    Raises DisallowedHost for a Host header the site does not answer to (Django's 400).
    """
    if not (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in {"GET", "HEAD"}
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
    ):
        return None
    read = query_read(request.path_info)
    if read is None:
        return None
    query = sorted((name, value) for name in read for value in request.GET.getlist(name))
    host = request.get_host()
    return f"{request.scheme}://{host}{request.path}?{urlencode(query)}"


@functools.lru_cache(maxsize=4096)
def query_read(path):
    """The query parameters the public page at `path` reads, or None if it is not one. Resolving
    a path costs more than the rest of a hit; the answer never changes while the process runs."""
    try:
        view = resolve(path).func
    except Resolver404:
        return None
    return getattr(view, "page_cache_query", None)


@receiver(setting_changed)
def _urls_changed(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        query_read.cache_clear()


def page_key(address, version):
    return "page:" + hashlib.sha256(f"{build_id()}:{version}:{address}".encode()).hexdigest()


def may_store(response):
    directives = {
        directive.split("=")[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    return (
        getattr(response, "shareable", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not directives & UNCACHEABLE_DIRECTIVES
    )


class PageCacheMiddleware:
    """Serves and stores `public_page` responses for anonymous visitors.

    Goes early in MIDDLEWARE, so a hit skips sessions, CSRF and the rest; the stored response
    already carries the headers the middleware below it added (the CSP among them).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = page_address(request)
        if address is None or outage.paused():
            return self.get_response(request)
        try:
            if outage.version_change_pending:
                bump()  # pauses again if the cache is still away
            if outage.paused():
                return self.get_response(request)
            # The one shared read every hit needs: the version that says what is current.
            version = current_version()
            page = local.get(version, address)
            if page is None:
                stored = cache.get(page_key(address, version))
                if stored is not None:
                    page = local.Page(*stored)
                    local.put(version, address, page)
        except Exception:  # a cache outage costs speed, never a page
            outage.pause()
            logger.exception("Page cache unavailable; serving uncached for a while")
            return self.get_response(request)
        if page is not None:
            response = HttpResponse(page.content, status=page.status, headers=page.headers)
            response[HEADER] = "hit"
            return response

        response = self.get_response(request)
        if may_store(response):
            # Browsers check back every time (a 304 when nothing changed), so no visitor keeps
            # an old page either.
            patch_cache_control(response, public=True, no_cache=True)
            set_response_etag(response)
            page = local.Page(response.status_code, dict(response.items()), response.content)
            try:
                cache.set(
                    page_key(address, version),
                    (page.status, page.headers, page.content),
                    timeout=settings.PAGE_CACHE_SECONDS,
                )
            except Exception:
                outage.pause()
                logger.exception("Page cache unavailable; serving uncached for a while")
            else:
                local.put(version, address, page)
            response[HEADER] = "miss"
        return response
