from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Editable pages (About, Services, FAQ, Fees, …), written in Markdown like articles."""

    name = "pages"
    verbose_name = "Editable pages"

    def ready(self):
        from page_cache.versions import watch

        watch(self.get_model("Page"))
