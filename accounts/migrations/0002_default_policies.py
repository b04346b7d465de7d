"""SPEC defaults: tier bands and score weights. Admins edit them afterwards."""

from decimal import Decimal

from django.db import migrations

TIERS = [
    # tier, min ARR, max ARR (exclusive), strategic, executive review, escalate to, within
    (1, Decimal("500000"), None, True, True, "Support VP", 15,
     "Dedicated senior pool, 15/30 min first response 24/7"),
    (2, Decimal("100000"), Decimal("500000"), False, False, "Support manager", 30,
     "L2+ agents, 30 min first response in business hours"),
    (3, Decimal("50000"), Decimal("100000"), False, False, "Team lead", 60,
     "L1+ agents with 6+ months tenure, 60 min first response in business hours"),
    (4, Decimal("0"), Decimal("50000"), False, False, "", None, "By priority"),
]


def load(apps, schema_editor):
    TierPolicy = apps.get_model("accounts", "TierPolicy")
    for tier, lo, hi, strategic, review, to, within, description in TIERS:
        TierPolicy.objects.update_or_create(
            tier=tier,
            defaults=dict(
                min_arr=lo, max_arr=hi, strategic_qualifies=strategic,
                executive_review_qualifies=review, escalate_to=to,
                escalate_within_minutes=within, description=description,
            ),
        )
    apps.get_model("accounts", "ScoreWeights").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
