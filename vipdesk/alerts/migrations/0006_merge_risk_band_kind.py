from django.db import migrations


class Migration(migrations.Migration):
    """Joins the risk-band alert kind with the other alert kinds added alongside it."""

    dependencies = [
        ("alerts", "0003_risk_band_kind"),
        ("alerts", "0005_alert_kinds_job_stale_and_task_overdue"),
    ]

    operations = []
