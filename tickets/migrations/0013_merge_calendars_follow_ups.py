from django.db import migrations


class Migration(migrations.Migration):
    """Joins the holiday-calendar and follow-up-cadence branches of work."""

    dependencies = [
        ("tickets", "0011_abuse_reports"),
        ("tickets", "0012_breach_indexes"),
    ]

    operations = []
