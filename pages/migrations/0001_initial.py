
import django.core.validators
import django.db.models.deletion
import editor.markdown
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Page',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('address', models.CharField(help_text='Where the page lives: about is shown at /pages/about/.', max_length=100, unique=True, validators=[django.core.validators.RegexValidator('^[\\w.~-]+(/[\\w.~-]+)*$', 'Use letters, numbers and dashes, with / between parts: about, or fees/insurance.')])),
                ('body', models.TextField(blank=True, help_text='Markdown. The preview below the editor shows exactly what visitors will see.', validators=[editor.markdown.validate_markdown])),
                ('body_html', models.TextField(default='', editable=False)),
                ('staff_only', models.BooleanField(default=False, help_text='For pages such as a staff handbook: visitors are asked to sign in, and the page is left out of the sitemap.', verbose_name='only for signed-in staff')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['address'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalPage',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('address', models.CharField(db_index=True, help_text='Where the page lives: about is shown at /pages/about/.', max_length=100, validators=[django.core.validators.RegexValidator('^[\\w.~-]+(/[\\w.~-]+)*$', 'Use letters, numbers and dashes, with / between parts: about, or fees/insurance.')])),
                ('body', models.TextField(blank=True, help_text='Markdown. The preview below the editor shows exactly what visitors will see.', validators=[editor.markdown.validate_markdown])),
                ('staff_only', models.BooleanField(default=False, help_text='For pages such as a staff handbook: visitors are asked to sign in, and the page is left out of the sitemap.', verbose_name='only for signed-in staff')),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical page',
                'verbose_name_plural': 'historical pages',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]
