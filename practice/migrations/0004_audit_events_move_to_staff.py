from django.db import migrations


class Migration(migrations.Migration):
    """The audit trail belongs to the staff app now (staff/migrations/0001_initial.py takes over
    the same table); only Django's record of the model leaves here."""

    dependencies = [("practice", "0003_audit_events"), ("staff", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("AuditEvent")])
    ]
