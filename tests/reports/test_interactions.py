"""/accounts/<id>/interactions/: an account's support-interaction risk analysis."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_account, make_ticket, make_user
from vipdesk.insight import interactions


@pytest.fixture
def account(db, csm):
    return make_account("Globex", arr=Decimal(620000), csm=csm, risk_score=88, risk_level="high")


def days_ago(n: int):
    return timezone.now() - timedelta(days=n)


@pytest.fixture
def history(account):
    make_ticket(account, subject="Export to CSV fails", created_at=days_ago(80), sentiment=0.4)
    make_ticket(account, subject="CSV export fails again", created_at=days_ago(20), sentiment=-0.5)
    make_ticket(
        account,
        subject="Export CSV failing for large reports",
        created_at=days_ago(10),
        customer_priority="P1",
        sentiment=-0.6,
        csat=2,
        resolved_at=days_ago(9),
    )
    make_ticket(account, subject="SSO login loop", created_at=days_ago(5), sentiment=-0.2)
    make_ticket(account, subject="Old thing", created_at=days_ago(120))
    return account


def test_it_analyses_the_last_90_days(client, csm, history):
    client.force_login(csm)
    response = client.get(f"/accounts/{history.pk}/interactions/")
    assert response.status_code == 200
    a = response.context["a"]
    assert len(a.tickets) == 4  # not the 120-day-old one
    assert [w.tickets for w in a.windows] == [1, 0, 3]
    trends = {t.name: t.direction for t in a.trends}
    assert trends == {"Ticket frequency": "rising", "Severity": "rising", "Sentiment": "falling"}
    assert [len(i.tickets) for i in a.issues] == [3]  # the CSV export tickets
    assert any("Root-cause review" in r.action for r in a.actions)
    assert any("CSV" in p for p in a.points)
    assert b"sentiment-chart" in response.content


def test_each_table_has_its_csv(client, csm, history):
    client.force_login(csm)
    page = client.get(f"/accounts/{history.pk}/interactions/")
    for table in page.context["tables"]:
        response = client.get(f"/accounts/{history.pk}/interactions/{table.name}.csv")
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
        assert body.count("\r\n") == len(table.rows) + 1


def test_the_account_page_links_to_it(client, csm, account):
    client.force_login(csm)
    page = client.get(f"/accounts/{account.pk}/")
    assert f"/accounts/{account.pk}/interactions/" in page.content.decode()


def test_it_checks_access(client, account, db):
    assert client.get(f"/accounts/{account.pk}/interactions/").status_code == 302
    client.force_login(make_user("nobody"))
    assert client.get(f"/accounts/{account.pk}/interactions/").status_code == 403
    client.force_login(make_user("lead2", "Support lead"))
    assert client.get("/accounts/999999/interactions/").status_code == 404
    assert client.post(f"/accounts/{account.pk}/interactions/").status_code == 405


def test_its_query_count_does_not_grow_with_tickets(client, csm, history):
    client.force_login(csm)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/accounts/{history.pk}/interactions/")
        return len(ctx.captured_queries)

    few = count()
    for n in range(10):
        make_ticket(history, subject=f"Billing question {n}", created_at=days_ago(n))
    assert count() == few


def test_recurring_issues_group_similar_subjects_only():

    now = timezone.now()
    tickets = [
        SimpleNamespace(pk=i, subject=s, created_at=now + timedelta(minutes=i), status="open")
        for i, s in enumerate(
            [
                "Invoice total wrong",
                "Re: invoice total wrong again",
                "Dashboard slow",
                "Wrong invoice total for October",
                "Cannot add users",
            ]
        )
    ]
    issues = interactions.recurring_issues(tickets)
    assert [(i.label, len(i.tickets)) for i in issues] == [("Invoice total wrong", 3)]


def window(tickets, urgent=0, sentiments=()):
    w = interactions.Window(timezone.now(), timezone.now())
    w.tickets, w.urgent, w.sentiments = tickets, urgent, list(sentiments)
    return w


@pytest.mark.parametrize(
    ("first", "last", "direction"),
    [(4, 5, "steady"), (4, 6, "rising"), (1, 2, "steady"), (0, 2, "rising"), (8, 4, "falling")],
)
def test_ticket_frequency_moves_by_a_quarter_and_two_tickets(first, last, direction):
    trends = interactions.trends([window(first), window(0), window(last)])
    assert trends[0].direction == direction


def test_severity_and_sentiment_need_tickets_on_both_ends():
    trends = interactions.trends([window(0), window(3), window(2, 2, [-0.5])])
    assert [t.direction for t in trends[1:]] == ["unknown", "unknown"]
    trends = interactions.trends([window(4, 1, [0.3]), window(0), window(4, 2, [0.25])])
    # P1–P2 share 25% → 50%: rising; sentiment +0.30 → +0.25: steady (< 0.1).
    assert [t.direction for t in trends[1:]] == ["rising", "steady"]
