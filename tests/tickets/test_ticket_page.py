from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalations.models import Escalation
from tests.factories import (
    make_account,
    make_agent,
    make_contact,
    make_escalation,
    make_ticket,
    make_user,
)
from tests.tickets.conftest import make_vip_ticket
from tickets.models import Reassignment, Ticket, TicketMessage

pytestmark = pytest.mark.django_db


def test_it_shows_account_context_routing_reasons_and_signals(client, agent_user, csm):
    account = make_account(
        "Globex",
        arr=620000,
        csm=csm,
        health_score=62,
        risk_score=78,
        risk_level="high",
        risk_factors=[
            {"name": "Usage dropping", "points": 15, "reason": "WAU −25%"},
            {"name": "Churn language", "points": 25, "reason": "“cancel”"},
        ],
    )
    make_contact(account, "Dana CEO", title="CEO")
    make_escalation(account)
    make_escalation(account, status=Escalation.Status.CLOSED)
    t = make_vip_ticket(
        account,
        possible_vip=True,
        churn_signals=[{"phrase": "cancel", "kind": "direct"}],
        sentiment=-0.6,
        sla_warning_level=1,
    )
    client.force_login(agent_user)
    r = client.get(f"/tickets/{t.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    for text in (
        "Globex",
        "$620,000",
        "Tier 1 Strategic — ARR $620,000",
        "62/100",
        "78/100 · High",
        "Usage dropping",
        "Dana CEO",
        "Possible VIP — verify identity",
        "“cancel”",
        "Tier 1 Strategic — ARR $600,000",
        "Record first response",
        "data-countdown",
    ):
        assert text in html, text
    assert r.context["open_escalations"] == 1
    assert [f["name"] for f in r.context["top_factors"]] == ["Churn language", "Usage dropping"]
    assert "assign_form" not in r.context  # agents don't assign


def test_a_ticket_listed_on_an_account_page_opens_for_the_same_users(client, csm, outsider):
    """One visibility rule: whoever reads an account's page (CSMs cover for each other)
    reads its tickets; working them is for support staff."""
    t = make_vip_ticket(make_account(csm=csm))
    client.force_login(outsider)
    account_page = client.get(f"/accounts/{t.account_id}/").content.decode()
    assert f"/tickets/{t.pk}/" in account_page
    r = client.get(f"/tickets/{t.pk}/")
    assert r.status_code == 200
    assert "Record first response" not in r.content.decode()
    client.force_login(make_user("nobody"))
    assert client.get(f"/tickets/{t.pk}/").status_code == 403


def test_it_answers_404_for_a_missing_ticket(client, lead):
    client.force_login(lead)
    assert client.get("/tickets/999999/").status_code == 404


def test_it_lets_a_lead_assign_an_unassigned_ticket_without_a_note(client, lead):
    t = make_vip_ticket()
    a = make_agent(level=3)
    client.force_login(lead)
    r = client.post(f"/tickets/{t.pk}/assign/", {"agent": a.pk})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.assigned_agent == a
    assert not TicketMessage.objects.filter(ticket=t).exists()


def test_it_requires_a_handoff_note_to_move_a_vip_ticket(client, lead):
    first, second = make_agent(level=3), make_agent(level=3)
    t = make_vip_ticket(assigned_agent=first)
    client.force_login(lead)
    r = client.post(f"/tickets/{t.pk}/assign/", {"agent": second.pk, "note": "  "})
    assert r.status_code == 400
    assert "warm handoff note is required" in r.content.decode()
    t.refresh_from_db()
    assert t.assigned_agent == first

    r = client.post(
        f"/tickets/{t.pk}/assign/", {"agent": second.pk, "note": "Customer on a call with CFO"}
    )
    assert r.status_code == 400
    assert f"Introduce the new agent by name ({second})" in r.content.decode()

    text = f"{second.user.first_name} takes over; customer on a call with CFO"
    r = client.post(f"/tickets/{t.pk}/assign/", {"agent": second.pk, "note": text})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.assigned_agent == second
    note = TicketMessage.objects.get(ticket=t)
    assert note.body == text and note.author == "agent"
    html = client.get(f"/tickets/{t.pk}/").content.decode()
    assert "Internal handoff note" in html and "customer on a call with CFO" in html
    log = Reassignment.objects.get(ticket=t)
    assert (log.from_agent, log.to_agent, log.by, log.handoff_note) == (first, second, lead, note)
    assert log.warm


