"""The SLA monitor: warnings, escalation once per SLA, breaches at the due time,
catch-up after missed runs, business-hours timing, constant query count."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import TierPolicy
from tests.factories import make_account, make_agent, make_pool, make_ticket, make_user
from tickets.models import Ticket
from tickets.sla.jobs import monitor_slas
from tickets.sla.rules import BREACH, WARN, SlaClock, decide
from vipdesk.alerts.models import Alert
from vipdesk.lib.business_hours import BusinessCalendar, add_minutes
from vipdesk.lib.roles import Role

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


def clock(due_in_minutes, **kw):
    kw.setdefault("met", False)
    kw.setdefault("warned", False)
    kw.setdefault("breached", False)
    return SlaClock(1, "first_response", NOW + timedelta(minutes=due_in_minutes), **kw)


class TestDecide:
    def test_it_warns_inside_the_window(self):
        [event] = decide([clock(7)], NOW, 10)
        assert (event.action, event.escalate) == (WARN, True)

    def test_it_does_not_warn_before_the_window(self):
        assert decide([clock(11)], NOW, 10) == []

    def test_it_warns_once(self):
        assert decide([clock(7, warned=True)], NOW, 10) == []

    def test_it_breaches_at_the_due_time_without_escalating_twice(self):
        [event] = decide([clock(0, warned=True)], NOW, 10)
        assert (event.action, event.escalate) == (BREACH, False)

    def test_it_escalates_on_a_breach_whose_warning_was_missed(self):
        [event] = decide([clock(-30)], NOW, 10)
        assert (event.action, event.escalate) == (BREACH, True)

    def test_it_ignores_met_and_already_breached_slas(self):
        assert decide([clock(-5, met=True), clock(-5, warned=True, breached=True)], NOW, 10) == []


# The job, against the database.


@pytest.fixture
def setup(db):
    lead = make_user("poollead", Role.LEAD)
    agent = make_agent()
    make_pool(tier=1, members=[agent], lead=lead)
    account = make_account(arr=600000)
    return {"lead": lead, "agent": agent, "account": account}


def routed_ticket(setup, first_due, resolution_due=None, **kw):
    kw.setdefault("assigned_agent", setup["agent"])
    return make_ticket(
        setup["account"],
        routed=True,
        tier=1,
        created_at=first_due - timedelta(minutes=15),
        sla_first_response_due=first_due,
        sla_resolution_due=resolution_due or first_due + timedelta(days=1),
        **kw,
    )


def alerts(kind=None):
    qs = Alert.objects.all()
    return list(qs.filter(kind=kind) if kind else qs)


def test_it_warns_the_agent_and_the_pool_lead_and_escalates(setup):
    ticket = routed_ticket(setup, NOW + timedelta(minutes=5))
    monitor_slas(NOW)
    ticket.refresh_from_db()
    assert ticket.sla_warning_level == 1
    assert ticket.first_response_warned_at == NOW
    assert ticket.first_response_breached_at is None
    warned = alerts(Alert.Kind.SLA_WARNING)
    assert {a.user_id for a in warned} == {setup["agent"].user_id, setup["lead"].pk}
    assert warned[0].title == f"SLA warning: #{ticket.pk} first response due in 5 min"


def test_it_asks_the_tiers_escalation_contacts_to_respond_within_its_minutes(setup):
    vp = make_user("vp")
    policy = TierPolicy.objects.get(tier=1)  # SPEC default: "Support VP" within 15 min
    Group.objects.get(name=policy.escalate_to).user_set.add(vp)
    ticket = routed_ticket(setup, NOW + timedelta(minutes=5))
    monitor_slas(NOW)
    [escalated] = alerts(Alert.Kind.ESCALATION)
    assert (escalated.user, escalated.ticket) == (vp, ticket)
    assert escalated.respond_by == NOW + timedelta(minutes=policy.escalate_within_minutes)
    assert escalated.title.startswith("Escalated to you: SLA warning")
    monitor_slas(NOW + timedelta(minutes=6))  # the breach does not escalate again
    assert len(alerts(Alert.Kind.ESCALATION)) == 1


def test_an_executive_ticket_escalates_to_the_tier_1_contacts(setup):
    vp, manager = make_user("vp"), make_user("manager")
    Group.objects.get(name=TierPolicy.objects.get(tier=1).escalate_to).user_set.add(vp)
    Group.objects.get(name=TierPolicy.objects.get(tier=3).escalate_to).user_set.add(manager)
    ticket = routed_ticket(setup, NOW + timedelta(minutes=5), executive_contact=True)
    Ticket.objects.filter(pk=ticket.pk).update(tier=3)  # a Tier 3 account's executive
    monitor_slas(NOW)
    assert [a.user for a in alerts(Alert.Kind.ESCALATION)] == [vp]


def test_it_marks_the_breach_at_the_due_time(setup):
    due = NOW - timedelta(minutes=3)
    ticket = routed_ticket(setup, due)
    monitor_slas(NOW)
    ticket.refresh_from_db()
    assert ticket.first_response_breached_at == due
    assert ticket.sla_warning_level == 1
    assert len(alerts(Alert.Kind.SLA_BREACH)) == 2
    assert alerts(Alert.Kind.SLA_WARNING) == []


def test_it_is_idempotent(setup):
    routed_ticket(setup, NOW + timedelta(minutes=5))
    routed_ticket(setup, NOW - timedelta(minutes=5))
    monitor_slas(NOW)
    before = len(alerts())
    assert monitor_slas(NOW) == []
    assert monitor_slas(NOW + timedelta(seconds=30)) == []
    assert len(alerts()) == before == 4
    assert list(Ticket.objects.values_list("sla_warning_level", flat=True)) == [1, 1]


def test_it_escalates_once_per_sla_kind(setup):
    ticket = routed_ticket(setup, NOW + timedelta(minutes=5), NOW + timedelta(minutes=60))
    monitor_slas(NOW)  # first-response warning
    monitor_slas(NOW + timedelta(minutes=6))  # first-response breach: no second escalation
    Ticket.objects.filter(pk=ticket.pk).update(first_response_at=NOW + timedelta(minutes=7))
    monitor_slas(NOW + timedelta(minutes=52))  # resolution warning
    monitor_slas(NOW + timedelta(minutes=61))  # resolution breach
    ticket.refresh_from_db()
    assert ticket.sla_warning_level == 2
    assert ticket.resolution_breached_at == NOW + timedelta(minutes=60)
    assert len(alerts(Alert.Kind.SLA_WARNING)) == 4
    assert len(alerts(Alert.Kind.SLA_BREACH)) == 4


def test_it_catches_up_breaches_missed_while_the_scheduler_was_down(setup):
    monitor_slas(NOW)
    # The scheduler is down for 10 minutes; tickets fall due in that time.
    tickets = [routed_ticket(setup, NOW + timedelta(minutes=m)) for m in range(1, 11)]
    monitor_slas(NOW + timedelta(minutes=10, seconds=30))
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.first_response_breached_at == ticket.sla_first_response_due
        breaches = Alert.objects.filter(ticket=ticket, kind=Alert.Kind.SLA_BREACH)
        assert breaches.filter(user=setup["lead"]).count() == 1
        assert breaches.filter(user_id=setup["agent"].user_id).count() == 1
    monitor_slas(NOW + timedelta(minutes=11))
    assert len(alerts(Alert.Kind.SLA_BREACH)) == 20


def test_it_ignores_answered_resolved_and_unrouted_tickets(setup):
    routed_ticket(setup, NOW - timedelta(minutes=5), first_response_at=NOW - timedelta(minutes=9))
    routed_ticket(setup, NOW - timedelta(minutes=5), status="solved")
    make_ticket(setup["account"], routed=False, sla_first_response_due=NOW)
    monitor_slas(NOW)
    assert alerts() == []


def test_it_falls_back_to_the_tier_pool_lead_for_unassigned_tickets(setup):
    routed_ticket(setup, NOW + timedelta(minutes=2), assigned_agent=None)
    monitor_slas(NOW)
    assert [a.user_id for a in alerts()] == [setup["lead"].pk]


def test_it_does_not_warn_over_the_weekend(setup, settings):
    calendar = BusinessCalendar(
        tz=ZoneInfo("UTC"), hours={d: (time(9), time(18)) for d in range(5)}
    )
    created = datetime(2026, 11, 20, 17, 55, tzinfo=UTC)  # Friday
    due = add_minutes(created, 15, calendar)
    assert due == datetime(2026, 11, 23, 9, 10, tzinfo=UTC)  # Monday
    routed_ticket(setup, due)
    for moment in (
        datetime(2026, 11, 20, 18, 0),
        datetime(2026, 11, 21, 12, 0),
        datetime(2026, 11, 22, 23, 59),
        datetime(2026, 11, 23, 8, 59),
    ):
        assert monitor_slas(moment.replace(tzinfo=UTC)) == []
    [warning] = monitor_slas(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert warning.action == WARN
    [breach] = monitor_slas(datetime(2026, 11, 23, 9, 10, tzinfo=UTC))
    assert breach.action == BREACH


def test_its_query_count_does_not_grow_with_tickets(setup):
    counts = []
    for n, moment in ((2, NOW), (20, NOW + timedelta(hours=1))):
        for i in range(n):
            routed_ticket(setup, moment - timedelta(minutes=i % 5) + timedelta(minutes=i % 3 * 4))
        with CaptureQueriesContext(connection) as queries:
            events = monitor_slas(moment)
        assert len(events) >= n
        counts.append(len(queries))
    assert counts[0] == counts[1]
