import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import consultations.models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0002_roles"),
        ("post_office", "0014_alter_email_recipient_delivery_status_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CallTaker",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "calendar_token",
                    models.CharField(
                        default=consultations.models.new_calendar_token, max_length=64, unique=True
                    ),
                ),
            ],
            options={
                "verbose_name": "call hours",
                "verbose_name_plural": "call hours",
                "ordering": ["user__first_name", "user__username"],
            },
        ),
        migrations.CreateModel(
            name="TimeOff",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="first day")),
                ("ends_on", models.DateField(verbose_name="last day")),
                (
                    "note",
                    models.CharField(blank=True, help_text="e.g. Thanksgiving.", max_length=100),
                ),
            ],
            options={
                "verbose_name": "time off",
                "verbose_name_plural": "time off",
                "ordering": ["starts_on"],
            },
        ),
        migrations.CreateModel(
            name="WeeklyHours",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ]
                    ),
                ),
                ("starts", models.TimeField(verbose_name="from")),
                ("ends", models.TimeField(verbose_name="to")),
            ],
            options={
                "verbose_name": "weekly hours",
                "verbose_name_plural": "weekly hours (in the practice's time zone)",
                "ordering": ["weekday", "starts"],
            },
        ),
        migrations.AddField(
            model_name="consultationrequest",
            name="call_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="call booked for"
            ),
        ),
        migrations.AddField(
            model_name="consultationrequest",
            name="call_sequence",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="consultationrequest",
            name="reminder",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                to="post_office.email",
            ),
        ),
        migrations.AddConstraint(
            model_name="consultationrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("call_at__isnull", False)),
                fields=("assigned_to", "call_at"),
                name="consultations_consultationrequest_one_call_at_a_time",
                violation_error_message="That person already has a call booked at this time.",
            ),
        ),
        migrations.AddConstraint(
            model_name="consultationrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("call_at__isnull", True), ("assigned_to__isnull", False), _connector="OR"
                ),
                name="consultations_consultationrequest_booked_call_has_someone",
            ),
        ),
        migrations.AddField(
            model_name="calltaker",
            name="user",
            field=models.OneToOneField(
                limit_choices_to={"is_active": True, "is_staff": True},
                on_delete=django.db.models.deletion.CASCADE,
                related_name="call_taker",
                to=settings.AUTH_USER_MODEL,
                verbose_name="staff member",
            ),
        ),
        migrations.AddField(
            model_name="timeoff",
            name="taker",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="time_off",
                to="consultations.calltaker",
            ),
        ),
        migrations.CreateModel(
            name="Closure",
            fields=[],
            options={
                "verbose_name": "practice closure",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("consultations.timeoff",),
        ),
        migrations.AddField(
            model_name="weeklyhours",
            name="taker",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="weekly_hours",
                to="consultations.calltaker",
            ),
        ),
        migrations.AddConstraint(
            model_name="timeoff",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                name="consultations_timeoff_ends_on_or_after_it_starts",
                violation_error_message="The last day cannot come before the first.",
            ),
        ),
        migrations.AddConstraint(
            model_name="weeklyhours",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends__gt", models.F("starts"))),
                name="consultations_weeklyhours_ends_after_it_starts",
                violation_error_message="The hours must end after they start.",
            ),
        ),
        migrations.AddConstraint(
            model_name="weeklyhours",
            constraint=models.CheckConstraint(
                condition=models.Q(("weekday__gte", 0), ("weekday__lte", 6)),
                name="consultations_weeklyhours_weekday_valid",
            ),
        ),
    ]
