"""/reports/vip/<yyyy>-<mm>/: the monthly VIP report, its CSVs and its recommendations."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalations.reports import Growth
from tests.accounts.helpers import make_scored_account
from tests.factories import make_agent, make_escalation, make_pool, make_ticket
from vipdesk.alerts.models import Alert
from vipdesk.insight import monthly, rollups
from vipdesk.insight.dashboard import CadenceRow, SponsorCoverage
from vipdesk.insight.jobs import send_monthly_vip_report
from vipdesk.insight.models import MonthlyRollup
from vipdesk.insight.recommendations import HIGH
from vipdesk.insight.rollups import MemberFacts, PoolFacts, Snapshot

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
NOV = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
OCT = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def vip_ticket(account, created, minutes, **kw):
    kw.setdefault("tier", account.tier)
    return make_ticket(
        account,
        created_at=created,
        first_response_at=created + timedelta(minutes=minutes),
        sla_first_response_due=created + timedelta(minutes=15),
        **kw,
    )


@pytest.fixture
def month(db):
    t1 = make_scored_account(arr=Decimal(600000), risk=90)
    vip_ticket(t1, NOV, 10, csat=5, resolved_at=NOV + timedelta(hours=2))
    late = vip_ticket(
        t1, NOV, 40, csat=3, resolved_at=NOV + timedelta(hours=4), first_response_breached_at=NOV
    )
    vip_ticket(t1, OCT, 10, csat=3, resolved_at=OCT + timedelta(hours=5))
    make_escalation(t1, opened_at=NOV, resolved_at=NOV + timedelta(hours=3), status="resolved")
    return {"account": t1, "late": late}


def test_it_reports_the_month_against_the_previous_one(client, lead, month):
    client.force_login(lead)
    response = client.get("/reports/vip/2026-11/")
    assert response.status_code == 200
    r = response.context["r"]
    tier1 = r.tiers[0]
    assert tier1.row.tickets == 2 and tier1.row.csat == 4
    assert tier1.csat_change == pytest.approx(1)  # 4 in November against 3 in October
    assert tier1.resolution_change == pytest.approx(3 - 5)
    assert (r.tickets_with_sla, r.tickets_missed) == (2, 1)
    assert [t.pk for t in r.missed] == [month["late"].pk]
    assert r.arr_protected == Decimal(600000) and r.protected_accounts == 1
    assert r.snapshot.at_risk_count == 1 and r.snapshot.at_risk_unowned == 1
    assert r.snapshot_at == NOW and not r.snapshot_after_the_month
    actions = [rec.action for rec in r.recommendations]
    assert "Give every at-risk VIP account an owner and an intervention" in actions
    assert "Assign an executive sponsor to every Tier-1 account" in actions
    assert "no data source" not in response.content.decode()


def test_every_table_has_its_csv_with_the_page_numbers(client, lead, month):
    client.force_login(lead)
    page = client.get("/reports/vip/2026-11/")
    for table in page.context["tables"]:
        response = client.get(f"/reports/vip/2026-11/{table.name}.csv")
        assert response.status_code == 200, table.name
        body = b"".join(response.streaming_content).decode()
        assert body.count("\n") == len(table.rows) + 1


def test_only_months_that_have_ended(client, lead, db):
    client.force_login(lead)
    assert client.get("/reports/vip/2026-12/").status_code == 404
    assert client.get("/reports/vip/2026-13/").status_code == 404
    assert client.get("/reports/vip/").url == "/reports/vip/2026-11/"


@pytest.mark.parametrize("url", ["/reports/", "/reports/vip/2026-11/"])
def test_it_is_for_leads_and_admins(client, csm, agent_user, admin_user, url):
    for user, status in ((csm, 403), (agent_user, 403), (admin_user, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_its_query_count_does_not_grow(client, lead, month):
    client.force_login(lead)

    def count() -> int:
        cache.clear()  # the pools' slow aggregates are cached for a minute
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/reports/vip/2026-11/").status_code == 200
        return len(ctx.captured_queries)

    make_pool(tier=1, members=[make_agent()])
    count()  # computes the month's and the previous month's rollups
    few = count()
    for _ in range(5):
        account = make_scored_account(arr=Decimal(200000), risk=80)
        vip_ticket(account, NOV, 30, first_response_breached_at=NOV)
        make_escalation(account, opened_at=NOV)
    make_pool(tier=2, members=[make_agent(), make_agent()])
    assert count() == few


def member(pk, name, share, total=10, cap=40):
    return MemberFacts(pk, name, share, total, cap)


def pool(name, tier, members, accounts, overloaded=()):
    per = accounts / members if members else None
    return PoolFacts(name, tier, members, members, accounts, per, list(overloaded))


def test_recommendations_name_their_reason_and_figure():
    sarah = member(1, "Sarah M.", 55)
    recs = monthly.recommend(
        Snapshot(
            pools=[pool("Tier 1 pool", 1, 2, 23, [sarah]), pool("T2", 2, 1, 3, [sarah])],
            sponsors=SponsorCoverage(tier1_accounts=23, tier1_without_sponsor=0),
            at_risk_count=3,
            at_risk_unowned=2,
        ),
        tier1_reviews=CadenceRow("Quarterly reviews", "2026-Q4", done=18, total=23, overdue=0),
        month=date(2026, 11, 1),
        accounts_per_agent=4,
        growth=[Growth("technical", "Technical", 4, 9), Growth("legal", "Legal", 1, 2)],
        growth_pct=25,
        growth_min=3,
        quarter="Sep–Nov 2026",
    )
    by_action = {r.action: r.reason for r in recs}
    assert by_action["Reduce Sarah M.'s VIP load"] == (
        "VIP share 55% of their 10 open tickets, above the 40% warning level"
    )
    assert sum(r.action == "Reduce Sarah M.'s VIP load" for r in recs) == 1  # in two pools
    assert by_action["Add an agent to Tier 1 pool"].startswith("2 members for 23 Tier 1")
    assert "11.5 per member" in by_action["Add an agent to Tier 1 pool"]
    assert "Add an agent to T2" not in by_action  # 3 accounts for 1 member
    assert by_action["Give every at-risk VIP account an owner and an intervention"].startswith(
        "2 of 3"
    )
    assert "Assign an executive sponsor to every Tier-1 account" not in by_action
    assert by_action["Review the root causes of Technical escalations"] == (
        "9 opened in Sep–Nov 2026 against 4 in the 3 months before (+125%)"
    )
    assert "Review the root causes of Legal escalations" not in by_action  # 2 < minimum 3
    assert by_action["Complete the Tier-1 quarterly business reviews"] == (
        "5 of 23 Tier-1 reviews of 2026-Q4 not done at the end of November 2026 (78% complete)"
    )
    assert recs[0].action.startswith("Give every at-risk")  # urgent first


def test_tier1_reviews_past_due_are_a_high_priority_and_all_done_none():
    def reviews(row):
        recs = monthly.recommend(Snapshot(), row, date(2026, 12, 1), 4, [], 25, 3, "Q")
        return {r.action: r for r in recs}.get("Complete the Tier-1 quarterly business reviews")

    late = reviews(CadenceRow("", "2026-Q4", done=20, total=23, overdue=3))
    assert late.priority == HIGH and late.reason.endswith("; 3 past their due date")
    assert reviews(CadenceRow("", "2026-Q4", done=23, total=23, overdue=0)) is None
    assert reviews(CadenceRow("", "2026-Q4", done=0, total=0, overdue=0)) is None


def test_leads_get_last_months_report_once(lead, csm, month, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_monthly_vip_report(NOW) == 1
    assert send_monthly_vip_report(NOW + timedelta(days=1)) == 0  # the daily run after
    alert = Alert.objects.get(user=lead)
    assert alert.kind == "monthly_report" and alert.link == "/reports/vip/2026-11/"
    assert not Alert.objects.filter(user=csm).exists()
    [email] = mail.outbox
    assert email.subject == "[vipdesk] VIP support report — November 2026"
    assert "1 missed of 2" in email.body
    assert "Give every at-risk VIP account an owner" in email.body


def test_the_month_is_read_from_its_rollup_which_says_when_it_was_computed(client, lead, month):
    client.force_login(lead)
    client.get("/reports/vip/2026-11/")
    rollup = MonthlyRollup.objects.get(month="2026-11-01")
    assert (rollup.tickets_with_sla, rollup.tickets_missed) == (2, 1)
    # A ticket added later shows once the job refreshes the rollup.
    vip_ticket(month["account"], NOV, 50, first_response_breached_at=NOV)
    assert client.get("/reports/vip/2026-11/").context["r"].tickets_missed == 1
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        client.force_login(lead)
        page = client.get("/reports/vip/2026-11/")
        assert page.context["r"].stale and b"stale" in page.content
        assert rollups.refresh_recent_rollups() == 2
        page = client.get("/reports/vip/2026-11/")
        assert page.context["r"].tickets_missed == 2 and not page.context["r"].stale
