import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def keep_live_articles_live(apps, schema_editor):
    """Nothing disappears on upgrade: articles live now stay live, waiting for their first review
    (no review line until one is recorded); what each was last changed is its last update."""
    Post = apps.get_model("blog", "Post")
    Post.objects.filter(published_at__lte=timezone.now()).update(is_approved=True)
    Post.objects.update(content_changed_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0006_old_addresses_in_one_model"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="author",
            name="license_number",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="author",
            name="license_type",
            field=models.CharField(
                blank=True,
                help_text="As the license names it, e.g. “Licensed Clinical Social Worker (LCSW)”. Several states require it on any advertising, websites included.",
                max_length=60,
            ),
        ),
        migrations.AddField(
            model_name="author",
            name="licensed_states",
            field=models.CharField(
                blank=True,
                help_text="The states where the license is valid, e.g. “Oregon, Washington”.",
                max_length=200,
                verbose_name="licensed in",
            ),
        ),
        migrations.AddField(
            model_name="historicalpost",
            name="content_changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="historicalpost",
            name="content_note",
            field=models.CharField(
                blank=True,
                help_text="Optional. Shown before the text, e.g. “This article talks about suicide.” When it mentions suicide or self-harm, the crisis line is shown with it.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="historicalpost",
            name="is_approved",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="A second clinician approved it, so it may be public.",
                verbose_name="approved",
            ),
        ),
        migrations.AddField(
            model_name="historicalpost",
            name="review_by",
            field=models.DateField(
                blank=True,
                help_text="When it is due for its next review (set when it is approved).",
                null=True,
                verbose_name="review by",
            ),
        ),
        migrations.AddField(
            model_name="historicalpost",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalpost",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalpost",
            name="unpublish_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Optional. From this time the article leaves every list, feed and series, and its address says it is no longer available (for notices that expire).",
                null=True,
                verbose_name="take down at",
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="content_changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="content_note",
            field=models.CharField(
                blank=True,
                help_text="Optional. Shown before the text, e.g. “This article talks about suicide.” When it mentions suicide or self-harm, the crisis line is shown with it.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="is_approved",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="A second clinician approved it, so it may be public.",
                verbose_name="approved",
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="review_by",
            field=models.DateField(
                blank=True,
                help_text="When it is due for its next review (set when it is approved).",
                null=True,
                verbose_name="review by",
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="post",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="reviewed_posts",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="unpublish_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Optional. From this time the article leaves every list, feed and series, and its address says it is no longer available (for notices that expire).",
                null=True,
                verbose_name="take down at",
            ),
        ),
        migrations.RunPython(keep_live_articles_live, migrations.RunPython.noop),
    ]
