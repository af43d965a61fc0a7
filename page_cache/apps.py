from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PageCacheConfig(AppConfig):
    """Whole public pages, shared by every worker and server, never stale."""

    name = "page_cache"
    verbose_name = "Page cache"

    def ready(self):
        from .versions import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="page-cache-migrate")
