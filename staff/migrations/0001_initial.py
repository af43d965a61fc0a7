import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ACTIONS = [
    "sign_in",
    "sign_in_failed",
    "locked_out",
    "sign_out",
    "two_factor_failed",
    "two_factor_enrolled",
    "view_request",
    "change_request",
    "export_request",
    "delete_request",
    "purge_request",
]


class Migration(migrations.Migration):
    """The audit trail, moved here from the practice app: this takes over its table (made by
    practice/migrations/0003_audit_events.py) as it is, then gives it this app's names."""

    initial = True

    dependencies = [
        ("practice", "0003_audit_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("sign_in", "Signed in"),
                                    ("sign_in_failed", "Sign-in failed"),
                                    ("locked_out", "Locked out after failed sign-ins"),
                                    ("sign_out", "Signed out"),
                                    ("two_factor_failed", "Two-factor code refused"),
                                    ("two_factor_enrolled", "Two-factor sign-in set up"),
                                    ("view_request", "Viewed request"),
                                    ("change_request", "Changed request"),
                                    ("export_request", "Exported request"),
                                    ("delete_request", "Deleted request"),
                                    ("purge_request", "Deleted request (retention)"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("username", models.CharField(blank=True, max_length=150)),
                        ("address", models.GenericIPAddressField(blank=True, null=True)),
                        (
                            "request_id",
                            models.PositiveBigIntegerField(blank=True, db_index=True, null=True),
                        ),
                        ("detail", models.CharField(blank=True, max_length=200)),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "practice_auditevent",
                        "ordering": ["-at", "-pk"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "action__in",
                                        [
                                            "sign_in",
                                            "sign_in_failed",
                                            "locked_out",
                                            "sign_out",
                                            "two_factor_failed",
                                            "two_factor_enrolled",
                                            "view_request",
                                            "change_request",
                                            "export_request",
                                            "delete_request",
                                            "purge_request",
                                        ],
                                    )
                                ),
                                name="practice_auditevent_action_valid",
                            )
                        ],
                    },
                ),
            ]
        ),
        migrations.AlterModelTable(name="auditevent", table=None),
        migrations.RemoveConstraint(model_name="auditevent", name="practice_auditevent_action_valid"),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(action__in=ACTIONS), name="staff_auditevent_action_valid"
            ),
        ),
    ]
