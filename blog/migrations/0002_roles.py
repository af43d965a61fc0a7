from django.db import migrations

from staff.roles import CLINICIANS, grant

MODELS = ["post", "series", "topic", "author"]


def grant_clinicians(apps, schema_editor):
    grant(
        apps,
        CLINICIANS,
        [
            f"blog.{action}_{model}"
            for model in MODELS
            for action in ("add", "change", "delete", "view")
        ]
        + ["blog.view_historicalpost"],
    )


class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial"), ("practice", "0001_roles")]

    operations = [migrations.RunPython(grant_clinicians, migrations.RunPython.noop)]
