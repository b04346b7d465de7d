import sys
import types
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_account, make_agent, make_ticket


@pytest.fixture
def routed_jobs(monkeypatch):
    """A stand-in for tickets.jobs (written by the intake work): records route_ticket calls."""
    calls = []
    module = types.ModuleType("tickets.jobs")
    module.route_ticket = lambda ticket_id: calls.append(ticket_id)
    monkeypatch.setitem(sys.modules, "tickets.jobs", module)
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
