from django.db import migrations

from staff.roles import CLINICIANS, FRONT_DESK, grant

# Both roles handle requests; neither deletes them (that is the retention command's job).
TRIAGE = [
    "consultations.view_consultationrequest",
    "consultations.change_consultationrequest",
    "consultations.view_contactlogentry",
    "consultations.add_contactlogentry",
]


def grant_triage(apps, schema_editor):
    grant(apps, FRONT_DESK, TRIAGE)
    grant(apps, CLINICIANS, TRIAGE)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial"), ("practice", "0001_roles")]

    operations = [migrations.RunPython(grant_triage, migrations.RunPython.noop)]
