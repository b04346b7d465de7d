from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_account, make_agent, make_ticket
from tickets.models import Ticket


@pytest.fixture
def routed_jobs(monkeypatch):
    """A stand-in for tickets.routing.jobs.request_routing: records the tickets pending
    routing each time routing is asked for."""
    calls = []
    monkeypatch.setattr(
        "tickets.routing.jobs.request_routing",
        lambda: calls.extend(Ticket.objects.pending_routing().values_list("pk", flat=True)),
    )
    return calls


def make_vip_ticket(account=None, *, tier=1, minutes_left=30, **kw):
    now = timezone.now()
    account = account or make_account(arr=600000)
    kw.setdefault("routed", True)
    kw.setdefault("tier", tier)
    kw.setdefault("queue", "senior" if tier == 1 else "priority")
    kw.setdefault("effective_priority", "P1")
    kw.setdefault("sla_first_response_due", now + timedelta(minutes=minutes_left))
    kw.setdefault("sla_resolution_due", now + timedelta(hours=24))
    kw.setdefault("routing_reasons", ["Tier 1 Strategic — ARR $600,000", "P1: queue senior"])
    kw.setdefault("created_at", now - timedelta(minutes=5))
    return make_ticket(account, **kw)


@pytest.fixture
def agent(agent_user):
    return make_agent(agent_user, level=3)
