from django.db import migrations

from staff.roles import CLINICIANS, FRONT_DESK, grant


def create_roles(apps, schema_editor):
    # Each group's permissions arrive with the models they cover (pages, blog, consultations).
    grant(apps, CLINICIANS, [])
    grant(apps, FRONT_DESK, [])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[CLINICIANS, FRONT_DESK]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
