import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import editor.markdown


def link_imported_posts(apps, schema_editor):
    """The export's post id moves from the old addresses onto the article they lead to."""
    OldPath = apps.get_model("blog", "OldPath")
    Post = apps.get_model("blog", "Post")
    posts, sources = set(), set()  # one source per article, one article per source
    for post_id, source in OldPath.objects.exclude(source="").values_list("post", "source"):
        if post_id not in posts and source not in sources:
            Post.objects.filter(pk=post_id).update(imported_from=source)
            posts.add(post_id)
            sources.add(source)


def unlink_imported_posts(apps, schema_editor):
    OldPath = apps.get_model("blog", "OldPath")
    Post = apps.get_model("blog", "Post")
    for post_id, source in Post.objects.exclude(imported_from="").values_list(
        "pk", "imported_from"
    ):
        OldPath.objects.filter(post=post_id).update(source=source)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0004_post_published_series_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalpost",
            name="imported_from",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The old site and this article's id in its export, set by import_wordpress: importing that export again updates this article, and no other.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="imported_from",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The old site and this article's id in its export, set by import_wordpress: importing that export again updates this article, and no other.",
                max_length=200,
            ),
        ),
        migrations.RunPython(link_imported_posts, unlink_imported_posts),
        migrations.RemoveField(
            model_name="oldpath",
            name="source",
        ),
        migrations.AlterField(
            model_name="historicalpost",
            name="author",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                error_messages={
                    "invalid": "Only people with an author profile can be credited. Add one under Blog → Authors (their name as readers should see it), or choose someone else."
                },
                help_text="Only people with an author profile (Blog → Authors) can be credited.",
                limit_choices_to={"author_profile__isnull": False},
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="historicalpost",
            name="body",
            field=models.TextField(
                help_text="Markdown. The preview below the editor shows exactly what visitors will see. Drag an image into the editor to upload it.",
                validators=[editor.markdown.validate_markdown],
            ),
        ),
        migrations.AlterField(
            model_name="post",
            name="author",
            field=models.ForeignKey(
                error_messages={
                    "invalid": "Only people with an author profile can be credited. Add one under Blog → Authors (their name as readers should see it), or choose someone else."
                },
                help_text="Only people with an author profile (Blog → Authors) can be credited.",
                limit_choices_to={"author_profile__isnull": False},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="posts",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="post",
            name="body",
            field=models.TextField(
                help_text="Markdown. The preview below the editor shows exactly what visitors will see. Drag an image into the editor to upload it.",
                validators=[editor.markdown.validate_markdown],
            ),
        ),
        migrations.AlterField(
            model_name="series",
            name="description",
            field=models.TextField(
                blank=True,
                help_text="Markdown. Shown at the top of the series page.",
                validators=[editor.markdown.validate_markdown],
            ),
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.UniqueConstraint(
                condition=models.Q(("imported_from", ""), _negated=True),
                fields=("imported_from",),
                name="blog_post_imported_once",
            ),
        ),
    ]
