from django.conf import settings
from django.core import checks
from post_office.settings import get_backend

CONSOLE = "django.core.mail.backends.console.EmailBackend"


@checks.register("outbox", deploy=True)
def mail_is_sent_in_production(app_configs, **kwargs):
    """Without DJANGO_EMAIL_HOST, mail is printed to the log: fine locally, not in production,
    where it would put visitor data (a booking confirmation, say) in the log."""
    if settings.DEBUG or get_backend("default") != CONSOLE:
        return []
    return [
        checks.Warning(
            "E-mail is printed to the console log instead of being sent.",
            hint="Set DJANGO_EMAIL_HOST (and the other DJANGO_EMAIL_* settings) to an SMTP server.",
            id="outbox.W001",
        )
    ]
