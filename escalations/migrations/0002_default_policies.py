"""SPEC defaults: severity SLAs and the escalation matrix."""

from django.db import migrations

HOUR = 60
DAY = 24 * HOUR
SEVERITY = [
    ("critical", 1 * HOUR, 1 * DAY),
    ("high", 4 * HOUR, 2 * DAY),
    ("medium", 8 * HOUR, 5 * DAY),
    ("low", 24 * HOUR, 10 * DAY),
]
MATRIX = [
    ("critical", 0, "CSM + Manager"),
    ("critical", 1, "VP CS + VP Eng"),
    ("critical", 2, "CRO + CTO"),
    ("high", 0, "CSM"),
    ("high", 1, "CS Manager"),
    ("high", 2, "VP CS"),
    ("medium", 0, "CSM"),
    ("medium", 1, "CS Manager"),
    ("low", 0, "CSM"),
]


def load(apps, schema_editor):
    SeverityPolicy = apps.get_model("escalations", "SeverityPolicy")
    for severity, response, resolution in SEVERITY:
        SeverityPolicy.objects.update_or_create(
            severity=severity,
            defaults=dict(response_minutes=response, resolution_minutes=resolution),
        )
    Level = apps.get_model("escalations", "EscalationMatrixLevel")
    for severity, level, owners in MATRIX:
        Level.objects.update_or_create(severity=severity, level=level,
                                       defaults=dict(owners=owners))


class Migration(migrations.Migration):
    dependencies = [("escalations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
