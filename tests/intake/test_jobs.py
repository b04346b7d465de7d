import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from escalations.jobs import open_requested_escalations
from escalations.models import Escalation
from tests.factories import make_account, make_contact, make_ticket, make_user
from tests.intake.helpers import post_webhook, zendesk_payload
from tickets.intake import inbox
from tickets.models import InboxDelivery, Ticket
from tickets.routing import jobs
from vipdesk.alerts.models import Alert
from vipdesk.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db):
    return make_account(
        "Acme",
        arr=380_000,
        domain="acme.example",
        csm=make_user("acme-csm"),
        account_manager=make_user("acme-am"),
    )


def snapshot(ticket_id):
    return Ticket.objects.filter(pk=ticket_id).values().get()


def test_it_is_harmless_to_route_twice(acme):
    ticket = make_ticket(acme, customer_priority="P1", body="We will cancel.")
    jobs.route_pending()
    first = snapshot(ticket.pk)
    jobs.route_pending()
    assert snapshot(ticket.pk) == first
    assert first["routed"] and first["effective_priority"] == "P1"
    assert Alert.objects.filter(kind="vip_ticket").count() == 1
    assert Alert.objects.filter(kind="churn_language").count() == 1
    assert first["escalation_request"]["severity"] == "high"
    assert open_requested_escalations() == 1
    assert open_requested_escalations() == 0
    assert Escalation.objects.filter(tickets=ticket).count() == 1
    esc = Escalation.objects.get()
    assert (esc.type, esc.severity, esc.account) == (
        "commercial",
        "high",
        acme,
    )  # "invoice" in the subject
    jobs.route_pending()
    assert open_requested_escalations() == 0


def test_it_changes_nothing_when_a_routed_ticket_is_routed_again_by_force(acme):
    from tickets.routing.actions import route_tickets

    boss = make_contact(acme, name="Hank", title="CEO")
    ticket = make_ticket(acme, contact=boss, customer_priority="P1", body="We may downgrade.")
    route_tickets([ticket.pk])
    first = snapshot(ticket.pk)
    alerts = list(Alert.objects.values_list("pk", flat=True))
    route_tickets([ticket.pk])
    assert snapshot(ticket.pk) == first
    assert list(Alert.objects.values_list("pk", flat=True)) == alerts
    assert Task.objects.count() == 1


def test_it_routes_every_pending_ticket_in_batches(acme):
    tickets = [make_ticket(acme) for _ in range(5)]
    assert jobs.route_pending(batch_size=2) == 5
    assert Ticket.objects.pending_routing().count() == 0
    assert jobs.route_pending() == 0
    Ticket.objects.filter(pk=tickets[0].pk).update(routed=False)  # a writer changed it
    assert jobs.route_pending() == 1


def test_it_stops_at_the_deadline_and_leaves_the_rest_pending(acme):
    for _ in range(3):
        make_ticket(acme)
    assert jobs.route_pending(batch_size=1, deadline=time.monotonic()) == 1
    assert Ticket.objects.pending_routing().count() == 2


def test_it_dedupes_alerts_by_ticket_and_reason(acme):
    ticket = make_ticket(acme, customer_priority="P2")
    jobs.route_pending()
    Ticket.objects.filter(pk=ticket.pk).update(customer_priority="P1", routed=False)
    jobs.route_pending()
    assert list(Alert.objects.exclude(kind="escalation").values_list("dedupe_key", flat=True)) == [
        f"ticket:{ticket.pk}:vip_p2"
    ]


def test_it_is_harmless_to_route_an_executive_ticket_twice(acme):
    boss = make_contact(acme, name="Hank", title="CEO")
    make_ticket(acme, contact=boss)
    jobs.route_pending()
    jobs.route_pending()
    assert Alert.objects.filter(kind="executive_contact").count() == 2  # CSM + account manager
    assert Task.objects.count() == 1


def test_it_routes_every_pending_ticket(acme):
    for _ in range(5):
        make_ticket(acme)
    make_ticket(acme, routed=True, queue="general")
    assert jobs.route_pending(batch_size=2) == 5
    assert Ticket.objects.pending_routing().count() == 0
    assert jobs.route_pending() == 0


