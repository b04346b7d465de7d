"""Defaults for post-mortems and drafts: the policy rows, the root-cause taxonomy and
the resolution timeline's checkpoint spacing (Critical daily, High every 2 days,
Medium every 3, Low weekly)."""

from django.db import migrations

CATEGORIES = [
    "Product defect",
    "Monitoring gap",
    "Handoff",
    "Expectation mismatch",
    "Capacity",
    "Configuration change",
    "Third-party dependency",
    "Process gap",
]
CHECKPOINT_DAYS = {"critical": 1, "high": 2, "medium": 3, "low": 7}


def load(apps, schema_editor):
    apps.get_model("escalations", "PostMortemPolicy").objects.get_or_create(pk=1)
    apps.get_model("escalations", "DraftPolicy").objects.get_or_create(pk=1)
    Category = apps.get_model("escalations", "RootCauseCategory")
    for name in CATEGORIES:
        Category.objects.get_or_create(name=name)
    SeverityPolicy = apps.get_model("escalations", "SeverityPolicy")
    for severity, days in CHECKPOINT_DAYS.items():
        SeverityPolicy.objects.filter(severity=severity).update(checkpoint_days=days)


class Migration(migrations.Migration):
    dependencies = [("escalations", "0007_post_mortems_and_drafts")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
