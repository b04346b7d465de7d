# Alert moved here from the tickets app. The table and its rows are kept: the model
# is created in the migration state only (it already exists as tickets_alert), then
# the table is renamed to this app's name; tickets.0005 drops it from tickets' state.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_board_indexes"),
        ("tickets", "0004_queue_sla_due_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Alert",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("vip_ticket", "VIP P2+ ticket"), ("churn_language", "Churn language"), ("executive_contact", "Executive contact"), ("possible_vip", "Possible VIP — verify identity"), ("sla_warning", "SLA about to breach"), ("sla_breach", "SLA breached"), ("risk_threshold", "Risk threshold crossed"), ("escalation", "Escalation"), ("weekly_report", "Weekly VIP health report")], max_length=30)),
                        ("dedupe_key", models.CharField(max_length=200)),
                        ("title", models.CharField(max_length=300)),
                        ("body", models.TextField(blank=True)),
                        ("link", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                        ("emailed_at", models.DateTimeField(blank=True, null=True)),
                        ("slack_posted_at", models.DateTimeField(blank=True, null=True)),
                        ("account", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to="accounts.account")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="alerts", to=settings.AUTH_USER_MODEL)),
                        ("ticket", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to="tickets.ticket")),
                    ],
                    options={
                        "ordering": ["-created_at"],
                        "db_table": "tickets_alert",
                        "indexes": [models.Index(fields=["user", "read_at"], name="alert_unread_idx")],
                        "constraints": [models.UniqueConstraint(fields=("user", "dedupe_key"), name="alert_once_per_user")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="alert", table=None),
    ]
