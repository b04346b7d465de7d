from datetime import UTC, datetime, timedelta

import pytest

from tests.routing.helpers import FRIDAY_1647, account, contact, policies, ticket
from tickets.routing.rules import route

P = policies()


def decide(t=None, a=None, c=None, pol=P):
    return route(t or ticket(), a, c, pol, FRIDAY_1647)


def test_it_routes_the_380k_billing_ticket_to_priority_before_the_weekend():
    d = decide(ticket("P3", subject="Billing question"), account(tier=2, arr=380_000))
    assert d.tier == 2
    assert d.queue == "priority"
    assert d.effective_priority == "P3"
    assert d.sla_first_response_due == datetime(2026, 11, 20, 17, 17, tzinfo=UTC)
    assert d.calendar == "business"
    assert d.reasons[0] == "Tier 2 Enterprise — ARR $380,000"


# The SPEC routing table, cell by cell: (tier, priority) -> (minutes, calendar, queue,
# CSM notified, escalation opened). Created Tuesday 10:00 so business hours don't pause.
TUESDAY_10 = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
TABLE = {
    (1, "P1"): (15, "24x7", "senior", True, False),
    (1, "P2"): (15, "24x7", "senior", True, False),
    (1, "P3"): (30, "24x7", "enterprise", False, False),
    (1, "P4"): (30, "24x7", "enterprise", False, False),
    (2, "P1"): (30, "business", "priority", True, True),
    (2, "P2"): (30, "business", "priority", True, False),
    (2, "P3"): (30, "business", "priority", False, False),
    (2, "P4"): (30, "business", "priority", False, False),
    (3, "P1"): (60, "business", "priority", True, False),
    (3, "P2"): (60, "business", "priority", True, False),
    (3, "P3"): (60, "business", "priority", False, False),
    (3, "P4"): (60, "business", "priority", False, False),
    (4, "P1"): (60, "24x7", "general", False, False),
    (4, "P2"): (240, "business", "general", False, False),
    (4, "P3"): (480, "business", "general", False, False),
    (4, "P4"): (1440, "business", "general", False, False),
}
RESOLUTION_DAYS = {"P1": 1, "P2": 2, "P3": 5, "P4": 10}


@pytest.mark.parametrize("cell", sorted(TABLE))
def test_it_applies_every_cell_of_the_sla_table(cell):
    tier, prio = cell
    minutes, calendar, queue, notified, escalated = TABLE[cell]
    d = decide(ticket(prio, created_at=TUESDAY_10), account(tier=tier, arr=1))
    assert (d.effective_priority, d.queue, d.calendar) == (prio, queue, calendar)
    # Tue 10:00 + 1440 business minutes = 24 business hours => Thu 16:00 (9 h days)
    if calendar == "24x7" or minutes <= 480:
        assert d.sla_first_response_due == TUESDAY_10 + timedelta(minutes=minutes)
    else:
        assert d.sla_first_response_due == datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
    assert [a.kind for a in d.alerts] == (["vip_ticket"] if notified else [])
    assert (d.escalation is not None) == escalated
    if escalated:
        assert d.escalation.severity == "high"
        assert d.escalation.type == "technical"


@pytest.mark.parametrize("prio", ["P1", "P2", "P3", "P4"])
def test_it_computes_resolution_on_the_rows_calendar(prio):
    d = decide(ticket(prio, created_at=TUESDAY_10), account(tier=1, arr=1))
    assert d.sla_resolution_due == TUESDAY_10 + timedelta(days=RESOLUTION_DAYS[prio])


def test_it_computes_standard_resolution_in_business_hours():
    # Standard P3: 5 days = 7200 business minutes = 13 h 20 of 9 h days... 13.33 days
    d = decide(ticket("P3", created_at=TUESDAY_10), account(tier=4))
    assert d.sla_resolution_due > TUESDAY_10 + timedelta(days=13)


def test_it_pauses_the_business_clock_over_the_weekend():
    friday_1730 = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)  # 30 min Friday + 30 Monday
    d = decide(ticket("P3", created_at=friday_1730), account(tier=3, arr=60_000))
    assert d.sla_first_response_due == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_it_never_pauses_the_24x7_clock():
    saturday = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    d = decide(ticket("P1", created_at=saturday), account(tier=1, arr=600_000))
    assert d.sla_first_response_due == saturday + timedelta(minutes=15)


