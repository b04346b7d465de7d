# Alert now lives in vipdesk.alerts (its migration 0001 took over the table).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_queue_sla_due_index"),
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Alert")],
            database_operations=[],
        ),
    ]
