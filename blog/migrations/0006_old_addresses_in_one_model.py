from django.db import migrations, models


def slugs_to_paths(apps, schema_editor):
    """Each old slug becomes the old address it was, /blog/<slug>, beside the imported ones."""
    OldSlug = apps.get_model("blog", "OldSlug")
    OldPath = apps.get_model("blog", "OldPath")
    for old in OldSlug.objects.all():
        OldPath.objects.get_or_create(path=f"/blog/{old.slug}", defaults={"post_id": old.post_id})


def paths_to_slugs(apps, schema_editor):
    OldSlug = apps.get_model("blog", "OldSlug")
    OldPath = apps.get_model("blog", "OldPath")
    for old in OldPath.objects.filter(path__regex=r"^/blog/[-a-zA-Z0-9_]+$"):
        OldSlug.objects.get_or_create(slug=old.path.removeprefix("/blog/"), post_id=old.post_id)
        old.delete()


class Migration(migrations.Migration):
    dependencies = [("blog", "0005_import_link_and_limits")]

    operations = [
        migrations.RunPython(slugs_to_paths, paths_to_slugs),
        migrations.DeleteModel(name="OldSlug"),
        migrations.AlterField(
            model_name="oldpath",
            name="path",
            field=models.CharField(
                help_text="The old address without the domain, e.g. /blog/old-slug, "
                "/2024/05/03/coping-with-worry or /?p=123. With or without a slash at the end, it "
                "is the same address.",
                max_length=500,
                unique=True,
            ),
        ),
    ]
