from django.conf import settings
from django.db import models
from django.db.models import Q


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out after failed sign-ins"
    SIGN_OUT = "sign_out", "Signed out"
    TWO_FACTOR_FAILED = "two_factor_failed", "Two-factor code refused"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor sign-in set up"
    VIEW_REQUEST = "view_request", "Viewed request"
    CHANGE_REQUEST = "change_request", "Changed request"
    EXPORT_REQUEST = "export_request", "Exported request"
    DELETE_REQUEST = "delete_request", "Deleted request"
    PURGE_REQUEST = "purge_request", "Deleted request (retention)"
    MERGE_REQUEST = "merge_request", "Merged request into an older one"
    UNMERGE_REQUEST = "unmerge_request", "Undid a merge of requests"


class AuditEvent(models.Model):
    """Who did what, when and from where. Never what a visitor wrote: only request numbers."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The name typed at a failed sign-in, or the user's name at the time.
    username = models.CharField(max_length=150, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    # A plain number rather than a foreign key, so the trail outlives the request.
    request_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values),
                name="%(app_label)s_%(class)s_action_valid",
            )
        ]

    def __str__(self):
        who = self.username or "someone"
        return f"{self.get_action_display()} by {who} at {self.at:%Y-%m-%d %H:%M}"
