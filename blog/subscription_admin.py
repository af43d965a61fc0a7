"""Readers' e-mail in the admin. Who subscribes reveals an interest in treatment: only the
practice owner (a superuser) sees addresses, in a list with no export; other staff see counts
on the admin home (blog/templatetags/reader_mail_admin.py)."""

from django.contrib import admin
from django.db.models import Count, Q

from . import subscriptions
from .models import Subscriber


class ConfirmedFilter(admin.SimpleListFilter):
    title = "confirmed"
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", "Confirmed"), ("no", "Waiting for confirmation")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.confirmed()
        if self.value() == "no":
            return queryset.unconfirmed()
        return queryset


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "subscribed_to", "confirmed_at", "asked_at"]
    list_filter = [ConfirmedFilter, "series"]
    search_fields = ["email"]
    list_select_related = ["series"]
    actions = ["delete_selected"]
    readonly_fields = ["email", "series", "asked_at", "confirmed_at"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False  # readers subscribe themselves, and confirm

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        subscriptions.remove(Subscriber.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        subscriptions.remove(queryset)


def counts():
    """Subscriptions per series and for new articles, confirmed and waiting: what staff see."""
    rows = (
        Subscriber.objects.values("series__title")
        .annotate(
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            waiting=Count("pk", filter=Q(confirmed_at__isnull=True)),
        )
        .order_by("series__title")
    )
    return [
        {
            "subscribed_to": f"“{row['series__title']}”"
            if row["series__title"]
            else "new articles",
            "confirmed": row["confirmed"],
            "waiting": row["waiting"],
        }
        for row in rows
    ]
