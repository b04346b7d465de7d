"""One meaning of "VIP ticket" (Tier 1–3 account or executive contact) and one VIP
share (VIP ÷ all open assigned tickets), the same on the queue, the pools page, the
dashboard and the router's cap."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Tier
from tests.factories import make_account, make_agent, make_contact, make_pool, make_ticket
from tests.routing.helpers import FRIDAY_1647, account, contact, policies, ticket
from tickets.models import Ticket, is_vip_ticket
from tickets.queues import vip_tickets
from tickets.routing import assignment
from tickets.routing.actions import load_candidates
from tickets.routing.rules import route
from tickets.staffing.capacity import may_take_vip, open_loads, over_vip_cap, vip_share_pct
from tickets.staffing.pools import pool_board
from vipdesk.insight.dashboard import active_vip_tickets, pool_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def executive_ticket():
    """An executive's open ticket on a Standard account, plus one Standard ticket, both
    with the same Tier-1 pool agent."""
    agent = make_agent(level=3)
    make_pool(tier=Tier.STRATEGIC, members=[agent])
    standard = make_account("Small Co", arr=20_000)
    assert standard.tier == Tier.STANDARD
    ceo = make_contact(standard, name="Dana Boss", title="CEO")
    now = timezone.now()
    common = dict(
        routed=True,
        tier=Tier.STANDARD,
        assigned_agent=agent,
        created_at=now - timedelta(minutes=5),
        sla_first_response_due=now + timedelta(minutes=10),
        sla_resolution_due=now + timedelta(hours=24),
    )
    vip = make_ticket(standard, contact=ceo, executive_contact=True, queue="senior", **common)
    make_ticket(standard, queue="general", **common)
    return vip, agent


def test_an_executive_on_a_standard_account_is_a_vip_ticket_everywhere(executive_ticket):
    vip, agent = executive_ticket
    assert vip.is_vip and is_vip_ticket(Tier.STANDARD, True)
    assert not is_vip_ticket(Tier.STANDARD, False) and is_vip_ticket(Tier.PREMIUM, False)
    assert list(Ticket.objects.vip()) == [vip]
    # the VIP queue
    assert list(vip_tickets()) == [vip]
    # the dashboard: active VIP tickets and the pool's open VIP load
    assert [t.pk for t in active_vip_tickets()] == [vip.pk]
    [row] = pool_status(timezone.localdate(), cap_pct=40)
    assert (row.open_vip, row.open_all, row.vip_share_pct, row.over_cap) == (1, 2, 50, True)
    # the pools page
    board = pool_board()
    assert board["members_load"].vip_share_pct == 50
    [pool] = board["pools"]
    [member] = pool.members
    assert (member.open_vip, member.open_total, member.vip_share_pct) == (1, 2, 50)
    assert member.burnout_risk
    # the router's cap
    [candidate] = load_candidates(timezone.localdate())
    assert (candidate.vip_load, candidate.open_load) == (1, 2)
    assert not candidate.may_take_vip(40)
    assert open_loads()[agent.pk].vip_share_pct == 50


def test_the_router_treats_an_executive_on_a_standard_account_as_vip():
    decision = route(
        ticket(),
        account(tier=Tier.STANDARD),
        contact("CEO", is_executive=True),
        policies(),
        FRIDAY_1647,
    )
    assert decision.tier == Tier.STANDARD and decision.is_vip


def test_the_vip_share_is_vip_over_all_open_assigned_tickets():
    assert vip_share_pct(0, 0) is None
    assert vip_share_pct(2, 5) == 40
    assert not over_vip_cap(2, 5, 40) and over_vip_cap(3, 5, 40)
    assert not over_vip_cap(0, 0, 40)
    # the router gives a VIP ticket only if the share stays within the cap with it
    assert may_take_vip(1, 4, 40)  # 2/5 = 40 %
    assert not may_take_vip(2, 4, 40)  # 3/5 = 60 %
    assert not may_take_vip(0, 0, 40)  # 1/1 = 100 %


def test_the_router_skips_an_agent_the_ticket_would_push_over_the_cap(executive_ticket):
    _, busy = executive_ticket
    idle = make_agent(level=3)
    make_pool(tier=Tier.STRATEGIC, members=[idle])
    for _ in range(3):
        make_ticket(make_account(arr=20_000), status="open", assigned_agent=idle)
    candidates = load_candidates(timezone.localdate())
    decision = route(
        ticket(), account(tier=Tier.STRATEGIC, arr=600_000), None, policies(), FRIDAY_1647
    )
    choice = assignment.choose_agent(decision, candidates, 40, timezone.localdate())
    # busy: 1 VIP of 2 (50 %, over); idle: 0 of 3, 1 of 4 = 25 % with this ticket
    assert choice.agent_id == idle.pk
