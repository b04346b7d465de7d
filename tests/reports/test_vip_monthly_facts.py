"""The monthly VIP report's figures as the month stood: retention and churn, VIP NPS,
review completion and the month-end snapshot, on hand-made histories whose answers are
worked out here (TIME_ZONE is UTC in the tests)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.models import NpsPoint
from tests.factories import make_account, make_agent, make_pool
from tests.tickets.test_snapshots import use_test_redis
from vipdesk.insight import rollups
from vipdesk.insight.models import MonthlyRollup
from vipdesk.tasks.models import Task

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
NOV = date(2026, 11, 1)
T1, T2, STANDARD = Decimal(600000), Decimal(200000), Decimal(1000)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def history(db):
    """Who was a customer when November and October began, and who left when."""
    return {
        # VIP, a customer all along.
        "kept": make_account(arr=T1, contract_start=date(2025, 1, 1)),
        # VIP, left mid-November.
        "left_nov": make_account(
            arr=T2, contract_start=date(2025, 6, 1), churned_at=at(2026, 11, 15)
        ),
        # VIP, left in October: October's churn, not a November customer.
        "left_oct": make_account(arr=T2, churned_at=at(2026, 10, 20)),
        # VIP, signed in November: not a customer when November began.
        "new_nov": make_account(arr=T2, contract_start=NOV),
        # VIP, no contract start recorded, left at December's first instant: a November
        # customer who did not churn in November (half-open month).
        "left_dec": make_account(arr=T2, churned_at=at(2026, 12, 1)),
        # VIP, left at November's first instant: a customer when it began, churned in it.
        "left_first": make_account(
            arr=T1, contract_start=date(2024, 3, 1), churned_at=at(2026, 11, 1)
        ),
        # Standard accounts: in the overall retention only.
        "std_left": make_account(arr=STANDARD, churned_at=at(2026, 11, 5)),
        "std_kept": make_account(arr=STANDARD),
        "std_kept2": make_account(arr=STANDARD),
    }


def test_retention_counts_the_customers_when_the_month_began(history):
    nov = rollups.retention(NOV)
    # VIP customers on 1 Nov: kept, left_nov, left_dec, left_first; churned: left_nov, left_first.
    assert (nov.vip_customers, nov.vip_churned) == (4, 2)
    assert nov.vip_churned_arr == T2 + T1
    assert nov.vip_retention == pytest.approx(0.5) and nov.vip_churn == pytest.approx(0.5)
    # All customers: the 4 VIP + 3 standard; churned: 2 VIP + std_left.
    assert (nov.customers, nov.churned) == (7, 3)
    assert nov.overall_retention == pytest.approx(4 / 7)

    october = rollups.retention(date(2026, 10, 1))
    # VIP on 1 Oct: kept, left_nov, left_oct, left_dec, left_first (new_nov not yet).
    assert (october.vip_customers, october.vip_churned) == (5, 1)
    assert october.vip_retention == pytest.approx(0.8)


def test_retention_of_a_month_without_customers_is_null(db):
    empty = rollups.retention(NOV)
    assert (empty.vip_customers, empty.vip_retention, empty.overall_retention) == (0, None, None)


def test_the_report_shows_retention_against_the_month_before(client, lead, history):
    client.force_login(lead)
    page = client.get("/reports/vip/2026-11/")
    r = page.context["r"]
    assert r.vip_retention_pct == 50.0
    assert r.previous_facts.retention.vip_retention == pytest.approx(0.8)
    retention = {row[0]: row[1] for row in _table(page, "retention").rows}
    assert retention["VIP retention (%)"] == 50.0
    assert retention["VIP retention in Oct 2026 (%)"] == 80.0
    assert retention["VIP ARR churned ($)"] == 800000
    assert retention["Retention, all accounts (%)"] == 57.14
    assert b'data-testid="vip-retention">50.0%' in page.content


def review(account, *, created=at(2026, 10, 1, 6), status="open", closed=None, quarter="2026-Q4"):
    return Task.objects.create(
        kind=Task.Kind.BUSINESS_REVIEW,
        key=f"account:{account.pk}:business_review:{quarter}",
        title="QBR",
        account=account,
        due_at=at(2026, 12, 31, 17),
        created_at=created,
        status=status,
        closed_at=closed,
    )


def test_reviews_count_as_they_stood_when_the_month_ended(client, lead, db):
    t1 = [make_account(arr=T1) for _ in range(4)]
    t2 = make_account(arr=T2)
    review(t1[0], status="done", closed=at(2026, 11, 20))  # done in November
    review(t1[1], status="done", closed=at(2026, 12, 1, 9))  # done after November ended
    review(t1[2])  # still open
    review(t1[3], created=at(2026, 12, 1, 6))  # scheduled after November ended
    review(t2, status="done", closed=at(2026, 11, 2))  # a Tier-2 review: all, not Tier-1
    facts = rollups.month_facts(NOV)
    assert (facts.tier1_reviews.done, facts.tier1_reviews.total) == (1, 3)
    assert facts.tier1_reviews.overdue == 0  # due on 31 December
    assert facts.tier1_reviews.period == "2026-Q4"
    qbr = rollups.business_review(facts.cadence)
    assert (qbr.done, qbr.total) == (2, 4)

    client.force_login(lead)
    page = client.get("/reports/vip/2026-11/")
    recs = {rec.action: rec.reason for rec in page.context["r"].recommendations}
    assert recs["Complete the Tier-1 quarterly business reviews"] == (
        "2 of 3 Tier-1 reviews of 2026-Q4 not done at the end of November 2026 (33% complete)"
    )
    cadence = _table(page, "cadence").rows
    assert cadence[-1] == ["Quarterly business review, Tier-1 accounts", "2026-Q4", 1, 3, 33, 0]


def test_a_quarters_last_month_counts_the_reviews_not_done_as_overdue(db):
    account = make_account(arr=T1)
    review(account)
    with time_machine.travel(at(2027, 1, 2), tick=False):
        december = rollups.month_facts(date(2026, 12, 1)).tier1_reviews
    assert (december.done, december.total, december.overdue) == (0, 1, 1)


def test_vip_nps_is_each_accounts_latest_result_by_the_months_end(db):
    a, b, standard = make_account(arr=T1), make_account(arr=T2), make_account(arr=STANDARD)
    for account, day, score in (
        (a, date(2026, 10, 10), 50),
        (a, date(2026, 11, 20), 70),
        (a, date(2026, 12, 1), 10),  # after November: not November's
        (b, date(2026, 11, 30), 30),
        (standard, date(2026, 11, 5), -80),  # not VIP
    ):
        NpsPoint.objects.create(account=account, date=day, score=score)
    assert rollups.vip_nps(date(2026, 11, 30)) == (pytest.approx(50), 2)  # (70 + 30) / 2
    assert rollups.vip_nps(date(2026, 10, 31)) == (pytest.approx(50), 1)
    assert rollups.vip_nps(date(2026, 9, 30)) == (None, 0)


def test_the_snapshot_is_kept_once_the_month_has_ended(db):
    make_account(arr=T1, risk_level="high")
    november = rollups.refresh(NOV, NOW)
    assert november.snapshot_at == NOW and november.snapshot["at_risk_count"] == 1
    later = NOW + timedelta(hours=5)
    make_account(arr=T1, risk_level="critical")
    make_pool(tier=1, members=[make_agent()])
    november = rollups.refresh(NOV, later)
    assert november.computed_at == later  # the month's figures are recomputed...
    assert november.snapshot_at == NOW  # ...but its end stays as it was taken
    assert november.snapshot["at_risk_count"] == 1 and november.snapshot["pools"] == []
    december = rollups.refresh(date(2026, 12, 1), later)  # this month: retaken each time
    assert december.snapshot_at == later and december.snapshot["at_risk_count"] == 2
    assert [p["name"] for p in december.snapshot["pools"]] == [
        p.name for p in rollups.snapshot_of(december).pools
    ]


def test_a_month_first_reported_long_after_it_ended_says_so(client, lead, db):
    client.force_login(lead)
    page = client.get("/reports/vip/2026-09/")
    assert page.context["r"].snapshot_after_the_month
    assert b"taken after the month ended" in page.content
    assert MonthlyRollup.objects.get(month="2026-09-01").snapshot_at == NOW


def _table(page, name):
    return next(t for t in page.context["tables"] if t.name == name)


def test_a_rollup_stored_before_the_months_facts_existed_is_recomputed(client, lead, history):
    MonthlyRollup.objects.create(month=date(2026, 8, 1), computed_at=NOW, tiers=[])
    client.force_login(lead)
    assert client.get("/reports/vip/2026-09/").status_code == 200  # compares with August
    august = MonthlyRollup.objects.get(month="2026-08-01")
    assert august.facts["retention"]["vip_customers"] == 5 and august.snapshot_at == NOW


@pytest.mark.rq
def test_the_snapshot_counts_the_accounts_of_a_tier_before_the_pools_job_ever_ran(
    settings, redis_connection, db
):
    # With Redis a page only queues missing pool figures; the snapshot computes them.
    use_test_redis(settings)
    make_pool(tier=1, members=[make_agent(level=3)])
    make_account(arr=600000)  # tier 1
    [pool] = rollups.month_end_snapshot(timezone.now()).pools
    assert pool.accounts_of_tier == 1
