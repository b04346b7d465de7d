"""POST /escalations/<id>/transition/ with to=acknowledged."""

import pytest

from escalations.models import Escalation
from tests.escalations.conftest import ago
from tests.factories import make_escalation

pytestmark = pytest.mark.django_db


def url(e) -> str:
    return f"/escalations/{e.pk}/transition/"


def test_it_acknowledges(client, csm, account):
    e = make_escalation(account)
    client.force_login(csm)
    response = client.post(url(e), {"to": "acknowledged"})
    assert response.status_code == 302 and response.url == f"/escalations/{e.pk}/#status"
    e.refresh_from_db()
    assert e.status == Escalation.Status.ACKNOWLEDGED
    assert e.acknowledged_at is not None


def test_it_acknowledges_only_once(client, csm, lead, account):
    e = make_escalation(account)
    client.force_login(csm)
    client.post(url(e), {"to": "acknowledged"})
    first = Escalation.objects.get(pk=e.pk).acknowledged_at
    client.force_login(lead)
    response = client.post(url(e), {"to": "acknowledged"}, follow=True)
    assert b"already acknowledged" in response.content
    assert Escalation.objects.get(pk=e.pk).acknowledged_at == first


def test_it_leaves_a_closed_escalation_closed(client, lead, account):
    e = make_escalation(account, status="closed", closed_at=ago(hours=1))
    client.force_login(lead)
    client.post(url(e), {"to": "acknowledged"})
    e.refresh_from_db()
    assert e.status == Escalation.Status.CLOSED and e.acknowledged_at is None


def test_it_requires_post(client, csm, account):
    e = make_escalation(account)
    client.force_login(csm)
    assert client.get(url(e)).status_code == 405
    assert Escalation.objects.get(pk=e.pk).acknowledged_at is None


@pytest.mark.parametrize("role", ["csm", "lead", "admin_user"])
def test_it_lets_the_account_csm_leads_and_admins_acknowledge(client, request, account, role):
    e = make_escalation(account)
    client.force_login(request.getfixturevalue(role))
    assert client.post(url(e), {"to": "acknowledged"}).status_code == 302
    assert Escalation.objects.get(pk=e.pk).acknowledged_at is not None


def test_it_lets_the_owner_acknowledge(client, outsider, account):
    e = make_escalation(account, owner=outsider)
    client.force_login(outsider)
    assert client.post(url(e), {"to": "acknowledged"}).status_code == 302
    assert Escalation.objects.get(pk=e.pk).acknowledged_at is not None


@pytest.mark.parametrize("role", ["agent_user", "outsider"])
def test_it_refuses_others(client, request, account, role):
    e = make_escalation(account)
    client.force_login(request.getfixturevalue(role))
    assert client.post(url(e), {"to": "acknowledged"}).status_code == 403
    assert Escalation.objects.get(pk=e.pk).acknowledged_at is None


def test_it_sends_anonymous_visitors_to_login(client, account):
    e = make_escalation(account)
    response = client.post(url(e), {"to": "acknowledged"})
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert Escalation.objects.get(pk=e.pk).acknowledged_at is None


def test_it_answers_404_for_an_unknown_id(client, lead):
    client.force_login(lead)
    assert client.post("/escalations/999999/acknowledge/").status_code == 404
