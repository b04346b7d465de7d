"""/escalations/<id>/: the detail page."""

from decimal import Decimal

import pytest

from escalations import actions
from escalations.actions import transition
from escalations.forecast import refresh_figures as refresh_forecast_figures
from escalations.models import RoleHolder
from tests.escalations.conftest import ago
from tests.factories import make_escalation, make_ticket, make_user
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.django_db


def test_it_shows_the_escalation_and_its_account(client, csm, account):
    owner = make_user("olivia", Role.CSM, first_name="Olivia", last_name="Owner")
    e = make_escalation(
        account,
        severity="critical",
        level=1,
        owner=owner,
        type="executive",
        summary="CFO threatens to cancel after the billing outage",
    )
    client.force_login(csm)
    response = client.get(f"/escalations/{e.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"ESC-{e.pk:04d}" in body
    assert "CFO threatens to cancel after the billing outage" in body
    assert "Executive" in body and "Critical" in body and "Olivia Owner" in body
    assert "$620,000" in body and "badge-platinum" in body and "Tier 1 Strategic" in body
    assert account.renewal_date.strftime("%b %-d, %Y") in body
    assert "Csm" in body  # the account's CSM (first name from the factory)
    assert ">88<" in body and "High" in body
    assert f'href="/accounts/{account.pk}/"' in body


def test_it_shows_the_escalation_path_with_the_current_level(client, csm, account):
    e = make_escalation(account, severity="critical", level=1)
    client.force_login(csm)
    body = client.get(f"/escalations/{e.pk}/").content.decode()
    for owners in ("CSM + Manager", "VP CS + VP Eng", "CRO + CTO"):
        assert owners in body
    current = body.split('data-current="true"')[1].split("</tr>")[0]
    assert "VP CS + VP Eng" in current
    assert body.count('data-current="true"') == 1


def test_it_shows_the_sla_and_the_timeline(client, csm, account):
    e = make_escalation(account, severity="high", opened_at=ago(hours=6))
    transition(e, "acknowledged", by=csm, now=ago(hours=5))
    client.force_login(csm)
    body = client.get(f"/escalations/{e.pk}/").content.decode()
    timeline = body.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert ago(hours=5).strftime("%H:%M") in timeline and "Acknowledged by Csm." in timeline
    assert ">met<" in body  # acknowledged within 4 h
    assert "data-countdown" in body  # the resolution clock runs
    assert "Acknowledge</button>" not in body


def test_it_marks_a_breached_response(client, csm, account):
    e = make_escalation(account, severity="critical", opened_at=ago(hours=3))
    client.force_login(csm)
    body = client.get(f"/escalations/{e.pk}/").content.decode()
    assert 'class="sla-breached"' in body and "breached " in body


def test_it_links_the_tickets(client, csm, account):
    t1 = make_ticket(account, subject="Invoices are wrong")
    t2 = make_ticket(account, subject="Still wrong")
    e = make_escalation(account)
    e.tickets.set([t1, t2])
    client.force_login(csm)
    body = client.get(f"/escalations/{e.pk}/").content.decode()
    assert f'href="/tickets/{t1.pk}/"' in body and f'href="/tickets/{t2.pk}/"' in body
    assert "Invoices are wrong" in body


def test_it_escapes_the_summary(client, csm, account):
    e = make_escalation(account, summary='<script>alert("x")</script><img src=x onerror=y>')
    client.force_login(csm)
    body = client.get(f"/escalations/{e.pk}/").content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_it_offers_acknowledge_to_those_who_may(client, csm, agent_user, account):
    e = make_escalation(account)
    client.force_login(csm)
    assert b"Acknowledge</button>" in client.get(f"/escalations/{e.pk}/").content
    client.force_login(agent_user)
    assert b"Acknowledge</button>" not in client.get(f"/escalations/{e.pk}/").content


@pytest.mark.parametrize("path", ["/escalations/999999/", "/escalations/99999999999999999999/"])
def test_it_answers_404_for_an_unknown_id(client, csm, path):
    client.force_login(csm)
    assert client.get(path).status_code == 404


PAGE_QUERIES = 25
# session, user, roles (3); escalation with account, CSM, owner, post-mortem; severity
# policies; playbook policy; role holders; events; matrix; actions; risks; goodwill;
# type owners; plan; communications; stakeholders; approval rules; tickets; unread
# alerts; open tasks; session refresh; re-escalation flags; the forecast's stored
# groups (escalations/forecast.py; computed by their job). The forms come when opened
# (/escalations/<id>/forms/<name>/).


def fill(e, by, n: int) -> None:
    """n of everything the page lists."""
    RoleHolder.objects.get_or_create(role="cs_manager", user=by)
    for i in range(n):
        e.tickets.add(make_ticket(e.account))
        actions.add_action(e, by=by, horizon="immediate", description=f"Step {i}", owner=by,
                           due_at=ago(hours=1))  # fmt: skip
        actions.log_communication(e, by=by, at=ago(minutes=i), type="email", to_customer=True,
                                  recipient="Pat", summary="Update")  # fmt: skip
        actions.add_plan_item(e, by=by, audience="Customer", message="m", channel="Email",
                              timing="daily")  # fmt: skip
        actions.add_stakeholder(e, by=by, name=f"S{i}", role="Eng", ask="Fix")
        actions.request_goodwill(e, by=by, kind="credit", amount=Decimal(100 + i), months=None,
                                 duration="", reason="")  # fmt: skip
    actions.set_risk(e, by=by, kind="churn", probability=3, impact=3, mitigation="Call")


@pytest.mark.parametrize("n", [0, 1, 12])
def test_it_runs_a_constant_number_of_queries(client, csm, account, django_assert_num_queries, n):
    e = make_escalation(account)
    fill(e, csm, n)
    for i in range(n):  # n past escalations behind the forecast, too
        make_escalation(
            account, opened_at=ago(hours=50 + i), status="closed", closed_at=ago(hours=i)
        )
    refresh_forecast_figures()
    client.force_login(csm)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(f"/escalations/{e.pk}/").status_code == 200


def test_the_print_view_has_the_report_without_forms(client, csm, account):
    e = make_escalation(account)
    fill(e, csm, 2)
    client.force_login(csm)
    body = client.get(f"/escalations/{e.pk}/print/").content.decode()
    assert "Escalation Management Report" in body and "Step 1" in body
    assert "<form" not in body
