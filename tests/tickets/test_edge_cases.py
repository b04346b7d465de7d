"""Seed 002 "Edge cases": an abusive contact reported for manager review, the
account's authorised contacts on the ticket (the possible VIP: tests/intake/test_webhook.py)."""

import pytest

from tests.factories import make_account, make_agent, make_contact, make_pool
from tests.tickets.conftest import make_vip_ticket
from tickets.models import AbuseReport
from vipdesk.tasks.actions import complete_task, skip_task
from vipdesk.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(agent_user, lead):
    agent = make_agent(agent_user, level=3)
    make_pool("Tier 1", tier=1, members=[agent], lead=lead)
    account = make_account("Globex", arr=600000)
    hank = make_contact(account, name="Hank Scorpio", title="CEO")
    return make_vip_ticket(account, contact=hank, assigned_agent=agent)


def test_an_agent_reports_an_abusive_contact_for_the_pool_leads_review(
    client, agent_user, lead, ticket
):
    client.force_login(agent_user)
    r = client.post(f"/tickets/{ticket.pk}/report-abuse/", {"reason": "Threatened the agent"})
    assert r.status_code == 302
    report = AbuseReport.objects.get()
    assert (report.contact, report.reported_by, report.reason) == (
        ticket.contact,
        agent_user,
        "Threatened the agent",
    )
    review = Task.objects.get(kind="abuse_review")
    assert (review.key, review.owner, review.ticket) == (f"abuse:{report.pk}", lead, ticket)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Hank Scorpio was reported as abusive" in html and "awaiting manager review" in html
    # The report follows the contact to their other tickets.
    other = make_vip_ticket(ticket.account, contact=ticket.contact)
    client.force_login(lead)
    assert "awaiting manager review" in client.get(f"/tickets/{other.pk}/").content.decode()
    complete_task(review, by=lead)
    assert "upheld by" in client.get(f"/tickets/{other.pk}/").content.decode()


def test_a_dismissed_report_says_why(client, agent_user, lead, ticket):
    client.force_login(agent_user)
    client.post(f"/tickets/{ticket.pk}/report-abuse/", {"reason": "Shouted"})
    skip_task(Task.objects.get(kind="abuse_review"), by=lead, reason="Frustrated, not abusive")
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "dismissed: Frustrated, not abusive" in html


def test_reporting_needs_a_reason_a_support_role_and_post(client, agent_user, csm, ticket):
    client.force_login(agent_user)
    assert client.post(f"/tickets/{ticket.pk}/report-abuse/", {"reason": " "}).status_code == 400
    assert client.get(f"/tickets/{ticket.pk}/report-abuse/").status_code == 405
    ticket.account.csm = csm
    ticket.account.save()
    client.force_login(csm)
    assert client.post(f"/tickets/{ticket.pk}/report-abuse/", {"reason": "x"}).status_code == 403
    assert not AbuseReport.objects.exists()


def test_the_ticket_shows_the_accounts_authorised_contacts(client, agent_user, ticket):
    make_contact(ticket.account, name="Mindy Park", title="VP Eng", is_authorized=True)
    make_contact(ticket.account, name="Joe Bloggs", title="Engineer")
    client.force_login(agent_user)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    authorised = html.split('data-testid="authorized-contacts"')[1].split("</ul>")[0]
    assert "Mindy Park" in authorised and "Joe Bloggs" not in authorised
