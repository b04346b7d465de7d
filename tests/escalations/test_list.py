"""/escalations/: the list, its filters, SLA markers, pagination and query count."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from escalations import actions
from escalations.models import Escalation
from tests.escalations.conftest import ago
from tests.factories import make_account, make_escalation, make_user
from vipdesk.lib.roles import Role

pytestmark = pytest.mark.django_db
URL = "/escalations/"


def rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-escalation="(\d+)"', response.content.decode())]


def test_it_shows_the_columns(client, csm, account):
    owner = make_user("olivia", Role.CSM, first_name="Olivia", last_name="Owner")
    e = make_escalation(account, severity="high", level=1, owner=owner, type="commercial")
    client.force_login(csm)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"ESC-{e.pk:04d}" in body
    assert f'href="/escalations/{e.pk}/"' in body
    assert f'href="/accounts/{account.pk}/"' in body and "Globex" in body
    assert "badge-platinum" in body
    assert "Commercial" in body and "High" in body and "Open" in body
    assert "Olivia Owner" in body
    assert "CS Manager" in body  # the matrix owners of High level 1
    assert "data-countdown" in body


def test_it_lists_open_escalations_by_due_then_recently_closed(client, csm, account):
    high = make_escalation(account, severity="high", opened_at=ago(minutes=1))  # due in ~4 h
    critical = make_escalation(account, severity="critical", opened_at=ago(minutes=1))  # ~1 h
    acked_low = make_escalation(  # response stopped: resolution due in ~10 days
        account,
        severity="low",
        opened_at=ago(hours=1),
        acknowledged_at=ago(minutes=30),
        status="acknowledged",
    )
    breached = make_escalation(account, severity="medium", opened_at=ago(hours=9))
    closed_old = make_escalation(
        account, status="closed", opened_at=ago(days=5), closed_at=ago(days=3)
    )
    closed_new = make_escalation(
        account, status="resolved", opened_at=ago(days=2), closed_at=ago(hours=1)
    )
    client.force_login(csm)
    assert rows(client.get(URL)) == [
        breached.pk,
        critical.pk,
        high.pk,
        acked_low.pk,
        closed_new.pk,
        closed_old.pk,
    ]


def test_it_leaves_long_closed_escalations_to_the_closed_filter(client, csm, account):
    recent = make_escalation(account, status="closed", closed_at=ago(days=2))
    old = make_escalation(account, status="closed", opened_at=ago(days=60), closed_at=ago(days=40))
    live = make_escalation(account)
    client.force_login(csm)
    assert rows(client.get(URL)) == [live.pk, recent.pk]
    assert rows(client.get(URL, {"status": "closed"})) == [recent.pk, old.pk]
    assert rows(client.get(URL, {"status": "open"})) == [live.pk]
    assert set(rows(client.get(URL, {"status": "all"}))) == {live.pk, recent.pk, old.pk}


def test_it_filters_by_severity_and_type(client, csm, account):
    critical = make_escalation(account, severity="critical", type="legal")
    make_escalation(account, severity="low", type="legal")
    make_escalation(account, severity="critical", type="technical")
    client.force_login(csm)
    assert rows(client.get(URL, {"severity": "critical", "type": "legal"})) == [critical.pk]


def test_it_filters_mine_by_owner_or_account_csm(client, csm, account, outsider):
    other_account = make_account(csm=outsider)
    by_csm = make_escalation(account)
    by_owner = make_escalation(other_account, owner=csm)
    make_escalation(other_account)
    client.force_login(csm)
    assert set(rows(client.get(URL, {"mine": "on"}))) == {by_csm.pk, by_owner.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "owner__password"},
        {"order_by": "-owner__password", "account__csm__password__startswith": "x"},
        {"severity": "owner__password"},
        {"status": "deleted"},
        {"type": "<script>"},
        {"page": "999999"},
        {"page": "-1"},
    ],
)
def test_it_ignores_unknown_or_invalid_parameters(client, csm, account, params):
    e = make_escalation(account)
    client.force_login(csm)
    response = client.get(URL, params)
    assert response.status_code == 200
    assert rows(response) == [e.pk]
    assert b"<script>" not in response.content


def test_it_names_an_ignored_filter(client, csm, account):
    client.force_login(csm)
    assert b"Ignored invalid filter" in client.get(URL, {"severity": "bogus"}).content


def test_it_says_when_nothing_matches(client, csm, account):
    client.force_login(csm)
    assert b"No escalations match these filters." in client.get(URL).content


def test_it_marks_breached_and_nearly_due_clocks(client, csm, account):
    make_escalation(account, severity="critical", opened_at=ago(hours=2))  # response breached
    make_escalation(account, severity="critical", opened_at=ago(minutes=30))  # due in 30 min
    client.force_login(csm)
    body = client.get(URL).content.decode()
    assert re.search(r'class="sla-breached"[^>]*>breached ', body)
    assert 'class="sla-warning"' in body


def test_it_shows_a_stopped_clock_as_met(client, csm, account):
    make_escalation(
        account,
        severity="critical",
        opened_at=ago(days=3),
        acknowledged_at=ago(days=3),
        status="closed",
        closed_at=ago(days=2, hours=12),
    )
    client.force_login(csm)
    body = client.get(URL).content.decode()
    assert "sla-breached" not in body
    assert body.count(">met<") == 2


def test_it_escapes_the_summary(client, csm, account):
    make_escalation(account, summary='<script>alert("x")</script>')
    client.force_login(csm)
    body = client.get(URL).content.decode()
    assert '<script>alert("x")' not in body
    assert "&lt;script&gt;" in body


def test_it_pages_fifty_rows_at_a_time(client, csm, account):
    now = timezone.now()
    Escalation.objects.bulk_create(
        Escalation(
            account=account,
            type="technical",
            severity="low",
            summary=f"E{i}",
            opened_at=now - timedelta(minutes=i),
        )
        for i in range(51)
    )
    client.force_login(csm)
    first = client.get(URL, {"severity": "low"})
    assert len(rows(first)) == 50
    assert b"severity=low&amp;page=2" in first.content
    second = client.get(URL, {"severity": "low", "page": 2})
    assert len(rows(second)) == 1
    assert not set(rows(first)) & set(rows(second))


@pytest.mark.parametrize("n", [3, 30])
def test_it_runs_a_constant_number_of_queries(client, csm, account, n, django_assert_num_queries):
    users = [make_user(role=Role.CSM) for _ in range(3)]
    accounts = [account, make_account(csm=users[0]), make_account()]
    for i in range(n):
        make_escalation(
            accounts[i % 3],
            owner=users[i % 3],
            severity=["critical", "high", "low"][i % 3],
            level=i % 2,
            status="closed" if i % 5 == 0 else "open",
            closed_at=ago(hours=1) if i % 5 == 0 else None,
        )
    client.force_login(csm)
    # session, user, roles, unread alerts, open tasks, session refresh (3 with its
    # savepoint); severity policies, escalations, their accounts, their owners, matrix
    with django_assert_num_queries(13):
        response = client.get(URL)
    assert len(rows(response)) == n


@pytest.mark.parametrize("n", [1, 6])
def test_its_queries_do_not_grow_with_events_or_actions(
    client, csm, account, n, django_assert_num_queries
):
    for i in range(4):
        e = make_escalation(make_account(), type="technical", severity="high", owner=csm)
        for j in range(n):
            actions.add_action(e, by=csm, horizon="immediate", description=f"{j}", owner=csm,
                               due_at=ago(hours=1))  # fmt: skip
            actions.log_communication(e, by=csm, at=ago(hours=j), type="email", to_customer=True,
                                      recipient="Pat", summary="Update")  # fmt: skip
    client.force_login(csm)
    with django_assert_num_queries(13):
        response = client.get(URL + "?overdue=on")
    assert len(rows(response)) == 4
