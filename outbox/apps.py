from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Mail that is never lost: queued with the change that causes it, delivered exactly once."""

    name = "outbox"
    verbose_name = "Outgoing mail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from post_office.signals import email_queued

        from . import checks, delivery  # noqa: F401 - checks registers the deployment check

        email_queued.connect(delivery.deliver_after_commit, dispatch_uid="outbox-after-commit")
