"""Follow-up tasks in the database, with a moved clock: created once with the right due
time, closed done or skipped with a reason, overdue ones alerting the owner then the lead."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import make_account, make_agent, make_pool, make_user
from tests.tickets.conftest import make_vip_ticket
from tickets import actions
from tickets.followups.actions import load_rules, tickets_missing_follow_ups
from tickets.followups.jobs import create_missing_follow_ups
from tickets.models import Ticket
from vipdesk.alerts.models import Alert
from vipdesk.lib.roles import Role
from vipdesk.tasks.actions import complete_task, skip_task
from vipdesk.tasks.jobs import alert_overdue_tasks
from vipdesk.tasks.models import Task

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026, 10:00 UTC
TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def floor():
    lead = make_user("pool-lead", Role.LEAD)
    agent = make_agent(make_user("sarah", Role.AGENT, first_name="Sarah"), level=3)
    make_pool("Tier 1", tier=1, members=[agent], lead=lead)
    return {"lead": lead, "agent": agent}


def resolve(ticket, user, at):
    with time_machine.travel(at, tick=False):
        return actions.resolve_ticket(
            ticket, by=user, confirmed_by="Hank Scorpio", confirmed_via="phone"
        )


def test_resolving_a_tier_1_ticket_creates_each_follow_up_once(floor):
    with time_machine.travel(TUESDAY_10 - timedelta(hours=2), tick=False):
        t = make_vip_ticket(assigned_agent=floor["agent"])
        actions.record_first_response(t, by=floor["agent"].user)
    assert resolve(t, floor["agent"].user, TUESDAY_10)
    tasks = {task.kind: task for task in Task.objects.filter(ticket=t)}
    assert {k: v.due_at for k, v in tasks.items()} == {
        "follow_up_check": TUESDAY_10 - timedelta(hours=2) + timedelta(hours=24),
        "personal_call": TUESDAY_10 + timedelta(hours=24),
        "resolution_summary": TUESDAY_10 + timedelta(hours=2),
    }
    assert {(v.owner, v.lead) for v in tasks.values()} == {(floor["agent"].user, floor["lead"])}
    # The job, a second resolve and closed tasks never create them again.
    complete_task(tasks["personal_call"], by=floor["agent"].user)
    with time_machine.travel(TUESDAY_10 + timedelta(hours=1), tick=False):
        assert create_missing_follow_ups() == 0
    assert not resolve(t, floor["agent"].user, TUESDAY_10 + timedelta(hours=1))
    assert Task.objects.filter(ticket=t).count() == 3


def test_the_job_creates_follow_ups_for_tickets_resolved_in_the_helpdesk(floor):
    t = make_vip_ticket(
        tier=2,
        account=make_account(arr=200000),
        assigned_agent=floor["agent"],
        created_at=TUESDAY_10 - timedelta(hours=3),
        first_response_at=TUESDAY_10 - timedelta(hours=2),
        resolved_at=TUESDAY_10,
        status=Ticket.Status.SOLVED,
    )
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=5), tick=False):
        assert create_missing_follow_ups() == 2
        assert create_missing_follow_ups() == 0
    # Tier 2: business hours, 09:00-18:00 (answered 08:00 + 24 open hours = Thursday
    # 15:00; resolved 10:00 + 2 h), no personal call.
    assert dict(Task.objects.filter(ticket=t).values_list("kind", "due_at")) == {
        "follow_up_check": datetime(2026, 12, 3, 15, 0, tzinfo=UTC),
        "resolution_summary": TUESDAY_10 + timedelta(hours=2),
    }


def test_standard_tickets_get_no_follow_ups(floor):
    make_vip_ticket(
        tier=4, account=make_account(), first_response_at=TUESDAY_10, resolved_at=TUESDAY_10
    )
    with time_machine.travel(TUESDAY_10, tick=False):
        assert create_missing_follow_ups() == 0


def test_a_task_is_done_or_skipped_with_a_reason_once(floor):
    t = make_vip_ticket(assigned_agent=floor["agent"])
    resolve(t, floor["agent"].user, TUESDAY_10)
    call, summary = (
        Task.objects.get(ticket=t, kind=k) for k in ("personal_call", "resolution_summary")
    )
    with pytest.raises(ValueError):
        skip_task(call, by=floor["agent"].user, reason="  ")
    assert skip_task(call, by=floor["agent"].user, reason="Customer asked for e-mail only")
    assert not complete_task(call, by=floor["agent"].user)
    assert complete_task(summary, by=floor["agent"].user)
    call.refresh_from_db()
    summary.refresh_from_db()
    assert (call.status, call.skip_reason) == ("skipped", "Customer asked for e-mail only")
    assert (summary.status, summary.closed_by) == ("done", floor["agent"].user)


def test_an_overdue_task_alerts_its_owner_then_the_lead_once_each(floor):
    t = make_vip_ticket(assigned_agent=floor["agent"])
    resolve(t, floor["agent"].user, TUESDAY_10)
    summary = Task.objects.get(ticket=t, kind="resolution_summary")  # due 12:00
    complete_task(Task.objects.get(ticket=t, kind="follow_up_check"), by=floor["agent"].user)

    def alerted():
        return sorted(
            Alert.objects.filter(kind="task_overdue").values_list("user__username", "title")
        )

    with time_machine.travel(TUESDAY_10 + timedelta(hours=1, minutes=59), tick=False):
        assert alert_overdue_tasks() == 0
    with time_machine.travel(TUESDAY_10 + timedelta(hours=2), tick=False):
        assert alert_overdue_tasks() == 1
        assert alert_overdue_tasks() == 0
    assert alerted() == [("sarah", f"Overdue: {summary.title}")]
    # The lead hears of it 4 hours (TaskPolicy) after it fell due.
    with time_machine.travel(TUESDAY_10 + timedelta(hours=5, minutes=59), tick=False):
        assert alert_overdue_tasks() == 0
    with time_machine.travel(TUESDAY_10 + timedelta(hours=6), tick=False):
        assert alert_overdue_tasks() == 1
    assert ("pool-lead", f"Overdue on your team: {summary.title}") in alerted()
    # A day later the call is overdue too: its owner is told; the summary is not repeated.
    with time_machine.travel(TUESDAY_10 + timedelta(hours=24), tick=False):
        assert alert_overdue_tasks() == 1
    assert len(alerted()) == 3


def test_a_closed_task_never_alerts(floor):
    t = make_vip_ticket(assigned_agent=floor["agent"])
    resolve(t, floor["agent"].user, TUESDAY_10)
    for task in Task.objects.filter(ticket=t):
        complete_task(task, by=floor["agent"].user)
    with time_machine.travel(TUESDAY_10 + timedelta(days=3), tick=False):
        assert alert_overdue_tasks() == 0


def test_closing_a_vip_ticket_without_confirmation_is_refused_with_the_reason(floor):
    t = make_vip_ticket(assigned_agent=floor["agent"])
    with pytest.raises(actions.ClosingRefused, match="customer's confirmation"):
        actions.resolve_ticket(t, by=floor["agent"].user)
    t.refresh_from_db()
    assert t.is_open and not Task.objects.filter(ticket=t).exists()
    assert actions.resolve_ticket(t, by=floor["agent"].user, reason="Customer unreachable")
    t.refresh_from_db()
    assert (t.status, t.closing_reason, t.confirmed_by) == ("solved", "Customer unreachable", "")


def test_an_executive_contact_gets_tier_1_follow_ups_whatever_the_accounts_tier(floor):
    t = make_vip_ticket(
        tier=4,
        executive_contact=True,
        account=make_account(),
        assigned_agent=floor["agent"],
        first_response_at=TUESDAY_10 - timedelta(hours=2),
        resolved_at=TUESDAY_10,
        status=Ticket.Status.SOLVED,
    )
    make_vip_ticket(  # Tier 3: only the follow-up check, already made
        tier=3,
        account=make_account(arr=60000),
        first_response_at=TUESDAY_10,
        resolved_at=TUESDAY_10,
        status=Ticket.Status.SOLVED,
    )
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=5), tick=False):
        assert create_missing_follow_ups() == 4
        assert tickets_missing_follow_ups(TUESDAY_10 - timedelta(days=1), load_rules()).count() == 0
    assert set(Task.objects.filter(ticket=t).values_list("kind", flat=True)) == {
        "follow_up_check",
        "personal_call",
        "resolution_summary",
    }
