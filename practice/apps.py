from django.apps import AppConfig


class PracticeConfig(AppConfig):
    """The project itself: the home page, the health check, the page shell and demo content."""

    name = "practice"
    verbose_name = "Practice"
