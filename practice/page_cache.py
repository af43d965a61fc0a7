"""The shared page cache: anonymous visitors get public pages at about the cost of a static file.

A public page is the same for every visitor until someone saves content, so whole responses are
kept in Django's cache (the database cache table on one machine, Redis across several) under a
key that starts with the site's *content version*. Saving or deleting anything a public page
shows bumps that version (`watch_content` below), so the next request
everywhere misses and renders afresh; nothing is ever deleted or waited out. The version is
stored with the time the next scheduled post goes live, and the first request after that time
bumps it, so a scheduled post appears on time without anyone saving anything.

Only views wrapped in `public_page` are stored, only for requests without a session cookie
(staff never get, nor fill, cached pages), and only plain 200 responses that set no cookie.
"""

import functools
import hashlib
import logging
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import cc_delim_re, patch_cache_control, set_response_etag

logger = logging.getLogger(__name__)

STATE_KEY = "page-cache:state"
HEADER = "X-Page-Cache"
UNCACHEABLE_DIRECTIVES = {"private", "no-cache", "no-store"}
# Cookies that can change what a page shows: a signed-in session, or a message waiting for it.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
BASE_DIR = Path(settings.BASE_DIR)


def public_page(view=None, *, query=()):
    """Marks a view's responses as the same for every anonymous visitor (so they may be shared).

    `query` names the query parameters the view reads, e.g. `@public_page(query=["page"])`.
    The view sees no others, and pages are cached by those alone: `?utm_source=…` or any made-up
    parameter gets the same cached page instead of a new render and a new entry.
    """
    if view is None:
        return functools.partial(public_page, query=query)
    read = frozenset(query)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.GET = _only(request.GET, read)
        response = view(request, *args, **kwargs)
        response.shareable = True
        return response

    wrapper.page_cache_query = read
    return wrapper


def _only(params, names):
    kept = QueryDict(mutable=True)
    for name in names & params.keys():
        kept.setlist(name, params.getlist(name))
    kept._mutable = False
    return kept


def content_changed(**kwargs):
    """Public pages may show something different now. Usable directly as a signal receiver.

    Bumped at once, so later reads in this transaction see it, and again after commit: a page
    another process renders between the two would otherwise be cached with the old content.
    """
    bump()
    transaction.on_commit(bump)


def bump():
    """A new content version, and when the next scheduled post goes live (the next forced bump)."""
    from blog.models import Post  # the blog app imports this module

    next_post = Post.objects.scheduled().order_by("published_at").only("published_at").first()
    next_change = next_post.published_at.timestamp() if next_post else None
    version = uuid.uuid4().hex
    cache.set(STATE_KEY, (version, next_change), timeout=None)
    return version


def current_version():
    """The content version, read once per request; bumped here when a scheduled post is due."""
    state = cache.get(STATE_KEY)
    if state is None:
        return bump()
    version, next_change = state
    if next_change is not None and time.time() >= next_change:
        return bump()
    return version


@functools.cache
def build_id():
    """A digest of the code, templates and static manifest: a deploy starts a fresh key space, so
    pages rendered by the old code (naming old stylesheet files) are never served by the new."""
    digest = hashlib.sha256()
    for folder in ("practice", "blog", "consultations", "templates"):
        for path in sorted((BASE_DIR / folder).rglob("*")):
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
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    read = getattr(view, "page_cache_query", None)
    if read is None:
        return None
    query = sorted((name, value) for name in read for value in request.GET.getlist(name))
    host = request.get_host()
    return f"{request.scheme}://{host}{request.path}?{urlencode(query)}"


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
        if address is None:
            return self.get_response(request)
        try:
            key = page_key(address, current_version())
            stored = cache.get(key)
        except Exception:  # a cache outage costs speed, never a page
            logger.exception("Page cache unavailable; serving uncached")
            return self.get_response(request)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
            response[HEADER] = "hit"
            return response

        response = self.get_response(request)
        if may_store(response):
            # Browsers check back every time (a 304 when nothing changed), so no visitor keeps
            # an old page either.
            patch_cache_control(response, public=True, no_cache=True)
            set_response_etag(response)
            try:
                cache.set(
                    key,
                    (response.status_code, dict(response.items()), response.content),
                    timeout=settings.PAGE_CACHE_SECONDS,
                )
            except Exception:
                logger.exception("Page cache unavailable; page not stored")
            response[HEADER] = "miss"
        return response


def watch_content():
    """Connects `content_changed` to every change of what public pages show (PracticeConfig)."""
    from django.apps import apps
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site

    for model in [*apps.get_app_config("blog").get_models(), FlatPage, Site]:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"page-cache-{model}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"page-cache-{model}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(content_changed, sender=field.remote_field.through)
    # After `migrate` (every deploy): the cache table exists, and pages are rendered afresh.
    post_migrate.connect(after_migrate, dispatch_uid="page-cache-migrate")


def after_migrate(app_config, using, **kwargs):
    if app_config.label == "practice":  # once per `migrate`, not once per app
        call_command("createcachetable", database=using, verbosity=0)
        cache.delete(STATE_KEY)  # the next request starts a new version
