"""The relationship cadence: reviews and check-ins per period, proactive outreach
(de-duplicated per account and signal), completion on the dashboard."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.cadence.jobs import schedule_relationship_tasks
from accounts.cadence.rules import (
    AccountFacts,
    CadenceRules,
    outreach_signals,
    outreach_tasks,
    recurring_tasks,
)
from tests.factories import make_account, make_user
from vipdesk.insight.dashboard import cadence_completion
from vipdesk.insight.sponsor_summary import send_sponsor_summaries
from vipdesk.lib.roles import Role
from vipdesk.tasks.actions import complete_task
from vipdesk.tasks.jobs import alert_overdue_tasks
from vipdesk.tasks.models import Task

UTC_TZ = ZoneInfo("UTC")
# Tuesday 17 November 2026
NOW = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
RULES = CadenceRules()


def facts(id=1, tier=1, **kw) -> AccountFacts:
    kw.setdefault("name", f"Account {id}")
    kw.setdefault("csm_id", 3)
    return AccountFacts(id=id, tier=tier, **kw)


def test_tier_1_gets_a_check_in_a_business_review_and_an_executive_review():
    specs = recurring_tasks([facts(tier=1), facts(id=2, tier=3)], RULES, NOW, UTC_TZ)
    assert sorted((s.key, s.due_at) for s in specs) == [
        ("account:1:business_review:2026-Q4", datetime(2026, 12, 31, 17, 0, tzinfo=UTC)),
        ("account:1:check_in:2026-11", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("account:1:executive_review:2026", datetime(2026, 12, 31, 17, 0, tzinfo=UTC)),
        ("account:2:check_in:2026-11", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
    ]
    assert {s.owner_id for s in specs} == {3}


def test_the_policy_decides_which_tiers_get_which_cadence():
    rules = CadenceRules(check_in_up_to_tier=1, business_review_up_to_tier=2)
    specs = recurring_tasks([facts(id=2, tier=2)], rules, NOW, UTC_TZ)
    assert [s.kind for s in specs] == ["business_review"]


def test_it_names_each_outreach_signal_past_the_threshold():
    account = facts(
        usage_trend_pct=-25.0,
        nps=20,
        previous_nps=45,
        champion_silent="Champion silent for 60 days",
    )
    assert outreach_signals(account, RULES) == {
        "usage_drop": "weekly active users are down 25% over four weeks",
        "silent_champion": "champion silent for 60 days",
        "nps_drop": "NPS fell from 45 to 20",
    }
    quiet = facts(usage_trend_pct=-19.0, nps=40, previous_nps=45)
    assert outreach_signals(quiet, RULES) == {}


def test_at_most_one_open_outreach_per_account_and_signal():
    account = facts(usage_trend_pct=-30.0, csm_name="Casey Smith")
    (spec,) = outreach_tasks([account], RULES, set(), NOW)
    assert spec.key == "account:1:outreach:usage_drop:2026-11"
    assert spec.due_at == NOW + timedelta(days=2)
    assert "weekly active users are down 30% over four weeks" in spec.draft
    assert spec.draft.endswith("Casey Smith")
    assert outreach_tasks([account], RULES, {(1, "usage_drop")}, NOW) == []


@pytest.mark.django_db
def test_the_job_schedules_once_and_reopens_outreach_only_after_the_last_one_closed():
    csm = make_user("casey", Role.CSM)
    stark = make_account("Stark", arr=Decimal(600000), csm=csm, usage_trend_pct=-30.0)
    make_account("Small", arr=Decimal(1000), csm=csm, usage_trend_pct=-30.0)  # not VIP
    with time_machine.travel(NOW, tick=False):
        assert schedule_relationship_tasks() == 4  # check-in, QBR, executive review, outreach
        assert schedule_relationship_tasks() == 0
    outreach = Task.objects.get(kind="outreach")
    assert (outreach.account, outreach.owner) == (stark, csm)
    # Next month, still open: no second outreach for the same signal.
    with time_machine.travel(NOW + timedelta(days=20), tick=False):
        assert schedule_relationship_tasks() == 1  # December's check-in only
        assert Task.objects.filter(kind="outreach").count() == 1
        complete_task(outreach, by=csm)
        assert schedule_relationship_tasks() == 1  # the signal persists: a new outreach
    assert Task.objects.filter(kind="outreach", status="open").count() == 1


@pytest.mark.django_db
def test_overdue_reviews_alert_the_csm_and_completion_is_counted():
    csm = make_user("casey", Role.CSM)
    accounts = [make_account(arr=Decimal(600000), csm=csm) for _ in range(3)]
    with time_machine.travel(NOW, tick=False):
        schedule_relationship_tasks()
    reviews = Task.objects.filter(kind="business_review").order_by("pk")
    assert reviews.count() == len(accounts)
    complete_task(reviews[0], by=csm)
    after_quarter = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    rows = {r.label: r for r in cadence_completion(after_quarter)}
    qbr = rows["Quarterly reviews completed this quarter"]
    assert (qbr.done, qbr.total, qbr.overdue, qbr.pct) == (1, 3, 2, 33)
    with time_machine.travel(after_quarter, tick=False):
        alert_overdue_tasks()
    assert (
        csm.alerts.filter(kind="task_overdue", title__contains="Quarterly business review").count()
        == 2
    )


@pytest.mark.django_db
def test_each_sponsor_gets_one_health_summary_a_month(mailoutbox):
    dana = {"executive_sponsor": "Dana VP", "executive_sponsor_email": "dana@vipdesk.test"}
    stark = make_account("Stark", arr=Decimal(600000), health_score=62, **dana)
    make_account("Wayne", arr=Decimal(700000), **dana)
    make_account("Tiny", arr=Decimal(1000), **dana)  # not VIP
    make_account("Orphan", arr=Decimal(600000))  # no sponsor address
    with time_machine.travel(NOW, tick=False):
        schedule_relationship_tasks()
    complete_task(Task.objects.get(kind="business_review", account=stark), by=None)
    with time_machine.travel(NOW, tick=False):
        assert send_sponsor_summaries() == 1
        assert send_sponsor_summaries() == 0
    (mail,) = mailoutbox
    assert mail.to == ["dana@vipdesk.test"]
    assert mail.subject == "Your accounts' health, 2026-11: 2 accounts"
    assert "Hello Dana VP" in mail.body and "Stark (Tier 1 Strategic)\n  Health 62/100" in mail.body
    assert "Business review this quarter: done" in mail.body
    assert "Business review this quarter: scheduled, not done yet" in mail.body
    assert "Tiny" not in mail.body and "Orphan" not in mail.body
    with time_machine.travel(NOW + timedelta(days=20), tick=False):
        assert send_sponsor_summaries() == 1  # December's
