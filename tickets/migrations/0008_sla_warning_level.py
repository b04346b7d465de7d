# Ticket.escalation_level was the SLA monitor's count of warnings, unrelated to the
# Escalation model: renamed to what it is (RenameField keeps the data).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_vip_due_index_counts_executives"),
    ]

    operations = [
        migrations.RenameField(
            model_name="ticket", old_name="escalation_level", new_name="sla_warning_level"
        ),
        migrations.AlterField(
            model_name="ticket",
            name="sla_warning_level",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="SLA warning level"),
        ),
    ]