def test_it_runs_standard_p1_24x7():
    saturday = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    d = decide(ticket("P1", created_at=saturday), account(tier=4))
    assert d.sla_first_response_due == saturday + timedelta(hours=1)


def test_it_skips_holidays():
    from dataclasses import replace

    from tests.routing.helpers import BUSINESS

    cal = replace(BUSINESS, holidays=frozenset({datetime(2026, 11, 23).date()}))
    friday_1730 = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
    d = decide(
        ticket("P3", created_at=friday_1730), account(tier=3), pol=policies(business_calendar=cal)
    )
    assert d.sla_first_response_due == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


# Renewal boost


def test_it_boosts_a_vip_renewing_within_90_days():
    d = decide(ticket("P3"), account(tier=2, arr=380_000, renewal_in_days=41))
    assert d.effective_priority == "P2"
    assert d.boosted
    assert "Renewal in 41 days (within 90 days for VIP): priority boosted P3 → P2" in d.reasons
    assert [a.kind for a in d.alerts] == ["vip_ticket"]


def test_it_boosts_a_vip_on_the_90th_day_but_not_the_91st():
    assert decide(ticket("P3"), account(tier=3, renewal_in_days=90)).effective_priority == "P2"
    assert decide(ticket("P3"), account(tier=3, renewal_in_days=91)).effective_priority == "P3"


def test_it_boosts_any_account_within_60_days_and_sends_it_to_priority():
    d = decide(ticket("P3"), account(tier=4, renewal_in_days=60))
    assert d.effective_priority == "P2"
    assert d.queue == "priority"
    assert d.tier == 4
    assert d.alerts == []
    assert any("within 60 days" in r for r in d.reasons)
    assert "Queue priority: Standard ticket boosted by the renewal" in d.reasons


def test_it_does_not_boost_a_standard_account_at_61_days():
    d = decide(ticket("P3"), account(tier=4, renewal_in_days=61))
    assert (d.effective_priority, d.queue) == ("P3", "general")


def test_it_never_boosts_above_p1():
    d = decide(ticket("P1"), account(tier=4, renewal_in_days=10))
    assert d.effective_priority == "P1"
    assert d.queue == "general"
    assert any("already P1" in r for r in d.reasons)


def test_it_applies_the_sla_of_the_boosted_priority():
    d = decide(ticket("P4", created_at=TUESDAY_10), account(tier=4, renewal_in_days=30))
    assert d.effective_priority == "P3"
    assert d.sla_first_response_due == TUESDAY_10 + timedelta(hours=8)


def test_it_ignores_a_renewal_in_the_past_or_missing():
    assert decide(ticket("P3"), account(tier=2, renewal_in_days=-3)).effective_priority == "P3"
    assert decide(ticket("P3"), account(tier=2, renewal_in_days=None)).effective_priority == "P3"


def test_it_reads_the_boost_windows_from_the_policy():
    pol = policies(vip_renewal_boost_days=30, any_renewal_boost_days=10)
    assert (
        decide(ticket("P3"), account(tier=2, renewal_in_days=41), pol=pol).effective_priority
        == "P3"
    )
    assert (
        decide(ticket("P3"), account(tier=2, renewal_in_days=30), pol=pol).effective_priority
        == "P2"
    )


def test_it_boosts_a_vip_p3_to_p2_and_alerts_the_csm():
    d = decide(ticket("P3"), account(tier=1, arr=600_000, renewal_in_days=5))
    assert (d.effective_priority, d.queue) == ("P2", "senior")
    assert d.alerts[0].user_id == 11


# Executive contact


def test_it_handles_an_executive_contact_as_tier1_p1():
    d = decide(ticket("P4"), account(tier=3, arr=60_000), contact("CFO", is_executive=True))
    assert d.executive
    assert d.tier == 3  # the account's own
    assert (d.effective_priority, d.queue, d.calendar) == ("P1", "senior", "24x7")
    assert d.sla_first_response_due == FRIDAY_1647 + timedelta(minutes=15)
    assert d.most_senior and not d.needs_tier1_pool
    assert {(a.kind, a.user_id) for a in d.alerts} == {
        ("executive_contact", 11),  # the CSM
        ("executive_contact", 12),  # the account manager
    }
    assert d.follow_up_due == FRIDAY_1647 + timedelta(hours=24)
    assert d.escalation is None