def test_it_sweeps_only_tickets_pending_for_a_while(acme, settings):
    settings.ROUTING_SWEEP_AFTER_SECONDS = 60
    old, new = make_ticket(acme), make_ticket(acme)
    Ticket.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert jobs.sweep_pending_routing() == 1
    assert Ticket.objects.get(pk=old.pk).routed
    assert not Ticket.objects.get(pk=new.pk).routed


def test_it_prints_how_many_were_routed(acme):
    from io import StringIO

    from django.core.management import call_command

    make_ticket(acme)
    out = StringIO()
    call_command("route_pending", stdout=out)
    assert out.getvalue().strip() == "Routed 1 ticket."


def test_it_survives_redis_being_down(client, acme, settings):
    down = "redis://127.0.0.1:6390/0"
    settings.REDIS_URL = down
    settings.RQ_QUEUES = {q: {"URL": down} for q in ("high", "default", "low")}
    settings.ROUTING_SWEEP_AFTER_SECONDS = 0
    ids = set()
    for n in range(5):
        r = post_webhook(client, zendesk_payload(ticket_id=5000 + n, priority="high"))
        assert r.status_code == 201
        ids.add(r.json()["id"])
    # Acknowledged and kept in the inbox, not routed yet.
    assert InboxDelivery.objects.filter(ticket_id__in=ids, state="pending").count() == 5
    assert not Ticket.objects.filter(pk__in=ids, routed=True).exists()
    assert Alert.objects.count() == 0
    assert jobs.sweep_pending_routing() == 5
    assert Ticket.objects.filter(pk__in=ids, routed=True).count() == 5
    assert Alert.objects.filter(kind="vip_ticket").count() == 5
    assert sorted(Alert.objects.values_list("ticket_id", flat=True)) == sorted(ids)


@pytest.mark.rq
def test_it_routes_through_a_real_rq_worker(client, acme, settings, redis_connection):
    import django_rq
    from rq import SimpleWorker

    use_test_redis(settings)
    r = post_webhook(client, zendesk_payload(priority="high"))
    assert not Ticket.objects.filter(pk=r.json()["id"], routed=True).exists()
    queue = django_rq.get_queue("high")
    [job] = queue.get_jobs()
    assert job.id.startswith("route-drain-")
    assert job.retries_left == 3
    worker = SimpleWorker([queue, django_rq.get_queue("default")], connection=queue.connection)
    # The worker runs inside this test's transaction: let its on-commit enqueues happen.
    with TestCase.captureOnCommitCallbacks(execute=True):
        worker.work(burst=True)
    ticket = Ticket.objects.get(pk=r.json()["id"])
    assert ticket.routed and ticket.queue == "priority"
    alert = Alert.objects.get(kind="vip_ticket")
    # The alert's delivery went through RQ too.
    worker.work(burst=True)
    alert.refresh_from_db()
    assert alert.emailed_at is not None


def use_test_redis(settings):
    settings.REDIS_URL = settings.TEST_REDIS_URL
    settings.RQ_QUEUES = {q: {"URL": settings.TEST_REDIS_URL} for q in ("high", "default", "low")}


@pytest.mark.rq
def test_it_schedules_one_drainer_for_many_tickets(client, acme, settings, redis_connection):
    import django_rq
    from rq import SimpleWorker

    use_test_redis(settings)
    ids = [post_webhook(client, zendesk_payload(ticket_id=7000 + n)).json()["id"] for n in range(3)]
    queue = django_rq.get_queue("high")
    assert len(queue.get_jobs()) == 1
    assert redis_connection.ttl(jobs.DRAINER_SCHEDULED) <= jobs.DRAINER_TTL_SECONDS
    with TestCase.captureOnCommitCallbacks(execute=True):
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert Ticket.objects.filter(pk__in=ids, routed=True).count() == 3
    # The drainer let go: the next ticket schedules a new one.
    assert not redis_connection.exists(jobs.DRAINER_SCHEDULED)
    post_webhook(client, zendesk_payload(ticket_id=7100))
    assert len(queue.get_jobs()) == 1


