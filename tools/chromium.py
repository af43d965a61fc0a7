"""Debian's chromium, as the audit (tools/audit.py) and the browser tests (tests/conftest.py)
launch it."""

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, chromium keeps reaching for the network (component updates, sync, background
# requests) that this machine does not have, and a headless run has no GPU to use.
CHROMIUM_FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
