from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_account, make_agent, make_pool, make_ticket
from tests.tickets.conftest import make_vip_ticket
from vipdesk.lib import pagination

pytestmark = pytest.mark.django_db


def rows(response):
    return [t.pk for t in response.context["page"].rows]


def test_it_lists_open_vip_tickets_by_sla_remaining(client, lead):
    late = make_vip_ticket(minutes_left=50, subject="Later")
    soon = make_vip_ticket(minutes_left=5, subject="Sooner")
    answered = make_vip_ticket(minutes_left=1, first_response_at=timezone.now())  # resolution: 24 h
    make_vip_ticket(status="solved")
    make_ticket(make_account(), routed=True, tier=4, queue="general")  # standard
    exec_ticket = make_ticket(
        make_account(),
        routed=True,
        tier=4,
        executive_contact=True,
        queue="senior",
        effective_priority="P1",
        sla_first_response_due=timezone.now() + timedelta(minutes=10),
    )
    make_vip_ticket(routed=False)
    client.force_login(lead)
    r = client.get("/queue/")
    assert r.status_code == 200
    assert rows(r) == [soon.pk, exec_ticket.pk, late.pk, answered.pk]
    html = r.content.decode()
    assert 'data-countdown="' in html
    assert 'data-warn-seconds="600"' in html
    assert "badge-platinum" in html and "badge-exec" in html
    assert f'href="/accounts/{soon.account_id}/"' in html
    assert f'href="/tickets/{soon.pk}/"' in html


def test_it_returns_the_rows_partial_to_htmx(client, agent_user):
    t = make_vip_ticket()
    client.force_login(agent_user)
    r = client.get("/queue/?tier=1", headers={"HX-Request": "true"})
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith("<tbody")
    assert "<html" not in html
    assert f"/tickets/{t.pk}/" in html
    assert 'hx-include="#queue-filters"' in html and 'hx-trigger="every 15s"' in html


def test_it_filters_by_tier_agent_pool_status_and_mine(client, agent_user, lead):
    me = make_agent(agent_user, level=3)
    other = make_agent(level=3)
    pool = make_pool(tier=1, members=[other])
    t1 = make_vip_ticket(tier=1, assigned_agent=me)
    t2 = make_vip_ticket(make_account(arr=200000), tier=2, assigned_agent=other, status="open")
    t3 = make_vip_ticket(make_account(arr=60000), tier=3)
    client.force_login(agent_user)
    assert rows(client.get("/queue/?tier=2")) == [t2.pk]
    assert rows(client.get(f"/queue/?agent={other.pk}")) == [t2.pk]  # links by id
    assert rows(client.get(f"/queue/?agent={other.user.username.upper()}")) == [t2.pk]
    unknown = client.get("/queue/?agent=nobody-called-this")  # ignored, and said so
    assert set(rows(unknown)) == {t1.pk, t2.pk, t3.pk}
    assert "Ignored invalid filter: agent." in unknown.content.decode()
    assert rows(client.get(f"/queue/?pool={pool.pk}")) == [t2.pk]
    assert rows(client.get("/queue/?status=open")) == [t2.pk]
    assert rows(client.get("/queue/?status=unassigned")) == [t3.pk]
    assert rows(client.get("/queue/?mine=on")) == [t1.pk]


def test_it_ignores_unknown_and_invalid_filters(client, lead):
    t = make_vip_ticket()
    client.force_login(lead)
    for qs in (
        "sort=csm__password",
        "status=new__startswith=",
        "tier=9",
        "agent=" + "x" * 101,
        "pool=999999",
        "account__csm__password__startswith=x",
        "page=-1",
        "page=99999999",
    ):
        r = client.get(f"/queue/?{qs}")
        assert r.status_code == 200, qs
        assert rows(r) == [t.pk], qs


def test_it_keeps_filters_in_pagination_links(client, lead, monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    for _ in range(5):
        make_vip_ticket(tier=1)
    client.force_login(lead)
    r = client.get("/queue/?tier=1")
    assert len(rows(r)) == 2 and r.context["page"].has_next
    assert "?tier=1&amp;page=2" in r.content.decode()
    r = client.get("/queue/?tier=1&page=3")
    assert len(rows(r)) == 1 and not r.context["page"].has_next


def test_it_refuses_csms(client, csm):
    client.force_login(csm)
    assert client.get("/queue/").status_code == 403


@pytest.mark.parametrize("htmx", [False, True])
def test_it_does_not_query_per_row(client, lead, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    agent = make_agent(level=3)
    client.force_login(lead)

    def count(n):
        for _ in range(n):
            make_vip_ticket(assigned_agent=agent, churn_signals=[{"phrase": "cancel"}])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/queue/", headers=headers).status_code == 200
        return len(ctx)

    assert count(3) == count(27)


def test_it_reads_only_the_columns_a_row_shows(client, lead):
    make_vip_ticket(assigned_agent=make_agent(level=3), body="x" * 5000)
    client.force_login(lead)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/queue/").content.decode()
    rows_sql = next(
        q["sql"] for q in ctx if 'FROM "tickets_ticket"' in q["sql"] and "LIMIT" in q["sql"]
    )
    for column in ("body", "tags", "routing_reasons", "risk_factors", "weekly_active_users"):
        assert f'."{column}"' not in rows_sql
    assert 'data-ticket="' in html


def test_it_finds_agents_by_name(client, lead):
    from tests.factories import make_user

    lisa = make_agent(make_user("lisa.k", first_name="Lisa", last_name="Kowalski"))
    liam = make_agent(make_user("liam.b", first_name="Liam", last_name="Brown"))
    mine = make_vip_ticket(assigned_agent=lisa, minutes_left=5)
    his = make_vip_ticket(assigned_agent=liam, minutes_left=6)
    client.force_login(lead)
    assert rows(client.get("/queue/?agent=lisa kow")) == [mine.pk]
    assert rows(client.get("/queue/?agent=li")) == [mine.pk, his.pk]
    html = client.get("/queue/?agent=Brown").content.decode()
    assert 'type="search" name="agent" value="Brown"' in html
    assert "<option" not in html.split('name="agent"')[1].split("</div>")[0]
