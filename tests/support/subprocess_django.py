"""Run a snippet of Django in a fresh process, under environment variables of its own, as a
deployed site would read them: the way to test `practice.settings` itself, untouched by the
test settings (tests/settings.py)."""

import json
import subprocess
import sys

from tools.serving import PROJECT, clean_environment

# Production, as far as the environment goes: DEBUG off and a secret key.
PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 60}


def run_django(code, timeout=60, **env):
    """Run `code` after django.setup() with `env` over a clean environment; return the result.

    Settings are production's (practice.settings) unless `env` names another module.

    The snippet sets `result` to something JSON-serialisable. Raises CalledProcessError (with
    stderr) when the process fails, e.g. because settings refused to load.
    """
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
        env=clean_environment(**{"DJANGO_SETTINGS_MODULE": "practice.settings", **env}),
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT:"))
    return json.loads(line.removeprefix("RESULT:"))


def migrated_database(folder):
    """The DATABASE_URL of a SQLite file in `folder` with every migration applied, as
    `manage.py migrate` leaves a new site's database."""
    url = f"sqlite:///{folder / 'site.sqlite3'}"
    run_django(
        "from django.core.management import call_command\ncall_command('migrate', verbosity=0)",
        DATABASE_URL=url,
        **PRODUCTION,
    )
    return url
