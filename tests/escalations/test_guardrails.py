"""Guardrail alerts from the playbook job: acknowledge in time, Critical customer
updates, overdue actions; each once per due time."""

from datetime import UTC, datetime, timedelta

import pytest

from escalations.actions import add_action, log_communication
from escalations.jobs import guardrail_alerts
from escalations.models import PlaybookPolicy, SeverityPolicy
from escalations.sla import customer_update_due
from tests.factories import make_escalation, make_user
from vipdesk.alerts.models import Alert

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
H = timedelta(hours=1)


def alerts(now):
    return [a.title for a in guardrail_alerts(PlaybookPolicy.load(), now)]


def test_it_alerts_the_owner_when_not_acknowledged_within_an_hour(account, csm):
    e = make_escalation(
        account, severity="low", owner=csm, opened_at=NOW - 59 * timedelta(minutes=1)
    )
    assert alerts(NOW) == []
    assert alerts(NOW + 2 * timedelta(minutes=1)) == [f"{e.code} not acknowledged"]
    assert alerts(NOW + H) == []
    assert Alert.objects.get().user == csm


def test_the_acknowledge_window_is_the_admins(account):
    make_escalation(account, severity="low", opened_at=NOW - 30 * timedelta(minutes=1))
    PlaybookPolicy.objects.update(acknowledge_minutes=20)
    assert len(alerts(NOW)) == 1


def test_a_critical_escalation_needs_a_customer_update_every_four_hours(account, csm):
    e = make_escalation(account, severity="critical", status="acknowledged",
                        opened_at=NOW - 3 * H, acknowledged_at=NOW - 3 * H)  # fmt: skip
    assert alerts(NOW) == []
    log_communication(e, by=csm, at=NOW - H, type="email", to_customer=True,
                      recipient="Pat (CTO)", summary="Workaround shared")  # fmt: skip
    e.refresh_from_db()
    assert customer_update_due(e, 240) == NOW + 3 * H
    assert alerts(NOW + 3 * H) == [f"{e.code} customer update due"]
    # An internal note does not restart the clock.
    log_communication(e, by=csm, at=NOW + 4 * H, type="internal", to_customer=False,
                      recipient="Eng", summary="Status")  # fmt: skip
    e.refresh_from_db()
    assert customer_update_due(e, 240) == NOW + 3 * H


def test_only_severities_with_an_update_clock_are_alerted(account):
    make_escalation(account, severity="high", status="acknowledged", opened_at=NOW - 10 * H,
                    acknowledged_at=NOW - 10 * H)  # fmt: skip
    assert alerts(NOW) == []
    SeverityPolicy.objects.filter(severity="high").update(customer_update_minutes=60)
    assert len(alerts(NOW)) == 1


def test_it_alerts_the_owner_of_an_overdue_action(account, csm):
    e = make_escalation(account, severity="low", status="acknowledged", acknowledged_at=NOW)
    engineer = make_user("eng")
    add_action(e, by=csm, horizon="immediate", description="Restart the sync", owner=engineer,
               due_at=NOW + H, now=NOW)  # fmt: skip
    assert alerts(NOW) == []
    assert alerts(NOW + 2 * H) == [f"{e.code} action overdue"]
    assert Alert.objects.get().user == engineer


def test_closed_escalations_raise_nothing(account):
    make_escalation(account, severity="critical", status="closed", opened_at=NOW - 50 * H,
                    closed_at=NOW - 40 * H)  # fmt: skip
    assert alerts(NOW) == []
