"""Every URL of the queue, ticket, pools and notification pages × every role."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import make_account, make_agent, make_contact, make_pool, make_ticket
from tickets.models import PtoPeriod
from vipdesk.alerts.models import Alert

pytestmark = pytest.mark.django_db

ROLES = ["csm", "lead", "agent_user", "admin_user", "anonymous"]
XSS = "<script>alert(1)</script>"


@pytest.fixture
def world(db, csm, lead, agent_user, admin_user, outsider, monkeypatch):
    monkeypatch.setattr("tickets.routing.jobs.request_routing", lambda: None)
    now = timezone.now()
    account = make_account("Theirs Inc", arr=600000, csm=outsider)
    agent = make_agent(agent_user, level=3)
    other = make_agent(level=3)
    pool = make_pool(tier=1, members=[other])
    ticket = make_ticket(
        account,
        routed=True,
        tier=1,
        queue="senior",
        effective_priority="P1",
        sla_first_response_due=now + timedelta(minutes=15),
        assigned_agent=other,
    )
    unmatched = make_ticket(None, routed=True, queue="unmatched")
    pto = PtoPeriod.objects.create(agent=other, starts=date.today(), ends=date.today())
    alerts = {
        u.username: Alert.objects.create(user=u, kind="vip_ticket", dedupe_key="k", title="t")
        for u in (csm, lead, agent_user, admin_user)
    }
    return dict(
        account=account,
        agent=agent,
        other=other,
        pool=pool,
        ticket=ticket,
        unmatched=unmatched,
        pto=pto,
        alerts=alerts,
    )


def as_role(client, request, role):
    if role == "anonymous":
        return None
    user = request.getfixturevalue(role)
    client.force_login(user)
    return user


# role -> expected status (anonymous always 302 to the login page)
GET_PAGES = {
    "/queue/": {"csm": 403, "lead": 200, "agent_user": 200, "admin_user": 200},
    "/queue/?tier=1&mine=on": {"csm": 403, "lead": 200, "agent_user": 200, "admin_user": 200},
    "/queue/unmatched/": {"csm": 403, "lead": 200, "agent_user": 200, "admin_user": 200},
    "/tickets/{ticket}/": {"csm": 200, "lead": 200, "agent_user": 200, "admin_user": 200},
    "/pools/": {"csm": 403, "lead": 200, "agent_user": 403, "admin_user": 200},
    "/pools/pto/{pto}/": {"csm": 403, "lead": 200, "agent_user": 403, "admin_user": 200},
    "/notifications/": {"csm": 200, "lead": 200, "agent_user": 200, "admin_user": 200},
}

POSTS = {
    "/queue/unmatched/{unmatched}/attach/": (
        {"account": "Theirs Inc"},
        {"csm": 403, "lead": 302, "agent_user": 302, "admin_user": 302},
    ),
    "/tickets/{ticket}/assign/": (
        {"agent": "{agent}", "note": "Agent takes over from here"},
        {"csm": 403, "lead": 302, "agent_user": 403, "admin_user": 302},
    ),
    "/tickets/{ticket}/first-response/": (
        {},
        {"csm": 403, "lead": 302, "agent_user": 302, "admin_user": 302},
    ),
    "/pools/{pool}/members/": (
        {"agent": "{agent}"},
        {"csm": 403, "lead": 302, "agent_user": 403, "admin_user": 302},
    ),
    "/pools/{pool}/members/{other}/remove/": (
        {},
        {"csm": 403, "lead": 302, "agent_user": 403, "admin_user": 302},
    ),
    "/pools/pto/": (
        {"agent": "{agent}", "starts": "2030-01-01", "ends": "2030-01-02"},
        {"csm": 403, "lead": 302, "agent_user": 403, "admin_user": 302},
    ),
    "/pools/pto/{pto}/": (
        {"starts": "2030-01-01", "ends": "2030-01-03"},
        {"csm": 403, "lead": 302, "agent_user": 403, "admin_user": 302},
    ),
    "/pools/pto/{pto}/delete/": (
        {},
        {"csm": 403, "lead": 302, "agent_user": 403, "admin_user": 302},
    ),
    "/notifications/read-all/": (
        {},
        {"csm": 302, "lead": 302, "agent_user": 302, "admin_user": 302},
    ),
}


def fill(template, world, user=None):
    ids = {k: v.pk for k, v in world.items() if hasattr(v, "pk")}
    if user is not None:
        ids["alert"] = world["alerts"][user.username].pk
    return template.format(**ids)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", list(GET_PAGES))
def test_it_answers_each_role_on_each_page(client, request, world, url, role):
    as_role(client, request, role)
    r = client.get(fill(url, world))
    if role == "anonymous":
        assert r.status_code == 302 and r["Location"].startswith("/login/")
    else:
        assert r.status_code == GET_PAGES[url][role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", list(POSTS))
def test_it_answers_each_role_on_each_write(client, request, world, url, role):
    as_role(client, request, role)
    data, expected = POSTS[url]
    data = {k: fill(v, world) for k, v in data.items()}
    r = client.post(fill(url, world), data)
    if role == "anonymous":
        assert r.status_code == 302 and r["Location"].startswith("/login/")
    else:
        assert r.status_code == expected[role], r.content[:300]


@pytest.mark.parametrize("role", ["csm", "lead", "agent_user", "admin_user"])
@pytest.mark.parametrize("action", ["read", "acknowledge"])
def test_it_lets_users_act_on_their_own_alerts_only(client, request, world, role, action):
    user = as_role(client, request, role)
    own = world["alerts"][user.username]
    assert client.post(f"/notifications/{own.pk}/{action}/").status_code == 302
    for name, alert in world["alerts"].items():
        if name != user.username:
            assert client.post(f"/notifications/{alert.pk}/{action}/").status_code == 404
            alert.refresh_from_db()
            assert alert.read_at is None


@pytest.mark.parametrize(
    "url",
    [
        "/queue/",
        "/queue/unmatched/",
        "/tickets/{ticket}/",
        "/pools/",
        "/notifications/",
    ],
)
def test_it_refuses_writes_by_get(client, lead, world, url):
    client.force_login(lead)
    r = client.post(fill(url, world))
    assert r.status_code == 405


@pytest.mark.parametrize(
    "query",
    [
        "sort=csm__password",
        "sort=-account__csm__password",
        "status=new__startswith=",
        "status=new&status__in=solved",
        "tier=1__gt=0",
        "agent=1 OR 1=1",
        "pool=__all__",
        "account__csm__password__startswith=pbkdf2",
        "order_by=account__csm__password",
        "page=1e9",
    ],
)
def test_it_only_accepts_listed_filters(client, lead, world, query):
    client.force_login(lead)
    r = client.get(f"/queue/?{query}")
    assert r.status_code == 200
    assert [t.pk for t in r.context["page"].rows] == [world["ticket"].pk]


def test_it_escapes_user_supplied_text_everywhere(client, lead, world):
    now = timezone.now()
    account = make_account(f"Evil {XSS} Corp", arr=600000, csm=lead)
    contact = make_contact(account, name=f"Mallory {XSS}", title=f"CEO {XSS}")
    ticket = make_ticket(
        account,
        contact=contact,
        subject=f"Hi {XSS}",
        body=f'<a href="javascript:alert(1)">click</a> {XSS} <img src=x onerror=alert(1)>',
        requester_name=f"<b>{XSS}</b>",
        routed=True,
        tier=1,
        queue="senior",
        effective_priority="P1",
        sla_first_response_due=now + timedelta(minutes=15),
        routing_reasons=[f"reason {XSS}"],
        churn_signals=[{"phrase": XSS, "kind": "direct"}],
        assigned_agent=world["other"],
    )
    make_ticket(
        None,
        routed=True,
        queue="unmatched",
        subject=f"Lost {XSS}",
        organization_name=XSS,
        requester_email="x@y.example",
    )
    Alert.objects.create(
        user=lead,
        kind="vip_ticket",
        dedupe_key="xss",
        title=f"Alert {XSS}",
        body=f"Body {XSS}",
        link="javascript:alert(1)",
        ticket=ticket,
        account=account,
    )
    client.force_login(lead)
    for url in (
        "/queue/",
        f"/tickets/{ticket.pk}/",
        "/queue/unmatched/?q=Evil",
        "/pools/",
        "/notifications/",
    ):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or url == "/pools/", url
        assert "<img src=x" not in html, url
        assert not re.search(r'href="\s*javascript:', html, re.I), url
        assert "Content-Security-Policy" in client.get(url).headers, url
