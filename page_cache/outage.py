"""When the shared cache stops answering: stop asking for a while, and serve pages uncached.

A Redis that refuses connections fails at once, but one that accepts and never answers would
cost every request the client's timeout. After one failure this process leaves the cache alone
for PAUSE_SECONDS; rendering a page is slower than a hit, but far faster than a timeout.
"""

import time

PAUSE_SECONDS = 30

_paused_until = 0.0
# A new content version could not be stored: the cached pages may be stale until one is.
version_change_pending = False


def pause():
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_SECONDS


def paused():
    return time.monotonic() < _paused_until
