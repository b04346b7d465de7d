"""/reports/escalations/ (+ the escalations behind a figure, the systemic view and the
CSV of every table): it works, it checks access, its query count does not grow."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from escalations import reports
from escalations.models import EscalationMonthTotals
from tests.factories import make_account, make_escalation
from tests.reports.history import NOW, build

PERIOD = "from=2026-11-01&to=2026-12-01"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body, newline="")))


@pytest.fixture
def history(db):
    with time_machine.travel(NOW, tick=False):
        yield build()


def test_it_shows_the_metrics_with_targets_and_marks(client, lead, history):
    client.force_login(lead)
    response = client.get(f"/reports/escalations/?{PERIOD}")
    assert response.status_code == 200
    metrics = response.context["tables"][0]
    assert metrics.name == "metrics"
    rows = {r[0]: r for r in metrics.rows}
    # Values as the page shows them (see test_metrics for the worked-out figures).
    assert rows["Mean time to resolution"][1:] == [35.33, "< 24", "missed", 3]
    assert rows["SLA compliance (%)"][1:] == [40.0, "> 95", "missed", 5]
    assert rows["Post-escalation CSAT"][1:] == [4.0, "> 4", "missed", 2]
    assert rows["Re-escalation rate (%)"][1:] == [33.3, "< 10", "missed", 6]
    assert "chart-mttr_hours" in response.content.decode()


def test_each_figure_links_to_the_escalations_behind_it(client, lead, history):
    client.force_login(lead)
    page = client.get(f"/reports/escalations/?{PERIOD}")
    link = page.context["tables"][0].links[1]  # SLA compliance
    assert "rows=judged" in link
    rows = client.get(link)
    assert rows.status_code == 200
    codes = {r[0] for r in rows.context["table"].rows}
    e = history
    assert codes == {x.code for x in (e["e1"], e["e2"], e["e3"], e["e5"], e["e9"])}


def test_it_exports_every_table_as_csv_with_the_page_numbers(client, lead, history):
    client.force_login(lead)
    page = client.get(f"/reports/escalations/?{PERIOD}&tier=1")
    for table in page.context["tables"]:
        response = client.get(f"/reports/escalations/{table.name}.csv?{PERIOD}&tier=1")
        assert response.status_code == 200
        header, *lines = read_csv(response)
        assert header == list(table.header)
        assert len(lines) == len(table.rows)
        for line, row in zip(lines, table.rows, strict=True):
            assert line == ["" if v is None else str(v) for v in row]


def test_the_rows_csv_holds_every_escalation_safely(client, lead, db):
    account = make_account("=cmd|' /C calc'!A0", arr=1000)
    make_escalation(account, summary="@SUM(1+1)")
    client.force_login(lead)
    response = client.get("/reports/escalations/rows.csv?from=2020-01-01&to=2100-01-01")
    header, line = read_csv(response)
    assert header[:3] == ["code", "account", "tier"]
    assert line[1].startswith("'=") and line[12] == "'@SUM(1+1)"


def test_bad_filters_answer_400_with_the_form(client, lead, db):
    client.force_login(lead)
    response = client.get("/reports/escalations/?from=2026-12-01&to=2026-11-01")
    assert response.status_code == 400
    assert "must be after" in response.content.decode()


def test_it_defaults_to_the_last_three_months(client, lead, db):
    client.force_login(lead)
    assert client.get("/reports/escalations/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/reports/escalations/",
        "/reports/escalations/escalations/",
        "/reports/escalations/metrics.csv",
        "/reports/escalations/rows.csv",
    ],
)
def test_it_is_for_leads_and_admins(client, csm, agent_user, admin_user, url):
    for user, status in ((csm, 403), (agent_user, 403), (admin_user, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.logout()
    assert client.get(url).status_code == 302


def test_it_requires_get(client, lead):
    client.force_login(lead)
    assert client.post("/reports/escalations/").status_code == 405


def test_an_unknown_table_is_404(client, lead, db):
    client.force_login(lead)
    assert client.get(f"/reports/escalations/nope.csv?{PERIOD}").status_code == 404


def count_queries(client, url) -> int:
    cache.clear()  # the pages cache what they build
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_its_query_count_does_not_grow_with_escalations(client, lead, history):
    client.force_login(lead)
    reports.refresh_trend(NOW)  # the job ran (else the first view computes the trend)
    urls = [
        f"/reports/escalations/?{PERIOD}",
        f"/reports/escalations/escalations/?{PERIOD}&rows=judged",
        "/escalations/systemic/",
    ]
    few = [count_queries(client, url) for url in urls]
    for i in range(10):
        account = make_account(arr=150000 + i)
        make_escalation(account, severity="low", type="legal", opened_at=history["e1"].opened_at)
    assert [count_queries(client, url) for url in urls] == few


def test_the_page_is_cached_for_a_minute_and_says_as_of_when(client, lead, history):
    client.force_login(lead)
    url = f"/reports/escalations/?{PERIOD}"
    first = client.get(url)
    make_escalation(make_account(arr=1000), opened_at=history["e1"].opened_at)
    assert client.get(url).context["report"].totals.count == 6  # still the cached one
    assert "Figures as of" in first.content.decode()
    cache.clear()
    # November is a whole month: read from the rollup, which the job refreshes.
    assert client.get(url).context["report"].totals.count == 6
    reports.refresh_trend()
    cache.clear()
    assert client.get(url).context["report"].totals.count == 7


def test_whole_months_come_from_the_rollup_and_the_days_around_them_live(
    client, lead, csm, history
):
    client.force_login(lead)
    period = "from=2026-10-15&to=2026-12-05"  # half of October, November, 4 days of December
    with time_machine.travel(NOW, tick=False):
        report = client.get(f"/reports/escalations/?{period}").context["report"]
        assert report.whole_months_at == NOW  # the rollup computed on first use
        # The same figures as the live API: e1-e9 plus the two either side of November.
        form = reports.ReportFilters(QueryDict(period))
        assert form.is_valid()
        live = reports.summary(form, NOW)
        assert reports.figures(report.totals, report.accounts) == {
            k: v for k, v in live.items() if k != "targets"
        }
        assert report.totals.count == 8
        october = make_account(arr=1000)
        make_escalation(october, opened_at=datetime(2026, 10, 20, tzinfo=UTC))  # an edge day
        make_escalation(october, opened_at=datetime(2026, 11, 20, tzinfo=UTC))  # a whole month
        cache.clear()
        report = client.get(f"/reports/escalations/?{period}").context["report"]
        assert report.totals.count == 9  # the edge is live, November waits for the job
        page = client.get(f"/reports/escalations/?{PERIOD}&csm={csm.pk}")
        assert page.context["report"].whole_months_at is None  # a CSM's: all live


def test_the_trend_comes_from_its_rollup_which_says_when_it_was_computed(client, lead, history):
    client.force_login(lead)
    url = f"/reports/escalations/?{PERIOD}"
    with time_machine.travel(NOW, tick=False):
        page = client.get(url)  # the job never ran: the first view computes the rollup
    november = dict(page.context["report"].trend)[history["e1"].opened_at.date().replace(day=1)]
    assert november["count"] == 6 and page.context["report"].trend_at == NOW
    assert EscalationMonthTotals.objects.filter(month="2026-11-01").count() > 1
    make_escalation(make_account(arr=1000), opened_at=history["e1"].opened_at)
    later = NOW + timedelta(minutes=45)
    with time_machine.travel(later, tick=False):
        cache.clear()
        page = client.get(url)
        report = page.context["report"]
        assert report.totals.count == 6  # November, a whole month: from the rollup
        assert dict(report.trend)[date(2026, 11, 1)]["count"] == 6
        assert report.trend_stale and b"stale: its refresh job" in page.content
        reports.refresh_trend()
        cache.clear()
        report = client.get(url).context["report"]
        assert dict(report.trend)[date(2026, 11, 1)]["count"] == report.totals.count == 7
        assert report.trend_at == later and not report.trend_stale


def test_a_filtered_trend_adds_up_the_rollups_groups_and_one_csms_is_read_live(
    client, lead, history
):
    reports.refresh_trend(NOW)
    client.force_login(lead)
    with time_machine.travel(NOW, tick=False):
        tier1 = client.get(f"/reports/escalations/?{PERIOD}&tier=1").context["report"]
        high = client.get(f"/reports/escalations/?{PERIOD}&severity=high").context["report"]
    assert dict(tier1.trend)[date(2026, 11, 1)]["count"] == 3  # e1, e2, e9
    assert dict(tier1.trend)[date(2026, 10, 1)]["count"] == 1  # opened 31 Oct 23:59
    assert dict(high.trend)[date(2026, 11, 1)]["count"] == 2  # e2, e3


def test_one_csms_trend_is_read_live(client, lead, csm, history):
    reports.refresh_trend(NOW)
    mine = make_account(arr=1000, csm=csm)
    make_escalation(mine, opened_at=history["e1"].opened_at)
    client.force_login(lead)
    with time_machine.travel(NOW, tick=False):
        everyone = client.get(f"/reports/escalations/?{PERIOD}").context["report"]
        theirs = client.get(f"/reports/escalations/?{PERIOD}&csm={csm.pk}").context["report"]
    assert dict(everyone.trend)[date(2026, 11, 1)]["count"] == 6  # the rollup, before it
    assert dict(theirs.trend)[date(2026, 11, 1)]["count"] == 1
