from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Mail that is never lost: queued with the change that causes it, delivered exactly once."""

    name = "outbox"
    verbose_name = "Outgoing mail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import pre_delete
        from post_office.models import Email
        from post_office.signals import email_queued

        from . import checks, delivery  # noqa: F401 - checks registers the deployment check

        email_queued.connect(delivery.deliver_after_commit, dispatch_uid="outbox-after-commit")
        pre_delete.connect(
            delivery.attachments_go_with_their_message,
            sender=Email,
            dispatch_uid="outbox-attachments",
        )
