"""What the outbox keeps beside django-post-office's own models (Email, Attachment, Log)."""

from django.db import models


class Delivery(models.Model):
    """How one queued e-mail is being delivered: what post-office's Email has no field for.

    The message itself (recipients, subject, body, status, when it is next due) stays on
    post-office's Email; outbox/delivery.py claims it there and records each attempt here.
    """

    email = models.OneToOneField(
        "post_office.Email", on_delete=models.CASCADE, primary_key=True, related_name="delivery"
    )
    holds_visitor_data = models.BooleanField(
        default=False,
        help_text="Its body and attachments hold what a visitor wrote or is: erased once sent, "
        "and shown in the admin only to superusers until then.",
    )
    due_since = models.DateTimeField(
        help_text="When it was first due (queued, its scheduled time, or requeued by staff); "
        "failed attempts are retried for 24 hours from then."
    )
    attempts = models.PositiveIntegerField(default=0)
    sending_until = models.DateTimeField(
        null=True, blank=True, help_text="A delivery process has claimed it until then."
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"Delivery of message #{self.email_id}"


class StoredFile(models.Model):
    """The bytes of an attachment, in the database with its message (outbox/storage.py)."""

    name = models.CharField(max_length=255, unique=True)
    content = models.BinaryField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name
