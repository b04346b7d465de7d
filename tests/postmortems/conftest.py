from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from escalations.actions import record
from escalations.models import EscalationEvent, RootCauseCategory
from tests.factories import make_account, make_escalation

SPECIFIC = (
    "Support leads page the on-call engineer within 15 minutes of any Tier 1 P1 ticket "
    "and post the incident in the Zendesk account view."
)


@pytest.fixture
def account(csm):
    return make_account("Globex", arr=Decimal(620000), csm=csm)


@pytest.fixture
def resolved(account):
    """A High escalation resolved an hour ago, with a few events."""
    now = timezone.now()
    e = make_escalation(
        account,
        severity="high",
        status="resolved",
        opened_at=now - timedelta(days=2),
        resolved_at=now - timedelta(hours=1),
        root_cause="A schema migration locked the export table.",
    )
    record(e, EscalationEvent.Kind.OPENED, at=e.opened_at, text="Opened by Csm (person).")
    record(e, EscalationEvent.Kind.STATUS, at=e.resolved_at, text="Resolved by Csm.")
    return e


def complete_data(**kw) -> dict:
    """A POST body that completes the post-mortem (the follow-up is added apart)."""
    product = RootCauseCategory.objects.get(name="Product defect")
    monitoring = RootCauseCategory.objects.get(name="Monitoring gap")
    data = {
        "executive_summary": "The export API failed for 9 hours. Payroll ran a day late. "
        "We fixed it and the customer renewed.",
        "went_well": "The CSM called within the hour.",
        "do_differently": "Page engineering on the first report.",
        "recommendation": SPECIFIC,
        "root_cause_category": product.pk,
        "contributing_factors": [product.pk, monitoring.pk],
        "root_cause": "A schema migration locked the export table.",
        "customer_outcome": "Renewed; asked for monthly reviews.",
        "arr_retained": "620000",
        "arr_lost": "0",
        "systemic": "false",
        "timeline-TOTAL_FORMS": "1",
        "timeline-INITIAL_FORMS": "0",
        "timeline-0-at": "2026-11-29T09:00",
        "timeline-0-text": "Customer reported failed exports",
        "intent": "complete",
    }
    return data | kw