def test_it_moves_a_standard_ticket_without_a_note(client, lead):
    first, second = make_agent(), make_agent()
    t = make_ticket(make_account(), routed=True, tier=4, assigned_agent=first)
    client.force_login(lead)
    assert client.post(f"/tickets/{t.pk}/assign/", {"agent": second.pk}).status_code == 302


def test_it_refuses_assignment_by_agents_and_csms(client, agent_user, csm):
    a = make_agent(level=3)
    t = make_vip_ticket(make_account(arr=600000, csm=csm))
    for user in (agent_user, csm):
        client.force_login(user)
        assert client.post(f"/tickets/{t.pk}/assign/", {"agent": a.pk}).status_code == 403
    t.refresh_from_db()
    assert t.assigned_agent is None


def test_it_records_the_first_response_once(client, agent_user):
    t = make_vip_ticket(status="new")
    client.force_login(agent_user)
    assert client.post(f"/tickets/{t.pk}/first-response/").status_code == 302
    t.refresh_from_db()
    first = t.first_response_at
    assert first is not None and t.status == Ticket.Status.OPEN
    assert t.sla_due == t.sla_resolution_due
    client.post(f"/tickets/{t.pk}/first-response/")
    t.refresh_from_db()
    assert t.first_response_at == first


def test_it_refuses_first_response_from_csms(client, csm):
    t = make_vip_ticket(make_account(arr=600000, csm=csm))
    client.force_login(csm)
    assert client.post(f"/tickets/{t.pk}/first-response/").status_code == 403


def test_it_requires_post_for_writes(client, lead):
    t = make_vip_ticket()
    client.force_login(lead)
    assert client.get(f"/tickets/{t.pk}/assign/").status_code == 405
    assert client.get(f"/tickets/{t.pk}/first-response/").status_code == 405


def test_it_does_not_query_per_message_or_contact(client, lead):
    account = make_account(arr=600000)
    t = make_vip_ticket(account)
    client.force_login(lead)

    def count(n):
        for i in range(n):
            make_contact(account, title="VP Sales")
            TicketMessage.objects.create(
                ticket=t, body=f"m{i}", created_at=timezone.now() + timedelta(seconds=i)
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/tickets/{t.pk}/").status_code == 200
        return len(ctx)

    assert count(3) == count(30)


def test_it_refuses_to_resolve_a_vip_ticket_without_the_customers_confirmation(client, agent_user):
    t = make_vip_ticket(assigned_agent=make_agent(agent_user, level=3))
    client.force_login(agent_user)
    r = client.post(f"/tickets/{t.pk}/resolve/", {"confirmed_by": "", "reason": ""})
    assert r.status_code == 400
    assert "closed only with the customer&#x27;s confirmation" in r.content.decode()
    t.refresh_from_db()
    assert t.is_open

    r = client.post(
        f"/tickets/{t.pk}/resolve/", {"confirmed_by": "Hank Scorpio", "confirmed_via": "phone"}
    )
    assert r.status_code == 302
    t.refresh_from_db()
    assert (t.status, t.confirmed_by, t.confirmed_via) == ("solved", "Hank Scorpio", "phone")
    assert set(t.tasks.values_list("kind", flat=True)) == {
        "follow_up_check",
        "personal_call",
        "resolution_summary",
    }
    assert (
        "Confirmed by Hank Scorpio (Phone call)" in client.get(f"/tickets/{t.pk}/").content.decode()
    )


def test_resolving_requires_post_and_a_support_role(client, csm):
    t = make_vip_ticket(make_account(arr=600000, csm=csm))
    client.force_login(csm)
    assert client.get(f"/tickets/{t.pk}/resolve/").status_code == 405
    assert client.post(f"/tickets/{t.pk}/resolve/", {"reason": "x"}).status_code == 403
