"""The VIP dashboard (/ for leads and admins, /dashboard/) and the home page per role."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.accounts.helpers import make_scored_account
from tests.factories import make_agent, make_escalation, make_pool, make_ticket
from tickets import snapshots
from tickets.models import PtoPeriod, Snapshot
from vipdesk.insight.dashboard import (
    FIGURES,
    WINDOW_DAYS,
    active_vip_tickets,
    aggregates,
    at_risk_vip_accounts,
    compute_aggregates,
    pool_status,
    refresh_figures,
    sponsor_coverage,
    tier_rows,
)


@pytest.fixture
def now():
    return timezone.now()


def vip_ticket(account, now, *, minutes_to_first_response=None, **kw):
    kw.setdefault("tier", account.tier)
    kw.setdefault("created_at", now - timedelta(hours=1))
    created = kw["created_at"]
    if minutes_to_first_response is not None:
        kw["first_response_at"] = created + timedelta(minutes=minutes_to_first_response)
    kw.setdefault("sla_first_response_due", created + timedelta(minutes=15))
    kw.setdefault("sla_resolution_due", created + timedelta(hours=24))
    return make_ticket(account, **kw)


@pytest.mark.django_db
class TestMetrics:
    def test_it_counts_accounts_and_arr_per_tier(self, now):
        make_scored_account(arr=Decimal(600000))
        make_scored_account(arr=Decimal(700000))
        make_scored_account(arr=Decimal(150000))
        make_scored_account(arr=Decimal(1000))
        rows = {r.tier: r for r in tier_rows(now - timedelta(days=WINDOW_DAYS))}
        assert (rows[1].accounts, rows[1].arr) == (2, Decimal(1300000))
        assert (rows[2].accounts, rows[3].accounts, rows[4].accounts) == (1, 0, 1)

    def test_it_measures_first_response_resolution_csat_and_sla_per_tier(self, now):
        account = make_scored_account(arr=Decimal(600000))
        vip_ticket(account, now, minutes_to_first_response=10, csat=5)
        vip_ticket(
            account,
            now,
            minutes_to_first_response=20,
            csat=4,
            resolved_at=now - timedelta(minutes=0),
            status="solved",
        )
        vip_ticket(account, now)  # not answered yet: no response time
        vip_ticket(account, now - timedelta(days=40), minutes_to_first_response=500)  # too old
        row = tier_rows(now - timedelta(days=WINDOW_DAYS))[0]
        assert row.tickets == 3
        assert row.avg_first_response_min == pytest.approx(15)
        assert (row.within_sla, row.with_sla) == (1, 2) and row.pct_within_sla == 50
        assert row.avg_resolution_hours == pytest.approx(1)
        assert row.csat == pytest.approx(4.5) and row.csat_responses == 2
        # Tier 1 P3 SLA from the default policies (30 min, 24/7).
        assert row.sla_first_response_min == 30 and row.sla_calendar == "24/7"
        assert row.meets_first_response is True

    def test_it_counts_escalations_per_100_accounts(self, now):
        accounts = [make_scored_account(arr=Decimal(150000)) for _ in range(4)]
        make_escalation(accounts[0])
        make_escalation(accounts[1], opened_at=now - timedelta(days=90))  # outside the window
        rows = {r.tier: r for r in tier_rows(now - timedelta(days=WINDOW_DAYS))}
        assert rows[2].escalations == 1 and rows[2].escalations_per_100 == 25

    def test_it_lists_active_vip_tickets_soonest_deadline_first(self, now):
        account = make_scored_account(arr=Decimal(600000))
        later = vip_ticket(account, now, sla_first_response_due=now + timedelta(minutes=50))
        sooner = vip_ticket(account, now, sla_first_response_due=now + timedelta(minutes=5))
        answered = vip_ticket(
            account,
            now,
            minutes_to_first_response=5,
            sla_resolution_due=now + timedelta(minutes=20),
            status="open",
        )
        vip_ticket(account, now, status="solved")
        standard = make_scored_account(arr=Decimal(100))
        make_ticket(standard, tier=4, sla_first_response_due=now)
        assert [t.pk for t in active_vip_tickets()] == [sooner.pk, answered.pk, later.pk]

    def test_it_reports_pool_members_shift_pto_and_vip_load(self, now):
        on = make_agent()
        off = make_agent(on_shift=False)
        away = make_agent()
        PtoPeriod.objects.create(agent=away, starts=date.today(), ends=date.today())
        pool = make_pool("Tier 1 pool", tier=1, members=[on, off, away])
        vip = make_scored_account(arr=Decimal(600000))
        std = make_scored_account(arr=Decimal(100))
        make_ticket(vip, tier=1, assigned_agent=on, status="open")
        make_ticket(vip, tier=1, assigned_agent=off, status="solved")
        make_ticket(std, tier=4, assigned_agent=on, status="open")
        [row] = pool_status(date.today(), cap_pct=40)
        assert (row.name, row.tier) == (pool.name, pool.tier)
        assert (row.members, row.on_shift, row.on_pto) == (3, 2, 1)
        assert (row.open_vip, row.open_all) == (1, 2)
        assert row.vip_share_pct == 50 and row.over_cap

    def test_it_reports_executive_sponsor_coverage(self):
        for _ in range(3):
            make_scored_account(arr=Decimal(600000), executive_sponsor="Dana VP")
        make_scored_account(arr=Decimal(600000))
        make_scored_account(arr=Decimal(150000), executive_sponsor="Sam Director")
        make_scored_account(arr=Decimal(100))  # Standard: not counted
        coverage = sponsor_coverage()
        assert coverage.vip_accounts == 5 and coverage.vip_without_sponsor == 1
        assert coverage.tier1_accounts == 4 and coverage.tier1_without_sponsor == 1
        assert coverage.sponsors == 2
        assert coverage.top == [("Dana VP", 3, 3), ("Sam Director", 1, 0)]

    def test_it_lists_at_risk_vip_accounts_by_risk(self):
        make_scored_account("Std", risk=99, arr=Decimal(100))
        make_scored_account("Calm", risk=10, arr=Decimal(600000))
        make_scored_account("Hot", risk=80, arr=Decimal(150000))
        make_scored_account("Hotter", risk=95, arr=Decimal(600000))
        assert [a.name for a in at_risk_vip_accounts()] == ["Hotter", "Hot"]


@pytest.mark.django_db
class TestDashboardPage:
    def test_it_renders_numbers_and_charts_for_leads(self, client, lead, now):
        account = make_scored_account("Globex", risk=92, arr=Decimal(600000))
        vip_ticket(account, now, minutes_to_first_response=10, subject="API outage")
        client.force_login(lead)
        response = client.get("/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "VIP support dashboard" in html
        assert "$600,000" in html and "API outage" in html and "Globex" in html
        assert 'data-chart="arr-chart-data"' in html and 'data-chart="fr-chart-data"' in html
        assert "vendor/plotly.min.js" in html
        assert "wall clock" in html
        arr = response.context["arr_chart"]["data"][0]
        assert arr["x"][0] == "Tier 1 Strategic" and arr["y"][0] == 600000

    def test_it_pins_the_query_count(self, client, lead, now):
        client.force_login(lead)

        def fill(n: int) -> None:
            for i in range(n):
                account = make_scored_account(
                    risk=80 + i % 10,
                    arr=Decimal(100000 + 250000 * (i % 3)),
                    executive_sponsor=f"S{i % 4}",
                )
                agent = make_agent()
                make_pool(tier=1 + i % 3, members=[agent])
                vip_ticket(account, now, minutes_to_first_response=5, csat=4, assigned_agent=agent)
                make_escalation(account)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/").status_code == 200
            return len(ctx.captured_queries)

        fill(3)
        first_few, warm_few = count(), count()
        Snapshot.objects.all().delete()
        fill(27)
        first_many, warm_many = count(), count()
        # session, user, roles, the stored aggregates, active tickets, at-risk accounts,
        # alerts, open tasks, session save (3); the first request also computes the
        # missing aggregates (without Redis: at once)
        assert warm_few == warm_many == 11
        assert first_few == first_many

    def test_it_reads_the_aggregates_the_job_stored(self, client, lead, now):
        client.force_login(lead)
        make_scored_account("Early", arr=Decimal(600000))
        assert client.get("/").context["d"].vip_accounts == 1
        make_scored_account("Late", arr=Decimal(600000), risk=95)
        response = client.get("/")
        assert response.context["d"].vip_accounts == 1  # as stored
        assert "Late" in response.content.decode()  # the at-risk list is live
        assert "Tier figures, sponsor coverage and pool load as of" in response.content.decode()
        refresh_figures()
        assert client.get("/").context["d"].vip_accounts == 2

    def test_it_stores_what_it_computes(self, now):
        agent = make_agent()
        make_pool("Tier 1 pool", tier=1, members=[agent])
        account = make_scored_account(arr=Decimal(600000), executive_sponsor="Dana VP")
        vip_ticket(account, now, minutes_to_first_response=5, csat=4, assigned_agent=agent)
        make_escalation(account)
        refresh_figures(now)
        computed = compute_aggregates(now)
        stored = aggregates(snapshots.read(FIGURES, refresh_figures, now))
        assert stored == computed
        assert stored.tiers[0].tickets == 1 and stored.tiers[0].arr == Decimal(600000)
        assert stored.sponsors.top == [("Dana VP", 1, 1)]
        assert stored.pools[0].open_vip == 1


@pytest.mark.django_db
class TestHome:
    def test_it_shows_the_dashboard_to_leads_and_admins(self, client, lead, admin_user):
        for user in (lead, admin_user):
            client.force_login(user)
            response = client.get("/")
            assert response.status_code == 200
            assert response.templates[0].name == "insight/dashboard.html"

    def test_it_shows_csms_their_own_accounts_at_the_same_url(self, client, csm, outsider):
        make_scored_account("Mine", csm=csm)
        make_scored_account("Theirs", csm=outsider, risk=99)
        client.force_login(csm)
        response = client.get("/")
        assert response.status_code == 200
        assert response.templates[0].name == "insight/board.html"
        assert [a.name for a in response.context["page"].rows] == ["Mine"]
        assert "My accounts" in response.content.decode()

    def test_it_sends_agents_to_the_queue(self, client, agent_user):
        client.force_login(agent_user)
        response = client.get("/")
        assert response.status_code == 302 and response["Location"] == "/queue/"

    def test_it_lets_csms_open_the_dashboard(self, client, csm):
        client.force_login(csm)
        assert client.get("/dashboard/").status_code == 200
