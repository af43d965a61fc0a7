"""Delivers the outbox. Replaces post-office's command of the same name (outbox comes before
post_office in INSTALLED_APPS), which locks with a file on one machine only; see
outbox/delivery.py for how ours claims each message in the database instead."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from outbox.delivery import FAILED, RETRY, SENT, deliver_due

logger = logging.getLogger("outbox.delivery")


class Command(BaseCommand):
    help = (
        "Send the queued e-mail that is due, once; with --loop, keep doing so every few "
        "seconds until SIGTERM or SIGINT. Any number may run at once, on any number of "
        "machines: each message is sent by one of them only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="keep delivering until stopped (systemd)"
        )
        parser.add_argument(
            "--every",
            type=float,
            default=5.0,
            metavar="SECONDS",
            help="with --loop, how long to wait between passes (default 5)",
        )

    def handle(self, *args, loop, every, **options):
        # SIGTERM or SIGINT: the message being sent is finished and recorded, then we stop.
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if not loop:
            self.stdout.write(summary(deliver_due(should_stop=lambda: bool(stopping))))
            return
        logger.info("Delivering queued mail every %s s until stopped.", every)
        while not stopping:
            close_old_connections()  # a connection past its age or broken is replaced
            try:
                outcomes = deliver_due(should_stop=lambda: bool(stopping))
            except DatabaseError as error:
                logger.error(
                    "Could not read the outbox (%s); trying again in %s s.",
                    type(error).__name__,
                    every,
                )
            else:
                if outcomes:
                    logger.info("Pass done: %s.", summary(outcomes))
            wake_at = time.monotonic() + every
            while not stopping and time.monotonic() < wake_at:
                time.sleep(min(0.2, every))
        logger.info("Stopped delivering mail (signal %s).", stopping[0])


def summary(outcomes):
    return ", ".join(f"{outcomes[outcome]} {outcome}" for outcome in (SENT, RETRY, FAILED))
