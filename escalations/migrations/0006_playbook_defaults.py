"""SPEC defaults for the playbook: the policy row, the Critical update clock, the
post-mortem gate for Critical/High, typical owner teams per type, goodwill approvers."""

from decimal import Decimal

from django.db import migrations

TYPE_OWNERS = [
    ("technical", "Engineering, Support"),
    ("commercial", "Finance, Legal"),
    ("relationship", "CS leadership"),
    ("executive", "Executive team"),
    ("legal", "Legal, Security"),
]
GOODWILL_RULES = [
    ("credit", Decimal(5000), "cs_manager"),
    ("credit", None, "vp_cs"),
    ("extension", None, "vp_cs"),
    ("premium_support", None, "vp_cs"),
]


def load(apps, schema_editor):
    apps.get_model("escalations", "PlaybookPolicy").objects.get_or_create(pk=1)
    SeverityPolicy = apps.get_model("escalations", "SeverityPolicy")
    SeverityPolicy.objects.filter(severity="critical").update(customer_update_minutes=4 * 60)
    SeverityPolicy.objects.filter(severity__in=["critical", "high"]).update(
        post_mortem_required=True
    )
    TypeOwners = apps.get_model("escalations", "TypeOwners")
    for type_, teams in TYPE_OWNERS:
        TypeOwners.objects.get_or_create(type=type_, defaults={"teams": teams})
    Rule = apps.get_model("escalations", "GoodwillApprovalRule")
    for kind, max_amount, approver in GOODWILL_RULES:
        Rule.objects.get_or_create(kind=kind, max_amount=max_amount, defaults={"approver": approver})


class Migration(migrations.Migration):
    dependencies = [("escalations", "0005_playbook_work")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
