from django.apps import AppConfig


class ImagesConfig(AppConfig):
    """Uploaded images: checked and re-encoded on the way in, served safely on the way out."""

    name = "images"
    verbose_name = "Images"

    def ready(self):
        from django.core.signals import setting_changed

        from .sizes import forget_known_sizes

        # Tests point MEDIA_ROOT elsewhere: the copies found under the old one are not there.
        setting_changed.connect(forget_known_sizes, dispatch_uid="images-forget-known-sizes")
