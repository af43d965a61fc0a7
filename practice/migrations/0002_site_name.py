from django.db import migrations


class Migration(migrations.Migration):
    """Named the Site row that flatpages needed. Editable pages are the pages app's now, and the
    sites framework is gone, so this no longer does anything; it stays for the history."""

    dependencies = [("practice", "0001_roles")]

    operations = []
