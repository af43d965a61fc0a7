from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, for the practice owner. Nobody can change or delete it here."""

    list_display = ["at", "action", "username", "address", "request_id", "detail"]
    list_filter = ["action", "at"]
    search_fields = ["username", "=request_id", "address"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
