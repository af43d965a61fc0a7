from django.core.exceptions import ValidationError
from django.db import migrations
from django.utils.html import linebreaks

from editor.markdown import stored_html  # today's renderer, as any later save would use
from staff.roles import CLINICIANS, grant

FLATPAGES = "django_flatpage"


def pages_from_flatpages(apps, schema_editor):
    """Carry every page over from Django's flatpages, which this app replaces: same address
    (/pages/about/ was the flatpage "/about/"), title and text; "registration required" becomes
    staff-only. The old tables are left as they are."""
    connection = schema_editor.connection
    if FLATPAGES not in connection.introspection.table_names():
        return  # a new site: there never were flatpages
    Page = apps.get_model("pages", "Page")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT url, title, content, registration_required FROM {FLATPAGES} ORDER BY id"  # noqa: S608 - a constant
        )
        rows = cursor.fetchall()
    for url, title, content, registration_required in rows:
        address = url.strip("/")
        if not address or Page.objects.filter(address=address).exists():
            continue
        Page.objects.create(
            address=address,
            title=title,
            body=content,
            body_html=_html(content),
            staff_only=bool(registration_required),
        )


def _html(content):
    try:
        return stored_html(content)
    except ValidationError:  # past the editor's limits: shown as plain text until edited
        return linebreaks(content, autoescape=True)


def grant_clinicians(apps, schema_editor):
    grant(
        apps,
        CLINICIANS,
        [f"pages.{action}_page" for action in ("add", "change", "delete", "view")]
        + ["pages.view_historicalpage"],
    )


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial"), ("practice", "0001_roles")]

    operations = [
        migrations.RunPython(pages_from_flatpages, migrations.RunPython.noop),
        migrations.RunPython(grant_clinicians, migrations.RunPython.noop),
    ]
