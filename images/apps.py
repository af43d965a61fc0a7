from django.apps import AppConfig


class ImagesConfig(AppConfig):
    """Uploaded images: checked and re-encoded on the way in, served safely on the way out."""

    name = "images"
    verbose_name = "Images"
