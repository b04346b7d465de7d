"""The account 360 page: /accounts/<id>/ and its forms."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, CsmNote
from tests.accounts.helpers import make_feedback, make_scored_account, make_snapshots
from tests.factories import make_contact, make_escalation, make_ticket


def url(account, action: str = "") -> str:
    return f"/accounts/{account.pk}/{action + '/' if action else ''}"


@pytest.mark.django_db
class TestAccountPage:
    def test_it_shows_the_handoff_before_a_call(self, client, csm, lead):
        account = make_scored_account(
            "Globex",
            risk=92,
            health=41,
            arr=Decimal(620000),
            renewal_in=41,
            csm=csm,
            account_manager=lead,
            executive_sponsor="Dana Whitfield, VP Sales",
            plan="Enterprise",
            contract_start=date(2024, 1, 15),
            nps=12,
            previous_nps=40,
            usage_trend_pct=-25.0,
            weekly_active_users=[120, 118, 110, 95, 90, 80],
            expansion_opportunity=Decimal(80000),
        )
        make_contact(account, "Hank Scorpio", title="CEO")
        make_contact(account, "Lisa Champion", title="Ops manager", is_champion=True)
        client.force_login(csm)
        response = client.get(url(account))
        html = response.content.decode()
        assert response.status_code == 200
        assert "$620,000" in html and "Tier 1 Strategic — ARR $620,000" in html
        assert "plan Enterprise" in html and "contract since Jan 15, 2024" in html
        assert "in 41 days" in html
        assert "Hank Scorpio" in html and "badge-exec" in html
        assert "Lisa Champion" in html and "Champion" in html
        assert "Dana Whitfield, VP Sales" in html and "Lead" in html
        assert "(previously 40)" in html and "-25% over 4 weeks" in html
        assert "80 weekly active users" in html
        assert "$80,000" in html
        # Risk factors with points and reasons, and the recommended approach.
        assert "Churn language" in html and "+25" in html and "Renewal proximity" in html
        recs = response.context["recommendations"]
        assert recs[0].action.startswith("Executive outreach within 48 h")
        assert recs[0].reason == "risk 92 and renewal in 41 days"
        assert "risk 92 and renewal in 41 days" in html

    def test_it_lists_recent_tickets_with_resolution_times_csat_and_counts(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        created = timezone.now() - timedelta(hours=10)
        make_ticket(
            account,
            "SSO broken",
            status="solved",
            created_at=created,
            resolved_at=created + timedelta(hours=5),
            csat=4,
        )
        make_ticket(account, "Invoice question", status="open")
        make_ticket(account, "Older", status="closed", created_at=created - timedelta(days=2))
        client.force_login(csm)
        response = client.get(url(account))
        html = response.content.decode()
        assert "SSO broken" in html and "5.0 h" in html
        assert "3 tickets: 1 open, 1 solved, 1 closed" in html
        assert "CSAT 4.0/5" in html
        assert [t.subject for t in response.context["tickets"]] == [
            "Invoice question",
            "SSO broken",
            "Older",
        ]

    def test_it_shows_only_open_escalations(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        make_escalation(account, summary="Outage in EU region", severity="critical")
        make_escalation(account, summary="Old billing dispute", status="closed")
        client.force_login(csm)
        html = client.get(url(account)).content.decode()
        assert "Outage in EU region" in html
        assert "Old billing dispute" not in html

    def test_it_passes_the_score_history_chart_as_json_data(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        make_snapshots(account, days=30)
        client.force_login(csm)
        response = client.get(url(account))
        html = response.content.decode()
        assert '<script id="history-chart-data" type="application/json">' in html
        assert 'data-chart="history-chart-data"' in html
        assert "vendor/plotly.min.js" in html and "js/charts.js" in html
        figure = response.context["history_chart"]
        assert [t["name"] for t in figure["data"]] == ["Health", "Risk"]
        assert len(figure["data"][0]["x"]) == 30

    def test_it_leaves_out_plotly_without_chart_data(self, client, csm):
        account = make_scored_account("Globex", csm=csm, weekly_active_users=[])
        client.force_login(csm)
        html = client.get(url(account)).content.decode()
        assert "plotly.min.js" not in html
        assert "No score history yet." in html

    def test_it_shows_forms_only_to_those_who_may_change_the_account(
        self, client, csm, outsider, agent_user
    ):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(csm)
        assert "Add note" in client.get(url(account)).content.decode()
        for user in (outsider, agent_user):
            client.force_login(user)
            response = client.get(url(account))
            assert response.status_code == 200
            assert "Add note" not in response.content.decode()
            assert "Save intervention" not in response.content.decode()

    def test_it_pins_the_query_count(self, client, csm, lead):
        client.force_login(csm)

        def fill(account, n: int) -> None:
            for i in range(n):
                make_contact(account, f"Person {i}", title="VP Ops" if i % 2 else "Engineer")
                make_ticket(account, f"Ticket {i}", csat=3, status="solved" if i % 2 else "open")
                CsmNote.objects.create(account=account, author=csm, body=f"Note {i}")
                make_escalation(account, owner=lead)
                make_feedback(account, "accurate", user=csm)
            make_snapshots(account, days=n)

        small = make_scored_account("Small", csm=csm, intervention_owner=lead)
        big = make_scored_account("Big", csm=csm, intervention_owner=lead)
        fill(small, 3)
        fill(big, 30)
        counts = []
        for account in (small, big):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url(account)).status_code == 200
            counts.append(len(ctx.captured_queries))
        # session, user, roles, account, contacts, tickets, status counts, notes, escalations,
        # snapshots, feedback, tier bands, weights, owner choices, alerts, open tasks,
        # session save (3)
        assert counts[0] == counts[1] == 19, counts


@pytest.mark.django_db
class TestNotes:
    def test_it_adds_a_note_and_lists_notes_newest_first(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        CsmNote.objects.create(account=account, author=csm, body="First call went well")
        client.force_login(csm)
        response = client.post(url(account, "notes"), {"body": "Champion left the company"})
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/{account.pk}/#notes"
        notes = client.get(url(account)).context["notes"]
        assert [n.body for n in notes] == ["Champion left the company", "First call went well"]
        assert notes[0].author == csm

    def test_it_rejects_an_empty_note(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(csm)
        response = client.post(url(account, "notes"), {"body": "   "})
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()
        assert not CsmNote.objects.exists()

    def test_it_requires_post(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(csm)
        assert client.get(url(account, "notes")).status_code == 405

    def test_it_forbids_other_csms_and_agents(self, client, csm, outsider, agent_user):
        account = make_scored_account("Globex", csm=csm)
        for user in (outsider, agent_user):
            client.force_login(user)
            assert client.post(url(account, "notes"), {"body": "x"}).status_code == 403
        assert not CsmNote.objects.exists()


@pytest.mark.django_db
class TestIntervention:
    def test_it_sets_the_intervention_and_its_owner(self, client, csm, lead):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(csm)
        response = client.post(
            url(account, "intervention"),
            {"intervention_status": "in_progress", "intervention_owner": lead.pk},
        )
        assert response.status_code == 302
        account.refresh_from_db()
        assert account.intervention_status == "in_progress"
        assert account.intervention_owner == lead

    def test_it_needs_an_owner_for_a_planned_intervention(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(csm)
        response = client.post(url(account, "intervention"), {"intervention_status": "planned"})
        assert response.status_code == 400
        assert "needs an owner" in response.content.decode()
        account.refresh_from_db()
        assert account.intervention_status == Account.Intervention.NONE

    def test_it_refuses_an_owner_who_is_not_staff_of_a_role(self, client, csm, agent_user):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(csm)
        response = client.post(
            url(account, "intervention"),
            {"intervention_status": "planned", "intervention_owner": agent_user.pk},
        )
        assert response.status_code == 400

    def test_it_forbids_other_csms(self, client, csm, outsider):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(outsider)
        response = client.post(url(account, "intervention"), {"intervention_status": "done"})
        assert response.status_code == 403

    def test_it_requires_post(self, client, csm):
        account = make_scored_account("Globex", csm=csm)
        client.force_login(csm)
        assert client.get(url(account, "intervention")).status_code == 405


@pytest.mark.django_db
def test_it_serialises_chart_json_without_breaking_out_of_the_script(client, csm):
    account = make_scored_account("Globex", csm=csm, weekly_active_users=[1, 2, 3])
    client.force_login(csm)
    html = client.get(url(account)).content.decode()
    start = html.index('<script id="usage-chart-data" type="application/json">')
    payload = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    assert json.loads(payload)["data"][0]["y"] == [1, 2, 3]
