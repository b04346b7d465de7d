"""SPEC defaults: the SLA matrix, routing numbers, churn phrases, business hours."""

import datetime

from django.db import migrations

HOUR = 60
DAY = 24 * HOUR
RESOLUTION = {"P1": 24 * HOUR, "P2": 48 * HOUR, "P3": 5 * DAY, "P4": 10 * DAY}
L1, L2, SENIOR = 1, 2, 3

# tier, priority, first response (min), calendar, queue, min level, min tenure (months),
# notify CSM, open escalation
SLA_MATRIX = [
    (1, "P1", 15, "24x7", "senior", SENIOR, 0, True, False),
    (1, "P2", 15, "24x7", "senior", SENIOR, 0, True, False),
    (1, "P3", 30, "24x7", "enterprise", SENIOR, 0, False, False),
    (1, "P4", 30, "24x7", "enterprise", SENIOR, 0, False, False),
    (2, "P1", 30, "business", "priority", L2, 0, True, True),
    (2, "P2", 30, "business", "priority", L2, 0, True, False),
    (2, "P3", 30, "business", "priority", L2, 0, False, False),
    (2, "P4", 30, "business", "priority", L2, 0, False, False),
    (3, "P1", 60, "business", "priority", L1, 6, True, False),
    (3, "P2", 60, "business", "priority", L1, 6, True, False),
    (3, "P3", 60, "business", "priority", L1, 6, False, False),
    (3, "P4", 60, "business", "priority", L1, 6, False, False),
    (4, "P1", 1 * HOUR, "24x7", "general", L1, 0, False, False),
    (4, "P2", 4 * HOUR, "business", "general", L1, 0, False, False),
    (4, "P3", 8 * HOUR, "business", "general", L1, 0, False, False),
    (4, "P4", 24 * HOUR, "business", "general", L1, 0, False, False),
]

CHURN_PHRASES = [
    ("cancel", "direct", 30),
    ("downgrade", "direct", 25),
    ("not renewing", "direct", 35),
    ("looking at alternatives", "direct", 30),
    ("evaluating alternatives", "direct", 35),
    ("frustrated", "indirect", 10),
    ("this keeps happening", "indirect", 12),
    ("not getting value", "indirect", 15),
    ("executive team is asking", "indirect", 12),
]


def load(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    for tier, priority, first, calendar, queue, level, tenure, notify, escalate in SLA_MATRIX:
        SlaPolicy.objects.update_or_create(
            tier=tier, priority=priority,
            defaults=dict(
                first_response_minutes=first, resolution_minutes=RESOLUTION[priority],
                calendar=calendar, queue=queue, min_agent_level=level,
                min_tenure_months=tenure, notify_csm=notify, open_escalation=escalate,
            ),
        )
    apps.get_model("tickets", "RoutingPolicy").objects.get_or_create(pk=1)
    ChurnPhrase = apps.get_model("tickets", "ChurnPhrase")
    for phrase, kind, weight in CHURN_PHRASES:
        ChurnPhrase.objects.get_or_create(phrase=phrase, defaults=dict(kind=kind, weight=weight))
    BusinessHours = apps.get_model("tickets", "BusinessHours")
    for weekday in range(5):
        BusinessHours.objects.get_or_create(
            weekday=weekday, defaults=dict(opens=datetime.time(9), closes=datetime.time(18))
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
