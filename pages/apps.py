from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Editable pages (About, Services, FAQ, Fees, …), written in Markdown like articles."""

    name = "pages"
    verbose_name = "Editable pages"

    def ready(self):
        from images.sizes import on_sizes_made
        from page_cache.versions import watch

        from .stored_images import offer_new_sizes

        watch(self.get_model("Page"))
        on_sizes_made(offer_new_sizes)  # pages store their HTML: make_image_sizes renews it
