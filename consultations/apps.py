from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Consultations"

    def ready(self):
        from . import abuse

        # A mistyped limit stops the site at start-up, not each visitor's request later.
        abuse.rate_limit()
