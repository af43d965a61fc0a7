from django.apps import AppConfig
from django.contrib.flatpages.apps import FlatPagesConfig


class PracticeConfig(AppConfig):
    """Site-wide pieces: roles, demo content, the health check and the page shell."""

    name = "practice"
    verbose_name = "Practice"


class PagesConfig(FlatPagesConfig):
    """Django's flatpages, named as staff know them."""

    verbose_name = "Editable pages"
