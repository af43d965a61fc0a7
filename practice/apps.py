from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.flatpages import apps as flatpages_apps


class PracticeConfig(AppConfig):
    """Site-wide pieces: roles, demo content, the health check and the page shell."""

    default = True  # the other configs here are named in INSTALLED_APPS explicitly
    name = "practice"
    verbose_name = "Practice"

    def ready(self):
        from . import audit  # noqa: F401 - connects the sign-in signal receivers
        from .page_cache import watch_content

        watch_content()


class PagesConfig(flatpages_apps.FlatPagesConfig):
    """Django's flatpages, named as staff know them."""

    verbose_name = "Editable pages"


class PracticeAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that asks staff for a second factor."""

    default = False
    default_site = "practice.admin_site.PracticeAdminSite"
