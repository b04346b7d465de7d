"""Who may open the escalation pages (escalations/access.py)."""

import pytest

from tests.factories import make_escalation, make_user

pytestmark = pytest.mark.django_db

# Every role reads escalations (agents too: the context behind their VIP tickets).
ROLES = ["csm", "lead", "agent_user", "admin_user", "outsider"]


@pytest.fixture
def escalation(account):
    return make_escalation(account)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/escalations/", "/escalations/{id}/"])
def test_it_lets_each_role_read(client, request, escalation, role, path):
    client.force_login(request.getfixturevalue(role))
    assert client.get(path.format(id=escalation.pk)).status_code == 200


@pytest.mark.parametrize("path", ["/escalations/", "/escalations/{id}/"])
def test_it_refuses_a_user_without_a_role(client, escalation, path):
    client.force_login(make_user("nobody"))
    assert client.get(path.format(id=escalation.pk)).status_code == 403


@pytest.mark.parametrize("path", ["/escalations/", "/escalations/{id}/"])
def test_it_sends_anonymous_visitors_to_login(client, escalation, path):
    path = path.format(id=escalation.pk)
    response = client.get(path)
    assert response.status_code == 302 and response.url == f"/login/?next={path}"


@pytest.mark.parametrize("path", ["/escalations/", "/escalations/{id}/"])
def test_it_requires_get(client, csm, escalation, path):
    client.force_login(csm)
    assert client.post(path.format(id=escalation.pk)).status_code == 405