def test_it_recognises_an_executive_by_the_requesters_title():
    d = decide(ticket("P3", requester_title="VP Engineering"), account(tier=4), None)
    assert d.executive and d.queue == "senior"


def test_it_uses_the_policys_executive_titles():
    pol = policies(executive_titles="head of")
    d = decide(ticket("P3", requester_title="Head of IT"), account(tier=4), None, pol=pol)
    assert d.executive
    d = decide(ticket("P3", requester_title="VP Sales"), account(tier=4), None, pol=pol)
    assert not d.executive


def test_it_respects_the_executive_override():
    c = contact("CEO", is_executive=False, executive_override=False)
    assert not decide(ticket("P3", requester_title="CEO"), account(tier=4), c).executive


def test_it_does_not_treat_an_unmatched_ceo_as_executive():
    d = decide(ticket("P3", requester_title="CEO"), None, None)
    assert not d.executive and d.queue == "unmatched"


def test_it_reads_executive_follow_up_and_notify_times_from_the_policy():
    pol = policies(executive_follow_up_hours=4, executive_notify_minutes=2)
    d = decide(ticket("P3"), account(tier=4), contact("CEO", is_executive=True), pol=pol)
    assert d.follow_up_due == FRIDAY_1647 + timedelta(hours=4)
    assert {a.respond_within_minutes for a in d.alerts} == {2}
    assert any("to respond within 2 min" in r for r in d.reasons)


# Unmatched, VIP alert, churn, possible VIP


def test_it_sends_unmatched_tickets_to_unmatched_with_the_standard_sla():
    d = decide(ticket("P2", created_at=TUESDAY_10), None)
    assert d.tier is None
    assert d.queue == "unmatched"
    assert d.sla_first_response_due == TUESDAY_10 + timedelta(hours=4)
    assert d.alerts == []


def test_it_alerts_the_csm_for_a_vip_p1():
    d = decide(ticket("P1"), account(tier=3))
    assert [(a.kind, a.dedupe_key, a.user_id) for a in d.alerts] == [
        ("vip_ticket", "ticket:1:vip_p2", 11)
    ]


def test_it_follows_the_admins_notify_csm_setting():
    from dataclasses import replace

    sla = policies().sla
    sla[(2, "P2")] = replace(sla[(2, "P2")], notify_csm=False)
    assert decide(ticket("P2"), account(tier=2), pol=policies(sla=sla)).alerts == []


def test_it_alerts_on_churn_language_with_the_accounts_risk():
    signals = ({"phrase": "evaluating alternatives", "kind": "direct", "weight": 35},)
    d = decide(
        ticket("P3", churn_signals=signals, churn_points=35),
        account(tier=4, risk_score=72, risk_level="high"),
    )
    assert "Phrase 'evaluating alternatives' (direct)" in d.reasons
    alert = d.alerts[0]
    assert alert.kind == "churn_language"
    assert alert.dedupe_key == "ticket:1:churn:evaluating alternatives"
    assert "72/100 (high)" in alert.body and alert.link == "/tickets/1/"


def test_it_flags_a_possible_vip_without_upgrading():
    vip_account = account(tier=1, id=99, name="Globex", csm_id=55)
    d = decide(
        ticket(
            "P3",
            requester_name="Hank Scorpio",
            possible_vip_of=vip_account,
            possible_vip_contact="Hank Scorpio",
        ),
        None,
    )
    assert d.possible_vip
    assert d.queue == "unmatched" and not d.executive and d.effective_priority == "P3"
    assert any(r.startswith("possible VIP — verify identity") for r in d.reasons)
    assert [(a.kind, a.user_id) for a in d.alerts] == [("possible_vip", 55)]


def test_it_states_the_agent_requirements():
    assert "Agent: L2+" in decide(ticket(), account(tier=2)).reasons
    assert "Agent: L1+ with ≥ 6 months tenure" in decide(ticket(), account(tier=3)).reasons
    d = decide(ticket(), account(tier=1))
    assert d.needs_tier1_pool and d.required_level == 3
