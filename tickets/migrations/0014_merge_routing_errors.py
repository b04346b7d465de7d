from django.db import migrations


class Migration(migrations.Migration):
    """Joins the routing-failure branch of work with the calendars and follow-ups."""

    dependencies = [
        ("tickets", "0009_routing_error"),
        ("tickets", "0013_merge_calendars_follow_ups"),
    ]

    operations = []
