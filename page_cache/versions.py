"""The content version: every cached page is filed under it, so changing it retires them all.

Apps say which of their models public pages show (`watch`) and when their content next changes
by itself (`changes_next`, e.g. the blog's next scheduled article). A committed change to a
watched model starts a new version once per transaction, however many rows it touched; the
first request after a scheduled moment does the same. Nothing is ever deleted or waited out.
"""

import logging
import time
import uuid

from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import outage

logger = logging.getLogger(__name__)

STATE_KEY = "page-cache:state"
_next_change_sources = []  # callables: the time (a datetime) content next changes by itself


def watch(*models):
    """Public pages show these models: a saved, deleted or re-linked row starts a new version."""
    for model in models:
        uid = f"page-cache-{model._meta.label}"
        post_save.connect(content_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(content_changed, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                content_changed, sender=field.remote_field.through, dispatch_uid=uid
            )


def changes_next(source):
    """Register `source()`: when content next changes with nobody saving (or None)."""
    _next_change_sources.append(source)


def content_changed(**kwargs):
    """Public pages show something different once this transaction commits. A signal receiver.

    One new version per transaction, after it commits: a page rendered from the old rows in the
    meantime is filed under the old version, which is then never read again.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        bump()
    elif not any(callback[1] is bump for callback in connection.run_on_commit):
        transaction.on_commit(bump, robust=True)  # a cache outage must not undo a save


def bump():
    """Start a new content version, recording when content next changes by itself."""
    times = [when for source in _next_change_sources if (when := source()) is not None]
    next_change = min(times).timestamp() if times else None
    version = uuid.uuid4().hex
    try:
        cache.set(STATE_KEY, (version, next_change), timeout=None)
    except Exception:  # any cache client error: the save that led here still stands
        # Cached pages may be stale until a new version is stored; none are served till then.
        outage.version_change_pending = True
        outage.pause()
        logger.exception("Page cache unavailable; content version not changed")
    else:
        outage.version_change_pending = False
    return version


def current_version():
    """The content version, read once per request; a new one once a scheduled change is due."""
    state = cache.get(STATE_KEY)
    if state is None:
        return bump()
    version, next_change = state
    if next_change is not None and time.time() >= next_change:
        return bump()
    return version


def after_migrate(using, **kwargs):
    """After `migrate` (every deploy): the cache table exists, and pages are rendered afresh."""
    call_command("createcachetable", database=using, verbosity=0)
    cache.delete(STATE_KEY)  # the next request starts a new version
