from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# How long a copy nobody saved or discarded is kept on the server.
AUTOSAVE_DAYS = 30


class AutosaveQuerySet(models.QuerySet):
    def expired(self):
        """Copies nobody has touched for AUTOSAVE_DAYS."""
        return self.filter(saved_at__lt=timezone.now() - timedelta(days=AUTOSAVE_DAYS))


class Autosave(models.Model):
    """A clinician's unsaved text, sent by the editor every minute or so while it changes.

    Only a copy: it is never written into the article or page, and is offered back on the page
    it came from. Saving that page deletes it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, help_text="The admin page it was typed on.")
    fields = models.JSONField(help_text="Field name → text, as the form showed it.")
    saved_at = models.DateTimeField()

    objects = AutosaveQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="%(app_label)s_%(class)s_one_per_user_and_page"
            )
        ]

    def __str__(self):
        return f"{self.user} on {self.key} at {self.saved_at:%Y-%m-%d %H:%M}"
