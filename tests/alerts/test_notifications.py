from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_account, make_ticket
from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec, raise_alerts

pytestmark = pytest.mark.django_db


def make_alert(user, n=None, **kw):
    n = n if n is not None else Alert.objects.count()
    kw.setdefault("kind", Alert.Kind.VIP_TICKET)
    kw.setdefault("title", f"VIP P1 ticket {n}")
    return Alert.objects.create(user=user, dedupe_key=f"test:{n}:{user.pk}", **kw)


def test_it_lists_my_alerts_newest_first_with_links(client, csm, lead):
    account = make_account("Globex")
    ticket = make_ticket(account)
    old = make_alert(csm, account=account)
    new = make_alert(csm, ticket=ticket, account=account)
    make_alert(lead, title="Not yours")
    client.force_login(csm)
    r = client.get("/notifications/")
    assert r.status_code == 200
    assert [a.pk for a in r.context["page"].object_list] == [new.pk, old.pk]
    html = r.content.decode()
    assert "Not yours" not in html
    assert f'href="/tickets/{ticket.pk}/"' in html and f'href="/accounts/{account.pk}/"' in html
    assert 'data-testid="unread-count">2<' in html


def test_it_marks_one_read_and_acknowledges(client, csm):
    a, b = make_alert(csm), make_alert(csm)
    client.force_login(csm)
    assert client.post(f"/notifications/{a.pk}/read/").status_code == 302
    a.refresh_from_db()
    assert a.read_at is not None and a.acknowledged_at is None
    client.post(f"/notifications/{b.pk}/acknowledge/")
    b.refresh_from_db()
    assert b.read_at is not None and b.acknowledged_at is not None


def test_it_marks_all_read(client, lead, csm):
    for _ in range(3):
        make_alert(lead)
    theirs = make_alert(csm)
    client.force_login(lead)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Alert.objects.filter(user=lead, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_answers_404_for_another_users_alert(client, lead, csm):
    theirs = make_alert(csm)
    client.force_login(lead)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/acknowledge/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None and theirs.acknowledged_at is None


def test_it_shows_who_must_respond_by_when_and_flags_it_when_missed(client, lead):
    now = timezone.now()
    [due, late] = raise_alerts(
        [
            AlertSpec(lead.pk, "executive_contact", "a", "Due", respond_within_minutes=5),
            AlertSpec(lead.pk, "escalation", "b", "Late", respond_within_minutes=5),
        ],
        now=now,
    )
    assert due.respond_by == now + timedelta(minutes=5)
    Alert.objects.filter(pk=late.pk).update(respond_by=now - timedelta(minutes=1))
    client.force_login(lead)
    html = client.get("/notifications/").content.decode()
    assert html.count('data-testid="respond-by"') == 2
    assert html.count("Overdue: respond by") == 1
    client.post(f"/notifications/{late.pk}/acknowledge/")
    assert "Overdue" not in client.get("/notifications/").content.decode()


def test_it_requires_post(client, lead):
    a = make_alert(lead)
    client.force_login(lead)
    assert client.get(f"/notifications/{a.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405


def test_it_paginates(client, lead):
    for i in range(30):
        make_alert(lead, n=i)
    client.force_login(lead)
    r = client.get("/notifications/?page=2")
    assert len(r.context["page"].object_list) == 5


def test_it_does_not_query_per_alert(client, lead):
    account = make_account()
    ticket = make_ticket(account)
    client.force_login(lead)

    def count(n):
        for _ in range(n):
            make_alert(lead, account=account, ticket=ticket)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/notifications/").status_code == 200
        return len(ctx)

    assert count(3) == count(20)


def test_it_links_only_to_local_paths(client, lead):
    make_alert(lead, title="Weekly report", link="/reports/vip/2026-01/")
    make_alert(lead, title="Evil one", link="javascript:alert(1)")
    make_alert(lead, title="Evil two", link="//evil.example/x")
    client.force_login(lead)
    html = client.get("/notifications/").content.decode()
    assert '<a href="/reports/vip/2026-01/">Weekly report</a>' in html
    assert "javascript:" not in html and "evil.example" not in html
