"""Announcing articles from several processes at once, as two servers' timers could: four
`manage.py send_article_mail` and two `send_queued_mail` started at the same moment, under
production settings, on the database this test run uses (a SQLite file, or PostgreSQL when
DATABASE_URL names one), delivering to a real SMTP server. Each reader gets each article once
(README "Readers' e-mail")."""

import collections
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from post_office.models import Email

from blog.models import Announcement, Subscriber
from tests.outbox.test_processes import (
    delivery_environment,
    wait_for_connections_to_close,
)
from tests.support.factories import make_post, make_series
from tests.support.smtp_server import running_smtp_server
from tools.serving import PROJECT

# serialized_rollback: the roles made by data migrations come back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ANNOUNCERS = 4
ARTICLES = 10  # half of them parts of a series
# Readers of the series, of new articles and of both: enough that each article's transaction
# takes a while, and the announcers overlap.
EACH = 40


def start(smtp_server, command):
    return subprocess.Popen(
        [sys.executable, "manage.py", command],
        cwd=PROJECT,
        env=delivery_environment(smtp_server),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(processes):
    outputs = [process.communicate(timeout=180) for process in processes]
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr[-3000:]
    return [stdout for stdout, _ in outputs]


def readers(series):
    """EACH readers of the series (numbered first), EACH of new articles, EACH of both."""
    now = timezone.now()
    rows = []
    for number in range(3 * EACH):
        email = f"reader{number}@example.org"
        if number < EACH or number >= 2 * EACH:
            rows.append(Subscriber(email=email, series=series, confirmed_at=now))
        if number >= EACH:
            rows.append(Subscriber(email=email, series=None, confirmed_at=now))
    Subscriber.objects.bulk_create(rows)


def test_four_announcers_and_two_delivery_processes_send_each_reader_each_article_once():
    series = make_series()
    readers(series)
    minute_ago = timezone.now() - timedelta(minutes=1)
    posts = [
        make_post(
            title=f"Article {number:02d}",
            published_at=minute_ago,
            **({"series": series, "series_position": number + 1} if number % 2 else {}),
        )
        for number in range(ARTICLES)
    ]

    with running_smtp_server() as (smtp_server, port):
        smtp_server.port = port
        processes = [start(smtp_server, "send_article_mail") for _ in range(ANNOUNCERS)]
        processes += [start(smtp_server, "send_queued_mail") for _ in range(2)]
        said = finished(processes)
        finished([start(smtp_server, "send_queued_mail")])  # what was queued after those passes
        wait_for_connections_to_close()
        received = collections.Counter(
            (message["To"], message["Subject"]) for message in smtp_server.messages()
        )

    # A series part goes to everyone (once); another article to the readers of new articles.
    expected = {
        (f"reader{number}@example.org", post.title)
        for post in posts
        for number in range(3 * EACH)
        if number >= EACH or post.series_id
    }
    # Each announcer's last line: "N article(s) announced, M by another process; …".
    summaries = [output.splitlines()[-1] for output in said[:ANNOUNCERS]]
    by_process = [int(summary.split()[0]) for summary in summaries]
    print("\n" + "\n".join(summaries))
    assert sum(by_process) == ARTICLES
    assert Announcement.objects.count() == ARTICLES
    assert max(received.values()) == 1, "someone got an article twice"
    assert {(to, subject.split(": ", 1)[-1]) for to, subject in received} == expected
    assert len(received) == ARTICLES // 2 * (3 * EACH + 2 * EACH)
    assert not Email.objects.exists()  # delivered reader mail leaves the outbox
