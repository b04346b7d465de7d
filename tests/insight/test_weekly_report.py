"""The weekly VIP health report per CSM."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from accounts.models import Account, ScoreSnapshot
from tests.factories import make_account, make_escalation, make_ticket, make_user
from vipdesk.alerts.models import Alert
from vipdesk.insight.weekly_report import change_reasons, send_weekly_reports
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def factor(name, points, reason):
    return {"name": name, "points": points, "reason": f"{reason}: +{points}"}


@pytest.fixture
def vip(db):
    csm = make_user("weeklycsm", Role.CSM)
    account = make_account(
        "Globex", arr=250000, csm=csm, renewal_date=date(2027, 1, 10), health_score=55
    )
    Account.objects.filter(pk=account.pk).update(
        risk_score=72,
        risk_level="high",
        risk_factors=[
            factor("usage_drop", 10, "Weekly active users down 32% over 4 weeks"),
            factor("churn_language", 20, "Churn language in 1 ticket in 30 days"),
        ],
    )
    ScoreSnapshot.objects.create(
        account=account,
        day=date(2026, 11, 16),
        risk_score=40,
        risk_level="medium",
        health_score=70,
        risk_factors=[
            factor("usage_drop", 6, "Weekly active users down 20% over 4 weeks"),
            factor("nps_drop", 4, "NPS is -10"),
        ],
    )
    make_ticket(account, status="open", effective_priority="P2")
    make_escalation(account, severity="high", summary="Outage follow-up")
    make_account("Standard Co", arr=1000, csm=csm)  # not VIP: not in the report
    return csm, account


def test_it_explains_what_changed():
    before = [factor("a", 5, "A"), factor("b", 3, "B")]
    after = [factor("a", 8, "A"), factor("c", 2, "C")]
    assert change_reasons(before, after) == ["A: +8 (was +5)", "New: C: +2", "No longer: B: +3"]


def test_it_mails_each_csm_their_vip_accounts(vip):
    csm, account = vip
    assert send_weekly_reports(MONDAY) == 1
    [message] = mail.outbox
    assert message.to == [csm.email]
    assert message.subject == "VIP health report 2026-W48: 1 account, 1 at risk"
    assert "Globex (Tier 2 Enterprise)" in message.body
    assert "Risk 72/100 (High), +32 this week; health 55 (-15)" in message.body
    assert "New: Churn language in 1 ticket in 30 days: +20" in message.body
    assert "Weekly active users down 32% over 4 weeks: +10 (was +6)" in message.body
    assert "No longer: NPS is -10: +4" in message.body
    assert "Open tickets: 1 (1 P1/P2)" in message.body
    assert "Outage follow-up (High)" in message.body
    assert "Renews in 48 days" in message.body
    assert "Standard Co" not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Globex" in html
    [alert] = Alert.objects.filter(user=csm, kind=Alert.Kind.WEEKLY_REPORT)
    assert alert.emailed_at == MONDAY


def test_it_sends_once_per_week(vip):
    send_weekly_reports(MONDAY)
    assert send_weekly_reports(MONDAY + timedelta(hours=3)) == 0
    assert len(mail.outbox) == 1
    assert send_weekly_reports(MONDAY + timedelta(days=7)) == 1
    assert Alert.objects.filter(kind=Alert.Kind.WEEKLY_REPORT).count() == 2


def test_it_resends_when_the_mail_failed_last_time(vip):
    csm, _ = vip
    Alert.objects.create(
        user=csm, kind=Alert.Kind.WEEKLY_REPORT, dedupe_key="weekly-report:2026-W48", title="x"
    )
    assert send_weekly_reports(MONDAY) == 1
    assert Alert.objects.filter(kind=Alert.Kind.WEEKLY_REPORT).count() == 1
