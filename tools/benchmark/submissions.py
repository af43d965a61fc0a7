"""Many visitors send the consultation form at the same moment, each from its own address;
the rows are then counted in the database, and deleted (the data set stays as generated)."""

import contextlib
import ipaddress
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from tools.benchmark.common import PROXY_HEADERS, SUBMITTER, BenchError, percentile
from tools.serving import (
    FORM_PATH,
    REQUEST_TIMEOUT,
    Forms,
    HttpClient,
    consultation_fields,
    simultaneously,
    thanked,
)


def submit_forms(server, count, min_fill_seconds, run_id):
    """`count` visitors, each from its own address, fetch the form, wait as long as a person
    must, then all send it at the same moment. A 302 to the thank-you page means it landed."""

    def open_form(number):
        # Its address goes in X-Forwarded-For, the server's DJANGO_CLIENT_IP_HEADER.
        visitor = HttpClient(
            address=str(ipaddress.IPv4Address("10.0.0.1") + number), headers=PROXY_HEADERS
        )
        response = visitor.get(server, FORM_PATH)
        if response.status != 200:
            raise BenchError(f"GET {FORM_PATH} answered {response.status}")
        hidden = dict(Forms(response.body).with_field("form_token"))
        name, phone = f"{SUBMITTER} {run_id} {number:03d}", f"(555) 010-{number:04d}"
        fields = consultation_fields(
            hidden, name, phone, "Sent by make bench.", best_times=("morning",)
        )
        return visitor, fields

    with ThreadPoolExecutor(max_workers=16) as pool:
        forms = list(pool.map(open_form, range(count), timeout=3 * REQUEST_TIMEOUT))
    time.sleep(min_fill_seconds + 0.5)  # the newest form was shown just now

    def send(visitor, fields):
        started = time.perf_counter()
        try:
            response = visitor.post(server, FORM_PATH, fields)
            landed = thanked(response)
            outcome = f"{response.status} {response.headers.get('location', '')}"
        except OSError as error:
            landed, outcome = False, f"0 {type(error).__name__}: {error}"
        return landed, outcome, time.perf_counter() - started

    started = time.perf_counter()
    results = simultaneously([partial(send, visitor, fields) for visitor, fields in forms])
    wall = time.perf_counter() - started
    latencies = [seconds for *_, seconds in results]
    other = sorted({outcome for landed, outcome, _ in results if not landed})
    return {
        "sent": count,
        "thanked": sum(landed for landed, *_ in results),
        "other_responses": other[:10],
        "wall_s": wall,
        "p50_s": percentile(latencies, 50),
        "p99_s": percentile(latencies, 99),
        "max_s": max(latencies),
    }


def stored_submissions(database, run_id):
    """(rows, distinct tokens) the submission test stored, straight from the SQLite file."""
    with contextlib.closing(sqlite3.connect(database, timeout=20)) as connection:
        return connection.execute(
            "SELECT count(*), count(DISTINCT submission_token) "
            "FROM consultations_consultationrequest WHERE name LIKE ?",
            [f"{SUBMITTER} {run_id} %"],
        ).fetchone()


def delete_submissions(database):
    with contextlib.closing(sqlite3.connect(database, timeout=20)) as connection, connection:
        connection.execute(
            "DELETE FROM consultations_consultationrequest WHERE name LIKE ?", [f"{SUBMITTER} %"]
        )
