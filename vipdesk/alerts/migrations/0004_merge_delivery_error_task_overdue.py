from django.db import migrations


class Migration(migrations.Migration):
    """Joins the delivery-failure and overdue-task branches of work."""

    dependencies = [
        ("alerts", "0003_delivery_error"),
        ("alerts", "0003_task_overdue_kind"),
    ]

    operations = []
