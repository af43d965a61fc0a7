from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffConfig(AppConfig):
    """Staff sign-in (two-step), roles and passwords, and the audit trail."""

    default = True  # StaffAdminConfig below is named in INSTALLED_APPS explicitly
    name = "staff"
    verbose_name = "Staff"

    def ready(self):
        from . import audit  # noqa: F401 - connects the sign-in signal receivers


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that asks staff for a second factor."""

    default = False
    default_site = "staff.admin_site.PracticeAdminSite"
