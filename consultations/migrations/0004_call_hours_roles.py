from django.db import migrations

from staff.roles import CLINICIANS, FRONT_DESK, grant

# Both roles take calls: each keeps their own hours and time off (the admin shows everyone only
# their own; the owner sees all, and sets practice closures).
CALL_HOURS = [
    f"consultations.{action}_{model}"
    for model in ("calltaker", "weeklyhours", "timeoff")
    for action in ("add", "change", "delete", "view")
]


def grant_call_hours(apps, schema_editor):
    grant(apps, FRONT_DESK, CALL_HOURS)
    grant(apps, CLINICIANS, CALL_HOURS)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0003_booking"), ("practice", "0001_roles")]

    operations = [migrations.RunPython(grant_call_hours, migrations.RunPython.noop)]
