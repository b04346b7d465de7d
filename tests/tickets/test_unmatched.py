import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_account, make_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def unmatched(**kw):
    kw.setdefault("requester_email", "someone@unknown.example")
    return make_ticket(None, routed=True, queue="unmatched", **kw)


def test_it_lists_unmatched_tickets_with_domain_suggestions(client, agent_user):
    acme = make_account("Acme", arr=600000, domain="acme.example")
    t = unmatched(requester_email="pat@acme.example", subject="Login broken")
    other = unmatched()
    make_ticket(make_account(), routed=True, queue="general")
    client.force_login(agent_user)
    r = client.get("/queue/unmatched/")
    assert r.status_code == 200
    assert [x.pk for x in r.context["page"].rows] == [t.pk, other.pk]
    assert r.context["page"].rows[0].suggested_account == acme
    assert "Attach to Acme" in r.content.decode()


def test_it_searches_accounts_by_name_and_domain(client, lead):
    make_account("Initech", domain="initech.example")
    make_account("Globex", domain="globex.example")
    client.force_login(lead)
    names = lambda q: [a.name for a in client.get(f"/queue/unmatched/?q={q}").context["found"]]  # noqa: E731
    assert names("inite") == ["Initech"]
    assert names("globex.ex") == ["Globex"]
    assert names("x") == []


def test_it_attaches_an_account_and_reroutes(
    client, lead, routed_jobs, django_capture_on_commit_callbacks
):
    acme = make_account("Acme Corp", arr=600000, domain="acme.example")
    t = unmatched()
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/queue/unmatched/{t.pk}/attach/", {"account": "acme.example"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.account == acme and t.routed is False
    assert routed_jobs == [t.pk]


@pytest.mark.parametrize("value", ["Acme Corp", "acme corp", "ACME.example"])
def test_it_accepts_name_domain_or_id(client, lead, routed_jobs, value):
    acme = make_account("Acme Corp", domain="acme.example")
    t = unmatched()
    client.force_login(lead)
    client.post(f"/queue/unmatched/{t.pk}/attach/", {"account": value})
    t.refresh_from_db()
    assert t.account == acme


def test_it_rejects_an_unknown_account(client, lead, routed_jobs):
    t = unmatched()
    client.force_login(lead)
    r = client.post(f"/queue/unmatched/{t.pk}/attach/", {"account": "nobody"}, follow=True)
    assert "No account has this name" in r.content.decode()
    t.refresh_from_db()
    assert t.account is None and routed_jobs == []


def test_it_does_not_attach_a_ticket_that_left_the_queue(client, lead, routed_jobs):
    acme = make_account("Acme Corp")
    t = make_ticket(None, routed=True, queue="general")
    client.force_login(lead)
    client.post(f"/queue/unmatched/{t.pk}/attach/", {"account": acme.pk})
    assert Ticket.objects.get(pk=t.pk).account is None
    assert routed_jobs == []


def test_it_refuses_csms(client, csm, routed_jobs):
    t = unmatched()
    acme = make_account("Acme Corp")
    client.force_login(csm)
    assert client.get("/queue/unmatched/").status_code == 403
    assert client.post(f"/queue/unmatched/{t.pk}/attach/", {"account": acme.pk}).status_code == 403


def test_it_requires_post_to_attach(client, lead):
    t = unmatched()
    client.force_login(lead)
    assert client.get(f"/queue/unmatched/{t.pk}/attach/").status_code == 405


def test_it_does_not_query_per_row(client, lead):
    make_account("Acme", domain="acme.example")
    client.force_login(lead)

    def count(n):
        for i in range(n):
            unmatched(requester_email=f"p{i}@acme.example" if i % 2 else f"p{i}@x{i}.example")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/queue/unmatched/?q=acme").status_code == 200
        return len(ctx)

    assert count(3) == count(30)
