"""Store-and-ack intake: the inbox (tickets/intake/inbox.py) and its drainers
(tickets/intake/drain.py), on the real PostgreSQL with real threads."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import make_account, make_agent, make_contact, make_pool, make_user
from tests.intake.helpers import post_webhook, zendesk_payload
from tickets.intake import drain, inbox
from tickets.models import InboxDelivery, Ticket
from tickets.routing import actions, jobs
from vipdesk.alerts.models import Alert

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 16, 47, tzinfo=UTC)


@pytest.fixture
def acme(db):
    account = make_account("Acme", arr=380_000, domain="acme.example", csm=make_user("acme-csm"))
    make_pool("Enterprise", tier=2, members=[make_agent(capacity=500) for _ in range(3)])
    return account


def store(external_id, at=T0, **kw):
    return inbox.store("zendesk", external_id, zendesk_payload(external_id, **kw), at)


def run_threads(target, count):
    barrier = threading.Barrier(count)
    errors = []

    def run(n):
        try:
            barrier.wait()
            target(n)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_delivery_of_a_ticket_redelivered_concurrently(acme):
    results = []

    def deliver(n):
        comment = {"id": f"c{n}", "body": f"Comment {n}", "author": {"role": "end-user"}}
        results.append(store("R-1", T0 + timedelta(seconds=n), subject=f"v{n}", comment=comment))

    run_threads(deliver, 8)
    row = InboxDelivery.objects.get()
    assert len(row.deliveries) == 8  # nothing written over
    assert {r.ticket_id for r in results} == {row.ticket_id}
    assert sum(r.created for r in results) == 1
    assert jobs.drain_all() == 1
    ticket = Ticket.objects.get()
    assert ticket.pk == row.ticket_id
    assert ticket.subject == "v7"  # the newest delivery's fields
    assert ticket.routed and ticket.queue == "priority"
    # The description and every delivery's comment.
    assert ticket.messages.count() == 9
    row.refresh_from_db()
    assert (row.state, row.deliveries) == ("done", [])


def test_a_redelivery_answers_200_with_the_same_id(client, acme):
    first = post_webhook(client, zendesk_payload(42))
    again = post_webhook(client, zendesk_payload(42, priority="urgent"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() == {"id": Ticket.objects.get().pk}
    assert Ticket.objects.get().customer_priority == "P1"


def test_an_older_delivery_arriving_late_never_overwrites_a_newer_one(acme):
    store("L-1", T0 + timedelta(minutes=1), subject="newer")
    jobs.drain_all()
    store("L-1", T0, subject="older")
    jobs.drain_all()
    assert Ticket.objects.get().subject == "newer"
    assert InboxDelivery.objects.get().state == "done"


def test_a_crash_between_ack_and_drain_loses_nothing(acme, monkeypatch, settings):
    settings.ROUTING_SWEEP_AFTER_SECONDS = 0
    ids = {store(f"C-{n}", priority="high").ticket_id for n in range(3)}

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed mid-batch")

    monkeypatch.setattr(drain, "write_tickets", crash)
    with pytest.raises(RuntimeError):
        jobs.drain_all()
    assert InboxDelivery.objects.filter(state="pending").count() == 3
    assert not Ticket.objects.exists()
    monkeypatch.undo()
    # The next drainer or the sweep picks the rows up.
    assert jobs.sweep_pending_routing() == 3
    assert set(Ticket.objects.filter(routed=True).values_list("pk", flat=True)) == ids
    assert Alert.objects.filter(kind="vip_ticket").count() == 3


@pytest.mark.django_db(transaction=True)
def test_drainers_in_parallel_never_route_a_ticket_twice(acme, monkeypatch):
    make_contact(acme, name="Hank Boss", email="hank@acme.example", title="CEO")
    for n in range(60):
        email = "hank@acme.example" if n % 10 == 0 else f"user{n}@acme.example"
        store(f"P-{n}", priority="high", requester={"name": f"User {n}", "email": email})
    routed = Counter()
    lock = threading.Lock()
    route = actions.route

    def counting_route(ticket, *args):
        with lock:
            routed[ticket.id] += 1
        return route(ticket, *args)

    monkeypatch.setattr(actions, "route", counting_route)
    drained = []
    run_threads(lambda n: drained.append(drain.drain_inbox(batch_size=7)), 4)
    assert sum(drained) == 60
    assert len(routed) == 60 and set(routed.values()) == {1}
    assert Ticket.objects.filter(routed=True).count() == 60
    assert not InboxDelivery.objects.exclude(state="done").exists()
    keys = list(Alert.objects.values_list("user_id", "dedupe_key"))
    assert len(keys) == len(set(keys))
    assert Alert.objects.filter(kind="executive_contact").count() == 6


def test_a_bad_payload_fails_its_row_alone_with_a_clear_error(acme):
    good = store("B-1")
    # Stored by an older version that accepted it, or edited by hand: unreadable now.
    bad = inbox.store("zendesk", "B-2", zendesk_payload("B-2", priority="someday"), T0)
    also_good = store("B-3")
    assert jobs.drain_all() == 2
    assert set(Ticket.objects.values_list("pk", flat=True)) == {
        good.ticket_id,
        also_good.ticket_id,
    }
    row = InboxDelivery.objects.get(external_id="B-2")
    assert row.state == "failed"
    assert "ticket.priority: Must be one of urgent, high, normal, low." in row.error
    assert len(row.deliveries) == 1  # kept for a retry
    # The helpdesk sends it again, fixed: drained, with the id it was given.
    store("B-2", T0 + timedelta(seconds=1))
    assert jobs.drain_all() == 1
    assert Ticket.objects.get(external_id="B-2").pk == bad.ticket_id
    assert InboxDelivery.objects.get(external_id="B-2").state == "done"


def test_an_account_reference_that_became_ambiguous_fails_its_row(acme):
    data = {"external_id": "A-1", "account": "acme", "subject": "Hi", "priority": "P3"}
    inbox.store("api", "A-1", data, timezone.now())
    make_account("ACME")  # now "acme" names two accounts
    assert jobs.drain_all() == 0
    row = InboxDelivery.objects.get()
    assert row.state == "failed" and "matches several accounts" in row.error


def test_the_api_answers_for_a_delivery_not_drained_yet(client, acme, settings):
    from tickets.models import ApiToken

    down = "redis://127.0.0.1:6390/0"
    settings.REDIS_URL = down
    settings.RQ_QUEUES = {q: {"URL": down} for q in ("high", "default", "low")}
    _, token = ApiToken.issue("test")
    r = post_webhook(client, zendesk_payload(77, priority="urgent"))
    got = client.get(
        f"/api/v1/tickets/{r.json()['id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert got.status_code == 200
    body = got.json()
    assert (body["id"], body["external_id"], body["routed"]) == (r.json()["id"], "77", False)
    assert body["customer_priority"] == "P1" and body["queue"] is None


def test_the_admin_lists_failed_deliveries_and_drains_them_again(client, acme, admin_user):
    inbox.store("zendesk", "F-1", zendesk_payload("F-1", priority="someday"), T0)
    jobs.drain_all()
    client.force_login(admin_user)
    page = client.get("/admin/tickets/inboxdelivery/?state__exact=failed")
    assert page.status_code == 200
    assert b"F-1" in page.content and b"Must be one of urgent" in page.content
    row = InboxDelivery.objects.get()
    row.deliveries[0]["payload"]["ticket"]["priority"] = "low"  # the cause fixed
    row.save()
    client.post(
        "/admin/tickets/inboxdelivery/",
        {"action": "drain_again", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert row.state == "done" and row.error == ""
    assert Ticket.objects.get(external_id="F-1").customer_priority == "P4"


def test_healthz_counts_failed_deliveries_and_metrics_the_waiting_ones(client, acme, settings):
    import json

    from tests.metrics.test_metrics import TOKEN, scrape, value

    settings.METRICS_TOKEN = TOKEN
    inbox.store("zendesk", "H-1", zendesk_payload("H-1", priority="someday"), T0)
    jobs.drain_all()
    assert json.loads(client.get("/healthz").content)["inbox_failed"] == 1
    store("H-2")  # acknowledged, not drained
    InboxDelivery.objects.filter(external_id="H-2").update(
        received_at=timezone.now() - timedelta(minutes=10)
    )
    samples = scrape(client)
    assert value(samples, "vipdesk_intake_unrouted_tickets") == 1
    assert 600 <= value(samples, "vipdesk_intake_oldest_unrouted_age_seconds") < 660
