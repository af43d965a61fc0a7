from django.conf import settings
from django.db import migrations


def name_the_site(apps, schema_editor):
    # Flatpages need a Site row; give it the practice's name instead of "example.com".
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        id=settings.SITE_ID,
        defaults={"name": settings.PRACTICE_NAME, "domain": settings.ALLOWED_HOSTS[0]},
    )


class Migration(migrations.Migration):
    dependencies = [("practice", "0001_roles"), ("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
