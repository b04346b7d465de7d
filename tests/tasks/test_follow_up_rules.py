"""The pure follow-up rules: which tasks a VIP ticket needs and when each is due."""

import importlib
from datetime import UTC, datetime, timedelta

from tests.routing.helpers import BUSINESS, TZ
from tickets.followups.rules import FollowUpRule, TicketFacts, closing_refusal, follow_ups
from vipdesk.lib.business_hours import always

_defaults = importlib.import_module("tickets.migrations.0010_default_follow_up_policies")
RULES = [FollowUpRule(*row) for row in _defaults.FOLLOW_UPS]
ALWAYS = always(TZ)

# Friday 20 November 2026
FRIDAY_1700 = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def facts(tier=1, first_response_at=FRIDAY_1700, resolved_at=None, **kw) -> TicketFacts:
    kw.setdefault("id", 42)
    kw.setdefault("subject", "API outage")
    kw.setdefault("body", "Our API calls fail with 502. Please help.")
    kw.setdefault("account_id", 7)
    kw.setdefault("account_name", "Globex")
    kw.setdefault("csm_id", 3)
    kw.setdefault("requester_name", "Hank Scorpio")
    kw.setdefault("agent_user_id", 5)
    kw.setdefault("agent_name", "Sarah Miller")
    kw.setdefault("agent_email", "sarah@vipdesk.test")
    kw.setdefault("lead_id", 9)
    return TicketFacts(
        tier=tier, first_response_at=first_response_at, resolved_at=resolved_at, **kw
    )


def due(specs) -> dict:
    return {s.kind: s.due_at for s in specs}


def test_every_vip_ticket_gets_a_follow_up_check_a_day_after_its_first_response():
    assert due(follow_ups(facts(tier=1), RULES, BUSINESS, ALWAYS)) == {
        "follow_up_check": FRIDAY_1700 + timedelta(hours=24)
    }


def test_tier_1_gets_a_call_and_a_summary_after_resolution_on_the_24_7_clock():
    specs = follow_ups(facts(tier=1, resolved_at=FRIDAY_1700), RULES, BUSINESS, ALWAYS)
    assert due(specs) == {
        "follow_up_check": FRIDAY_1700 + timedelta(hours=24),
        "personal_call": FRIDAY_1700 + timedelta(hours=24),
        "resolution_summary": FRIDAY_1700 + timedelta(hours=2),
    }
    assert {(s.owner_id, s.lead_id, s.ticket_id, s.account_id) for s in specs} == {(5, 9, 42, 7)}
    assert {s.key for s in specs} == {
        "ticket:42:follow_up_check",
        "ticket:42:personal_call",
        "ticket:42:resolution_summary",
    }


def test_tier_2_counts_business_hours_and_gets_no_call():
    # Friday 17:00 + 2 business hours = Monday 10:00; + 24 business hours = Wednesday 14:00.
    specs = follow_ups(facts(tier=2, resolved_at=FRIDAY_1700), RULES, BUSINESS, ALWAYS)
    assert due(specs) == {
        "follow_up_check": datetime(2026, 11, 25, 14, 0, tzinfo=UTC),
        "resolution_summary": datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    }


def test_tier_3_gets_only_the_follow_up_check():
    specs = follow_ups(facts(tier=3, resolved_at=FRIDAY_1700), RULES, BUSINESS, ALWAYS)
    assert set(due(specs)) == {"follow_up_check"}


def test_an_unanswered_ticket_needs_nothing_yet():
    assert follow_ups(facts(first_response_at=None), RULES, BUSINESS, ALWAYS) == []


def test_the_timings_are_the_policy_rows():
    rules = [FollowUpRule("personal_call", 1, 90, "24x7")]
    specs = follow_ups(facts(resolved_at=FRIDAY_1700), rules, BUSINESS, ALWAYS)
    assert due(specs) == {"personal_call": FRIDAY_1700 + timedelta(minutes=90)}


def test_without_an_agent_the_csm_owns_the_follow_ups():
    specs = follow_ups(facts(agent_user_id=None, lead_id=None), RULES, BUSINESS, ALWAYS)
    assert [(s.owner_id, s.lead_id) for s in specs] == [(3, None)]


def test_the_summary_draft_states_issue_cause_fix_next_and_direct_contact():
    ticket = facts(
        resolved_at=FRIDAY_1700,
        last_agent_message="We rolled back the load balancer change. All calls succeed now.",
    )
    (summary,) = [
        s for s in follow_ups(ticket, RULES, BUSINESS, ALWAYS) if s.kind == "resolution_summary"
    ]
    draft = summary.draft
    assert "Hi Hank," in draft
    assert "Issue: API outage — Our API calls fail with 502." in draft
    assert "Cause: [what caused it]" in draft
    assert "Fix: We rolled back the load balancer change." in draft
    assert "What happens next: I will check back with you by Sat 21 Nov 17:00" in draft
    assert "Direct contact: Sarah Miller, sarah@vipdesk.test" in draft


def test_closing_a_vip_ticket_needs_confirmation_or_a_reason():
    refusal = closing_refusal(True, "", "", "")
    assert "customer's confirmation" in refusal
    assert "how the customer confirmed" in closing_refusal(True, "Hank", "", "")
    assert closing_refusal(True, "Hank Scorpio", "phone", "") is None
    assert closing_refusal(True, "", "", "Customer unreachable for 10 days") is None
    assert closing_refusal(False, "", "", "") is None
