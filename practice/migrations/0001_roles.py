from django.db import migrations

from practice.roles import CLINICIANS, FRONT_DESK, grant


def create_roles(apps, schema_editor):
    grant(
        apps,
        CLINICIANS,
        [f"flatpages.{action}_flatpage" for action in ("add", "change", "delete", "view")],
    )
    # Front desk's permissions arrive with the consultation requests.
    grant(apps, FRONT_DESK, [])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[CLINICIANS, FRONT_DESK]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("flatpages", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
