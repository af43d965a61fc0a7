from django.db import migrations

from staff.roles import CLINICIANS, FRONT_DESK, grant

# Both roles see queued and sent mail (bodies of visitor mail stay hidden: outbox/admin.py), how
# each attempt went, and can requeue what failed.
MAIL = ["post_office.view_email", "post_office.view_log"]


def grant_mail(apps, schema_editor):
    grant(apps, CLINICIANS, MAIL)
    grant(apps, FRONT_DESK, MAIL)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("post_office", "0014_alter_email_recipient_delivery_status_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_mail, migrations.RunPython.noop)]
