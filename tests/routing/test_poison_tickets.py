"""One bad ticket never stalls routing: it is marked failed with its reason, counted on
/healthz, and the batch goes on."""

import json
from datetime import timedelta

import pytest
from django.db import connection

from tests.factories import make_account, make_ticket
from tickets.models import SlaPolicy, Ticket, TicketMessage
from tickets.routing import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db):
    return make_account("Acme", arr=380_000, domain="acme.example")


def store_year_10000(ticket):
    """What intake stored before timestamps were bounded: psycopg cannot read it back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_ticket SET created_at = '10000-01-01T11:59:59+00' WHERE id = %s",
            [ticket.pk],
        )


def test_it_routes_a_normal_ticket_behind_a_far_future_one(acme):
    poison, normal = make_ticket(acme), make_ticket(acme)
    store_year_10000(poison)
    assert jobs.route_pending() == 1
    assert Ticket.objects.get(pk=normal.pk).routed
    failed = Ticket.objects.routing_failed().values("pk", "routing_error").get()
    assert failed["pk"] == poison.pk
    assert "year" in failed["routing_error"]


def test_it_marks_a_ticket_the_rules_fail_on_and_stops_retrying_it(acme):
    SlaPolicy.objects.filter(priority="P1").delete()
    bad, good = make_ticket(acme, customer_priority="P1"), make_ticket(acme)
    assert jobs.route_pending() == 1
    assert Ticket.objects.get(pk=good.pk).routed
    assert Ticket.objects.get(pk=bad.pk).routing_error
    assert not Ticket.objects.pending_routing().exists()
    assert jobs.route_pending() == 0


def test_healthz_counts_the_failed_tickets(client, acme):
    poison = make_ticket(acme)
    store_year_10000(poison)
    jobs.route_pending()
    assert json.loads(client.get("/healthz").content)["tickets_routing_failed"] == 1


def test_an_admin_sends_a_failed_ticket_back_to_routing(
    admin_user, client, acme, django_capture_on_commit_callbacks
):
    p1_cells = list(SlaPolicy.objects.filter(priority="P1"))
    SlaPolicy.objects.filter(priority="P1").delete()
    bad = make_ticket(acme, customer_priority="P1")
    jobs.route_pending()
    assert Ticket.objects.routing_failed().exists()
    client.force_login(admin_user)
    listing = client.get("/admin/tickets/ticket/?routing_error__isempty=0")
    assert f"/admin/tickets/ticket/{bad.pk}/" in listing.text
    SlaPolicy.objects.bulk_create(p1_cells)  # the admin fixed the SLA matrix
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/admin/tickets/ticket/",
            {"action": "route_again", "_selected_action": [bad.pk]},
        )
    assert r.status_code == 302
    bad.refresh_from_db()
    assert bad.routed and bad.routing_error == ""


def test_routing_sums_up_the_customer_messages_on_the_ticket(acme):
    ticket = make_ticket(acme)
    first = ticket.created_at
    for author, body, minutes in [
        ("customer", "Hello", 0),
        ("agent", "Hi!", 5),
        ("customer", "ok", 9),
    ]:
        TicketMessage.objects.create(
            ticket=ticket, author=author, body=body, created_at=first + timedelta(minutes=minutes)
        )
    assert jobs.route_pending() == 1
    ticket.refresh_from_db()
    assert (ticket.customer_messages, ticket.customer_message_chars) == (2, 7)
    assert ticket.first_customer_message_at == first
    assert ticket.last_customer_message_at == first + timedelta(minutes=9)
