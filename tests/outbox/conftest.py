import pytest

from tests.support.smtp_server import running_smtp_server


@pytest.fixture
def smtp_server():
    """A real SMTP server's handler (tests/support/smtp_server.py); `port` is where it listens."""
    with running_smtp_server() as (handler, port):
        handler.port = port
        yield handler


@pytest.fixture
def delivered_by_smtp(settings, smtp_server):
    """The outbox delivers to `smtp_server` (plain SMTP, no TLS), as production to its own."""
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
    }
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    return smtp_server
