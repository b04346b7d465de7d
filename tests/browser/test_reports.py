"""The reports in Chromium: open each, change a filter, export a CSV, and the CSV holds
the numbers the page shows."""

import csv
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.cadence.rules import periods
from tests.accounts.helpers import make_scored_account
from tests.browser.book import ignore_favicon
from tests.browser.conftest import login
from tests.factories import make_account, make_escalation, make_ticket
from tests.reports.history import build
from vipdesk.tasks.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    ignore_favicon(page)


def page_rows(page, table: str) -> list[list[str]]:
    cells = page.locator(f"table[data-table={table}] tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    return [["" if c == "—" else c for c in row] for row in cells]


def download(page, table: str) -> list[list[str]]:
    with page.expect_download() as info:
        page.click(f"a[data-csv={table}]")
    with open(info.value.path(), newline="") as f:
        header, *rows = list(csv.reader(f))
    return rows


def test_the_escalation_report_and_its_csv_agree(page, lead):
    build()
    login(page, lead)
    page.goto("/reports/escalations/?from=2026-11-01&to=2026-12-01")
    expect(page.locator("h1")).to_have_text("Escalation report")
    expect(page.locator("[data-chart=chart-mttr_hours] .plot-container")).to_be_visible()
    everyone = page_rows(page, "metrics")
    assert everyone[0][:2] == ["Mean time to resolution", "35.33"]

    page.select_option("select[name=tier]", "1")
    page.click("text=Apply")
    page.wait_for_url("**tier=1**")
    tier1 = page_rows(page, "metrics")
    assert tier1 != everyone and tier1[0][1] == "41.0"  # (10 h + 72 h) / 2
    assert download(page, "metrics") == tier1
    assert download(page, "by-severity") == page_rows(page, "by-severity")

    page.click("table[data-table=metrics] tbody tr >> nth=0 >> a")
    expect(page.locator("h1")).to_have_text("Escalations behind the report")
    assert len(page_rows(page, "rows")) == 2  # e1 and e2 are resolved; e9 re-opened
    assert page.console_errors == []


def test_the_monthly_vip_report_and_its_csv_agree(page, lead):
    account = make_scored_account(arr=Decimal(600000), risk=90)
    now = timezone.now()
    last_month = (now.replace(day=1) - timedelta(days=1)).replace(day=10)
    make_ticket(
        account,
        tier=1,
        created_at=last_month,
        first_response_at=last_month + timedelta(minutes=12),
        sla_first_response_due=last_month + timedelta(minutes=15),
        csat=4,
    )
    # A VIP customer who left mid-month: VIP retention 1 of 2 = 50 %.
    make_scored_account(arr=Decimal(200000), churned_at=last_month)
    # The business review of the quarter holding last month's end, not done by then.
    month_end = now.replace(day=1).date() - timedelta(days=1)
    period, due = periods(month_end)[Task.Kind.BUSINESS_REVIEW]
    Task.objects.create(
        kind=Task.Kind.BUSINESS_REVIEW,
        key=f"account:{account.pk}:business_review:{period}",
        title="QBR",
        account=account,
        due_at=datetime.combine(due, time(17), UTC),
        created_at=last_month - timedelta(days=9),
    )
    login(page, lead)
    page.click("nav >> text=Reports")
    page.click(f"text={last_month:%B %Y}")
    expect(page.locator("h1")).to_contain_text(f"{last_month:%B %Y}")
    service = page_rows(page, "service-levels")
    assert service[0][:3] == ["Tier 1 Strategic", "1", "12.0"]
    assert download(page, "service-levels") == service
    expect(page.locator("[data-testid=vip-retention]")).to_have_text("50.0%")
    retention = page_rows(page, "retention")
    assert ["VIP retention (%)", "50.0", "2"] in retention
    assert download(page, "retention") == retention
    expect(page.locator("[data-testid=tier1-reviews]")).to_have_text("0 of 1")
    assert download(page, "cadence") == page_rows(page, "cadence")
    recommendations = page_rows(page, "recommendations")
    assert any(r[0] == "Complete the Tier-1 quarterly business reviews" for r in recommendations)
    assert download(page, "recommendations") == recommendations
    page.click("text=←")  # the month before: a different set of figures
    expect(page.locator("[data-testid=missed-count]")).to_have_text("0")
    assert page.console_errors == []


def test_the_interaction_analysis_and_its_csv_agree(page, csm):
    account = make_scored_account(arr=Decimal(300000), csm=csm)
    for days, subject in ((40, "Export to CSV fails"), (5, "CSV export failing again")):
        make_ticket(
            account,
            subject=subject,
            created_at=timezone.now() - timedelta(days=days),
            sentiment=-0.3,
            csat=3,
        )
    login(page, csm)
    page.goto(f"/accounts/{account.pk}/")
    page.click("text=Support-interaction risk analysis")
    expect(page.locator("h1")).to_contain_text("support-interaction risk")
    expect(page.locator("[data-chart=sentiment-chart] .plot-container")).to_be_visible()
    tickets = page_rows(page, "tickets")
    assert len(tickets) == 2
    assert download(page, "tickets") == tickets
    assert download(page, "recurring") == page_rows(page, "recurring")
    assert page.console_errors == []


def test_the_systemic_issues_page_and_its_csv_agree(page, lead):
    account = make_account(arr=Decimal(300000))
    for _ in range(3):
        make_escalation(
            account, type="legal", root_cause_category="Data retention", opened_at=timezone.now()
        )
    login(page, lead)
    page.goto("/escalations/")
    page.click("text=Systemic issues")
    expect(page.locator("h1")).to_have_text("Systemic issues")
    by_type = page_rows(page, "by-type")
    assert by_type[0][0] == "Legal" and by_type[0][4] == "3" and by_type[0][-1] == "yes"
    assert download(page, "by-type") == by_type
    assert download(page, "by-root-cause") == page_rows(page, "by-root-cause")
    page.goto("/reports/escalations/systemic/")  # the old address leads here
    expect(page.locator("h1")).to_have_text("Systemic issues")
    assert page.console_errors == []
