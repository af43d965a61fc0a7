from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """backup_db and restore_db for the SQLite database."""

    name = "sqlite_backups"
    verbose_name = "SQLite backups"
