"""Run a snippet under other environment variables, as a fresh process would read them."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def run_django(code, timeout=60, **env):
    """Run `code` after django.setup() with `env` over a clean environment; return the result.

    The snippet sets `result` to something JSON-serialisable. Raises CalledProcessError (with
    stderr) when the process fails, e.g. because settings refused to load.
    """
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "PRACTICE_"))
    }
    script = (
        "import json, django\n"
        "django.setup()\n"
        "result = None\n"
        f"{code}\n"
        "print('RESULT:' + json.dumps(result))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env={**base, "DJANGO_SETTINGS_MODULE": "practice.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT:"))
    return json.loads(line.removeprefix("RESULT:"))


PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 60}
