"""The mail settings as a deployed site reads them (practice.settings in a fresh process): all
mail queued, then delivered by SMTP when DJANGO_EMAIL_HOST is set, to the console with DEBUG
(`make run`) as soon as it commits, and error reports even when the database is down."""

import shutil

import pytest
from post_office.models import STATUS

from tests.support.subprocess_django import PRODUCTION, migrated_database, run_django

SEND_AND_COUNT = """
from django.core.mail import send_mail
from django.core.management import call_command
from post_office.models import Email
send_mail("New consultation request", "Open it in the admin.", None, ["desk@example.com"])
queued = list(Email.objects.values_list("status", flat=True))
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    return migrated_database(tmp_path_factory.mktemp("migrated"))


@pytest.fixture
def database(migrated, tmp_path):
    copy = tmp_path / "site.sqlite3"
    shutil.copy(migrated.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


def smtp_settings(smtp_server):
    return {
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(smtp_server.port),
        "DJANGO_EMAIL_USE_TLS": "0",
    }


def test_production_queues_mail_and_send_queued_mail_delivers_it_by_smtp(database, smtp_server):
    result = run_django(
        SEND_AND_COUNT
        + "call_command('send_queued_mail')\n"
        + "result = [queued, list(Email.objects.values_list('status', flat=True))]",
        DATABASE_URL=database,
        **smtp_settings(smtp_server),
        **PRODUCTION,
    )

    assert result == [[STATUS.queued], [STATUS.sent]]
    assert [m["Subject"] for m in smtp_server.messages()] == ["New consultation request"]


def test_make_run_delivers_to_the_console_as_soon_as_the_transaction_commits(database):
    status, printed_inside, printed_after = run_django(
        "import contextlib, io\n"
        "from django.core.mail import send_mail\n"
        "from django.db import transaction\n"
        "from post_office.models import Email\n"
        "console = io.StringIO()\n"
        "with contextlib.redirect_stdout(console):\n"
        "    with transaction.atomic():\n"
        "        send_mail('Hello from make run', 'Text.', None, ['dev@example.com'])\n"
        "        inside = console.getvalue()\n"
        "result = [Email.objects.get().status, 'Hello from make run' in inside,\n"
        "          'Hello from make run' in console.getvalue()]",
        DATABASE_URL=database,
        DJANGO_DEBUG="1",
    )

    assert (printed_inside, printed_after) == (False, True)
    assert status == STATUS.sent


def test_production_leaves_delivery_to_the_command(database, smtp_server):
    result = run_django(
        SEND_AND_COUNT + "result = queued",
        DATABASE_URL=database,
        **smtp_settings(smtp_server),
        **PRODUCTION,
    )

    assert result == [STATUS.queued]
    assert smtp_server.messages() == []


def test_error_reports_are_queued_as_visitor_data(database, smtp_server):
    result = run_django(
        "import logging\n"
        "from post_office.models import Email\n"
        "logging.getLogger('django.request').error('Internal Server Error: /blog/')\n"
        "email = Email.objects.get()\n"
        "result = [email.to, email.status, email.delivery.holds_visitor_data]",
        DATABASE_URL=database,
        DJANGO_ADMINS="owner@example.com",
        **smtp_settings(smtp_server),
        **PRODUCTION,
    )

    assert result == [["owner@example.com"], STATUS.queued, True]
    assert smtp_server.messages() == []  # waits for send_queued_mail like all mail


def test_an_error_report_when_the_database_is_down_goes_straight_to_the_mail_server(
    tmp_path, smtp_server
):
    run_django(
        "import logging\n"
        "logging.getLogger('django.request').error('Internal Server Error: /blog/')\n",
        # A database that cannot be opened: its folder does not exist.
        DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'site.sqlite3'}",
        DJANGO_ADMINS="owner@example.com",
        **smtp_settings(smtp_server),
        **PRODUCTION,
    )

    (report,) = smtp_server.messages()
    assert report["To"] == "owner@example.com"
    assert "Internal Server Error: /blog/" in report["Subject"]
