"""Settings for the site as the audit and the benchmark serve it (tools/audit.py, tools/bench.py).

Production settings, read from the environment exactly as `practice.settings` reads them, with
collected static files in the tool's own temporary folder (SERVING_STATIC_ROOT), so that the
project's staticfiles/ is never touched.
"""

import os

from practice.settings import *  # noqa: F403

STATIC_ROOT = os.environ["SERVING_STATIC_ROOT"]
