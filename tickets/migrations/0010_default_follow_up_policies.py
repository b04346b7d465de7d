"""SPEC defaults ("VIP follow-up cadence"): every VIP ticket gets a follow-up check
24 h after its first response; Tier 1 a personal call within 24 h of resolution;
Tier 1–2 a resolution summary e-mail within 2 h. Tier 1 runs 24/7, Tiers 2–3 on
business hours, as their SLAs do."""

from django.db import migrations

HOUR = 60

# kind, tier, minutes, calendar
FOLLOW_UPS = [
    ("follow_up_check", 1, 24 * HOUR, "24x7"),
    ("follow_up_check", 2, 24 * HOUR, "business"),
    ("follow_up_check", 3, 24 * HOUR, "business"),
    ("personal_call", 1, 24 * HOUR, "24x7"),
    ("resolution_summary", 1, 2 * HOUR, "24x7"),
    ("resolution_summary", 2, 2 * HOUR, "business"),
]


def load(apps, schema_editor):
    FollowUpPolicy = apps.get_model("tickets", "FollowUpPolicy")
    for kind, tier, minutes, calendar in FOLLOW_UPS:
        FollowUpPolicy.objects.get_or_create(
            kind=kind, tier=tier, defaults=dict(due_within_minutes=minutes, calendar=calendar)
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0009_follow_up_policies_closing_reassignments")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
