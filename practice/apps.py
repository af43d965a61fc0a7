from django.apps import AppConfig


class PracticeConfig(AppConfig):
    """Site-wide pieces: roles, demo content, the health check and the page shell."""

    name = "practice"
    verbose_name = "Practice"
