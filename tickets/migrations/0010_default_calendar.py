"""The hours and holidays entered so far become the default calendar's."""

from django.db import migrations


def load(apps, schema_editor):
    SupportCalendar = apps.get_model("tickets", "SupportCalendar")
    default, _ = SupportCalendar.objects.get_or_create(
        is_default=True, defaults={"name": "Default"}
    )
    for name in ("BusinessHours", "Holiday"):
        apps.get_model("tickets", name).objects.filter(calendar=None).update(calendar=default)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0009_support_calendars")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
