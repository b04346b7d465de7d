from django.db import migrations


class Migration(migrations.Migration):
    """Joins the dated-history/risk-band and the relationship-cadence branches of work."""

    dependencies = [
        ("accounts", "0008_risk_bands"),
        ("accounts", "0009_sponsor_summary"),
    ]

    operations = []
