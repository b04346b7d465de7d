"""Only admins (staff in the Admin group) edit policies in /admin/."""

import pytest

from accounts.models import PolicyChange, ScoreWeights
from tests.admin.conftest import form_data
from tests.factories import make_account, make_ticket
from tickets.models import SlaPolicy
from vipdesk.lib.roles import Role, ensure_groups


@pytest.fixture(params=["csm", "lead", "agent_user"])
def non_admin(request):
    return request.getfixturevalue(request.param)


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/admin/tickets/slapolicy/")
    assert response.status_code == 302
    assert response.url == "/login/?next=/admin/tickets/slapolicy/"


def test_it_sends_non_staff_roles_to_the_admin_login(client, non_admin):
    client.force_login(non_admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_it_does_not_let_a_csm_change_a_policy(client, csm):
    sla = SlaPolicy.objects.get(tier=1, priority="P1")
    client.force_login(csm)
    response = client.post(
        f"/admin/tickets/slapolicy/{sla.pk}/change/",
        {"first_response_minutes": 999, "resolution_minutes": 9999},
    )
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    sla.refresh_from_db()
    assert sla.first_response_minutes == 15
    assert not PolicyChange.objects.exists()


def test_it_forbids_policy_edits_to_staff_outside_the_admin_group(client, csm):
    csm.is_staff = True
    csm.save()
    client.force_login(csm)
    weights = ScoreWeights.load()
    response = client.post(
        f"/admin/accounts/scoreweights/{weights.pk}/change/", {"churn_language_points": 99}
    )
    assert response.status_code == 403
    assert ScoreWeights.load().churn_language_points == 44  # the default, unchanged
    assert client.get("/admin/accounts/policychange/").status_code == 403


def test_it_gives_admins_every_policy_table(admin_client):
    index = admin_client.get("/admin/").content.decode()
    for path in [
        "/admin/accounts/tierpolicy/",
        "/admin/accounts/scoreweights/",
        "/admin/tickets/slapolicy/",
        "/admin/tickets/routingpolicy/",
        "/admin/tickets/churnphrase/",
        "/admin/tickets/businesshours/",
        "/admin/tickets/holiday/",
        "/admin/tickets/apitoken/",
        "/admin/escalations/severitypolicy/",
        "/admin/escalations/escalationmatrixlevel/",
        "/admin/accounts/policychange/",
    ]:
        assert path in index
        assert admin_client.get(path, follow=True).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/account/",
        "/admin/accounts/contact/",
        "/admin/accounts/csmnote/",
        "/admin/accounts/scoresnapshot/",
        "/admin/accounts/riskflagfeedback/",
        "/admin/tickets/agent/",
        "/admin/tickets/agentpool/",
        "/admin/tickets/ticket/",
        "/admin/tickets/ticket/?queue__exact=senior&tier__exact=1&status__exact=open",
        "/admin/alerts/alert/",
        "/admin/escalations/escalation/",
    ],
)
def test_it_shows_data_tables_to_admins(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_it_creates_the_role_groups_after_migrating(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.ALL)
    admin_group = Group.objects.get(name=Role.ADMIN)
    assert admin_group.permissions.filter(codename="change_tierpolicy").exists()
    assert (
        not Group.objects.get(name=Role.CSM)
        .permissions.filter(codename__startswith="change_", content_type__model="slapolicy")
        .exists()
    )
    ensure_groups()  # idempotent
    assert Group.objects.filter(name=Role.ADMIN).count() == 1


def test_it_lets_admins_correct_a_ticket_but_not_its_routing(admin_client):
    account = make_account(arr=600_000)
    ticket = make_ticket(account, queue="senior", tier=1, effective_priority="P1")
    url = f"/admin/tickets/ticket/{ticket.pk}/change/"
    page = admin_client.get(url)
    assert set(page.context["adminform"].form.fields) == {"status", "assigned_agent", "csat"}
    response = admin_client.post(url, {"status": "solved", "queue": "general", "csat": 5})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.queue, ticket.csat) == ("solved", "senior", 5)
    assert admin_client.get("/admin/tickets/ticket/add/").status_code == 403


def test_it_retiers_an_account_edited_in_the_admin(admin_client):
    account = make_account("Growing", arr=20_000)
    url = f"/admin/accounts/account/{account.pk}/change/"
    data = form_data(admin_client.get(url), arr="150000")
    data.update(
        {
            "domains-TOTAL_FORMS": "1",
            "domains-INITIAL_FORMS": "1",
            "domains-0-id": account.domains.get().pk,
            "domains-0-account": account.pk,
            "domains-0-domain": account.domains.get().domain,
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    account.refresh_from_db()
    assert account.tier == 2
