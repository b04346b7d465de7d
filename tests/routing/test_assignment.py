from datetime import date, timedelta

from tests.routing.helpers import FRIDAY_1647, account, contact, ticket
from tests.routing.test_routing import P
from tickets.routing.assignment import AgentCandidate, choose_agent, with_assignment
from tickets.routing.rules import route

TODAY = date(2026, 11, 20)


def agent(id, level=2, months=24, pools=(), **kw) -> AgentCandidate:
    return AgentCandidate(
        id=id,
        name=f"Agent {id}",
        level=level,
        tenure_start=TODAY - timedelta(days=int(months * 30.5)),
        pool_tiers=frozenset(pools),
        **kw,
    )


def decision(tier=4, prio="P3", exec_=False, matched=True):
    c = contact("CEO", is_executive=True) if exec_ else None
    return route(ticket(prio), account(tier=tier) if matched else None, c, P, FRIDAY_1647)


def pick(d, agents, cap=40):
    return choose_agent(d, agents, cap, TODAY)


def test_it_gives_tier1_to_the_tier1_pool():
    got = pick(decision(1), [agent(1, level=3), agent(2, level=3, pools=[1])])
    assert got.agent_id == 2
    assert "Tier 1 pool" in got.reason


def test_it_overflows_tier1_to_a_senior_agent_when_the_pool_is_busy():
    pool = agent(2, level=3, pools=[1], vip_load=8, open_load=8)
    got = pick(decision(1), [agent(1, level=2), pool, agent(3, level=3)])
    assert got.agent_id == 3
    assert "overflow" in got.reason


def test_it_leaves_tier1_unassigned_when_no_senior_is_free():
    got = pick(decision(1), [agent(1, level=2), agent(2, level=3, pools=[1], on_pto=True)])
    assert got.agent_id is None
    assert "Unassigned" in got.reason


def test_it_needs_l2_for_tier2():
    assert pick(decision(2), [agent(1, level=1), agent(2, level=2)]).agent_id == 2
    assert pick(decision(2), [agent(1, level=1)]).agent_id is None


def test_it_needs_six_months_tenure_for_tier3():
    got = pick(decision(3), [agent(1, level=1, months=5), agent(2, level=1, months=7)])
    assert got.agent_id == 2
    assert pick(decision(3), [agent(1, level=1, months=5)]).reason.startswith(
        "Unassigned: no agent on shift meets L1+, ≥ 6 months tenure"
    )


def test_it_skips_agents_on_pto_or_off_shift():
    agents = [agent(1, on_pto=True), agent(2, on_shift=False), agent(3, open_load=5)]
    assert pick(decision(4), agents).agent_id == 3


def test_it_prefers_the_lightest_load():
    assert pick(decision(4), [agent(1, open_load=3), agent(2, open_load=1)]).agent_id == 2


def test_it_counts_a_standard_ticket_against_all_open_work():
    got = pick(decision(4), [agent(1, open_load=8, capacity=8)])
    assert got.agent_id is None and "capacity" in got.reason


def test_it_lets_a_vip_ticket_preempt_non_vip_work():
    full_of_standard = agent(1, level=2, open_load=8, vip_load=0, capacity=8)
    assert pick(decision(2), [full_of_standard]).agent_id == 1


def test_it_skips_agents_the_vip_ticket_would_push_over_the_vip_share_cap():
    # VIP share = VIP ÷ all open assigned tickets, with this ticket: 3/5 = 60 %, 2/5 = 40 %
    would_exceed = agent(1, vip_load=2, open_load=4)
    within = agent(2, vip_load=1, open_load=4)
    assert pick(decision(2), [would_exceed, within]).agent_id == 2


def test_it_uses_the_agents_own_cap():
    a = agent(1, vip_load=2, open_load=4, vip_share_cap_pct=60)
    b = agent(2, vip_load=2, open_load=4)
    assert pick(decision(2), [b, a]).agent_id == 1


def test_it_still_assigns_when_every_agent_is_at_the_cap():
    got = pick(decision(2), [agent(1, vip_load=3, open_load=4), agent(2, vip_load=2, open_load=4)])
    assert got.agent_id == 2
    assert "VIP share cap" in got.reason


def test_it_gives_a_vip_ticket_to_an_idle_agent_when_no_one_can_take_it_within_the_cap():
    got = pick(decision(2), [agent(1, vip_load=1, open_load=1), agent(2)])
    assert got.agent_id == 2 and "VIP share cap" in got.reason


def test_it_gives_non_vip_work_first_to_agents_over_their_vip_share_cap():
    over = agent(1, vip_load=3, open_load=4)
    lighter = agent(2, vip_load=0, open_load=1)
    assert pick(decision(4), [lighter, over]).agent_id == 1


def test_it_gives_an_executive_ticket_to_the_most_senior_agent():
    agents = [
        agent(1, level=2, months=60),
        agent(2, level=3, months=12),
        agent(3, level=3, months=36),
        agent(4, level=3, months=99, on_pto=True),
    ]
    got = pick(decision(4, exec_=True), agents)
    assert got.agent_id == 3
    assert "most senior" in got.reason


def test_it_does_not_assign_unmatched_tickets():
    got = pick(decision(matched=False), [agent(1)])
    assert got.agent_id is None and "no account matched" in got.reason


def test_it_prefers_pool_members_of_the_tickets_tier():
    got = pick(decision(2), [agent(1, open_load=0), agent(2, open_load=2, pools=[2])])
    assert got.agent_id == 2


def test_it_tracks_load_across_a_batch():
    agents = [agent(1), agent(2)]
    first = pick(decision(4), agents)
    agents = with_assignment(agents, first.agent_id, vip=False)
    assert pick(decision(4), agents).agent_id != first.agent_id
