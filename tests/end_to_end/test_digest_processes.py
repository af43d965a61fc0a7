"""The daily digest from several processes at once, as two servers' timers could start it:
`manage.py send_digest` four times at the same moment, on a SQLite file of their own, sends
the day's digest once (README "Consultation requests", "Daily digest")."""

import subprocess
import sys

import pytest

from tests.support.subprocess_django import run_django
from tools.serving import PROJECT, clean_environment, simultaneously

PROCESSES = 4

SEED = """
from django.contrib.auth.models import Group, User

from consultations.models import ConsultationRequest
from staff.roles import FRONT_DESK

desk = User.objects.create_user("desk", email="desk@example.com", is_staff=True)
desk.groups.add(Group.objects.get(name=FRONT_DESK))
ConsultationRequest.objects.create(
    name="Canary Namesake",
    phone="(555) 010-7777",
    consent_version="test",
    consented_at="2027-01-04T08:00:00Z",
    submission_token="00000000-0000-0000-0000-000000000001",
    client_key="test",
)
"""

SENT = """
from post_office.models import Email

from consultations.models import DigestDay

result = {
    "days": DigestDay.objects.count(),
    "mail": [(email.to, email.subject) for email in Email.objects.all()],
}
"""


def environment(url):
    # Hour 0: the digest is due whenever the test runs.
    return clean_environment(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=url,
        CONSULTATION_DIGEST_HOUR="0",
    )


def on_the_database(url, code):
    return run_django(code, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tests.settings")


def send_digest(url):
    completed = subprocess.run(
        [sys.executable, "manage.py", "send_digest"],
        cwd=PROJECT,
        env=environment(url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    on_the_database(
        url, "from django.core.management import call_command\ncall_command('migrate', verbosity=0)"
    )
    on_the_database(url, SEED)
    return url


def test_four_processes_at_once_send_the_days_digest_once(sqlite_url):
    said = simultaneously([lambda: send_digest(sqlite_url)] * PROCESSES)

    assert sorted(said) == sorted(
        ["Today's digest: 1 e-mail(s) queued."]
        + ["Today's digest was handled already."] * (PROCESSES - 1)
    ), said
    sent = on_the_database(sqlite_url, SENT)
    assert sent == {
        "days": 1,
        "mail": [[["desk@example.com"], "Consultation requests today: 1 unassigned"]],
    }
