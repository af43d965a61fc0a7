"""A real SMTP server on 127.0.0.1 (aiosmtpd), for the outbox's tests: it records what it
accepts, and can be told to refuse (451), hang up, or take its time first."""

import asyncio
import contextlib
import email
import email.policy
import logging
import threading

from aiosmtpd.controller import Controller

from tools.serving import HOST, free_port

TRY_LATER = "451 4.3.0 Mailbox busy, try again later"


class Handler:
    def __init__(self):
        self.lock = threading.Lock()
        self.accepted = []  # every message accepted, as bytes, in order
        self.refusals = 0  # so many DATA commands are answered "try again later"…
        self.hang_ups = 0  # …and so many (after those) lose the connection
        self.delay = 0.0  # seconds each message takes to accept
        self.attempts = 0  # DATA commands received, accepted or not

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            if self.refusals:
                self.refusals -= 1
                return TRY_LATER
            hang_up = self.hang_ups > 0
            if hang_up:
                self.hang_ups -= 1
        if hang_up:
            server.transport.close()
            return "421 4.3.2 Closing"
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.accepted.append(envelope.content)
        return "250 2.0.0 OK"

    def messages(self):
        """The accepted messages, parsed."""
        with self.lock:
            accepted = list(self.accepted)
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in accepted]


@contextlib.contextmanager
def running_smtp_server():
    """(handler, port) of an SMTP server on a free port, stopped on the way out."""
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname=HOST, port=port, server_hostname="localhost")
    # The server's own log (every line of every message) is not the site's: tests that read
    # the site's log must not find the mail there.
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
        server_log.setLevel(level)