@pytest.mark.rq
def test_it_does_not_ask_again_for_an_identical_redelivery(
    client, acme, settings, redis_connection
):
    import django_rq

    use_test_redis(settings)
    post_webhook(client, zendesk_payload())
    jobs.drain_all()
    redis_connection.delete(jobs.ROUTING_REQUESTED)
    post_webhook(client, zendesk_payload())  # the same payload, drained already
    assert not redis_connection.exists(jobs.ROUTING_REQUESTED)
    post_webhook(client, zendesk_payload(priority="urgent"))
    assert redis_connection.exists(jobs.ROUTING_REQUESTED)
    assert len(django_rq.get_queue("high").get_jobs()) == 1


@pytest.mark.rq
def test_the_drainer_keeps_going_while_tickets_ask_for_routing(settings, redis_connection):
    use_test_redis(settings)
    release = redis_connection.register_script(jobs.RELEASE_DRAINER)
    keys = [jobs.ROUTING_REQUESTED, jobs.DRAINER_SCHEDULED]
    redis_connection.set(jobs.DRAINER_SCHEDULED, 1)
    redis_connection.set(jobs.ROUTING_REQUESTED, 1)  # a ticket came in during the pass
    assert release(keys=keys) == 0
    assert redis_connection.exists(jobs.DRAINER_SCHEDULED)
    redis_connection.delete(jobs.ROUTING_REQUESTED)
    assert release(keys=keys) == 1
    assert not redis_connection.exists(jobs.DRAINER_SCHEDULED)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_ticket_when_two_deliveries_race(acme):
    from datetime import UTC, datetime

    barrier = threading.Barrier(4)
    results, errors = [], []

    def deliver(n):
        try:
            barrier.wait()
            payload = zendesk_payload("RACE-1", subject=f"Race {n}", description="hello")
            sent_at = datetime(2026, 11, 20, 16, 47, n, tzinfo=UTC)
            results.append(inbox.store("zendesk", "RACE-1", payload, sent_at))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert jobs.drain_all() == 1
    assert Ticket.objects.filter(external_id="RACE-1").count() == 1
    assert sum(r.created for r in results) == 1
    assert len({r.ticket_id for r in results}) == 1
    ticket = Ticket.objects.get()
    assert ticket.pk == results[0].ticket_id
    assert ticket.subject == "Race 3"  # the newest delivery's fields
    assert ticket.messages.count() == 1


def test_it_leaves_a_ticket_it_cannot_route_pending_without_holding_up_the_others(acme):
    from tickets.models import SlaPolicy

    SlaPolicy.objects.filter(priority="P1").delete()
    bad, good = make_ticket(acme, customer_priority="P1"), make_ticket(acme)
    assert jobs.route_pending() == 1
    assert not Ticket.objects.get(pk=bad.pk).routed
    assert Ticket.objects.get(pk=good.pk).routed
    # Logged and passed over, never looped on; the next run tries again.
    assert jobs.route_pending() == 0
    assert not Ticket.objects.get(pk=bad.pk).routed


@pytest.mark.rq
def test_the_drainer_lets_a_batch_gather_after_a_pass_that_was_not_full(
    settings, redis_connection, monkeypatch
):
    use_test_redis(settings)
    settings.ROUTING_BATCH_SIZE, settings.ROUTING_PASS_SECONDS = 200, 0.25
    settings.INTAKE_DRAINERS = 1
    passes = iter([200, 7])  # a full batch, then a few deliveries

    def drain_all(deadline, contexts):
        drained.append(next(passes))
        if drained[-1] == 200:
            redis_connection.set(jobs.ROUTING_REQUESTED, 1)  # more came in meanwhile
        return drained[-1]

    drained, slept = [], []
    monkeypatch.setattr(jobs, "drain_all", drain_all)
    monkeypatch.setattr(jobs.time, "sleep", slept.append)
    redis_connection.set(jobs.DRAINER_SCHEDULED, 1)
    assert jobs.drain_routing(0) == 207
    # No wait after the full batch; after the short one, the rest of its 0.25 s.
    assert len(slept) == 1 and 0.2 < slept[0] <= 0.25
    assert not redis_connection.exists(jobs.DRAINER_SCHEDULED)
