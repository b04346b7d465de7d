import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_account, make_contact, make_user
from tests.intake.helpers import post_webhook, zendesk_payload
from tickets.models import Ticket, TicketMessage
from vipdesk.alerts.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db):
    return make_account("Acme", arr=380_000, domain="acme.example", csm=make_user("acme-csm"))


def test_it_creates_a_ticket_and_routes_it(client, acme):
    r = post_webhook(client, zendesk_payload())
    assert r.status_code == 201
    ticket = Ticket.objects.get(pk=r.json()["id"])
    assert ticket.source == "zendesk" and ticket.external_id == "1001"
    assert ticket.account == acme
    assert ticket.customer_priority == "P3"
    assert ticket.routed
    assert ticket.queue == "priority" and ticket.tier == 2
    assert ticket.sla_first_response_due == datetime(2026, 11, 20, 17, 17, tzinfo=UTC)
    assert ticket.routing_reasons[0] == "Tier 2 Enterprise — ARR $380,000"
    assert ticket.messages.get().body == "Hello, our invoice looks wrong."
    assert ticket.tags == ["billing"]


@pytest.mark.parametrize(
    "zd, p", [("urgent", "P1"), ("high", "P2"), ("normal", "P3"), ("low", "P4")]
)
def test_it_maps_zendesk_priorities(client, acme, zd, p):
    r = post_webhook(client, zendesk_payload(priority=zd))
    assert Ticket.objects.get(pk=r.json()["id"]).customer_priority == p


def test_it_updates_on_redelivery_and_never_duplicates(client, acme):
    first = post_webhook(client, zendesk_payload())
    again = post_webhook(
        client, zendesk_payload(status="open", priority="high", subject="Invoice!")
    )
    assert again.status_code == 200
    assert again.json() == first.json()
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.customer_priority, ticket.subject) == ("open", "P2", "Invoice!")
    assert ticket.effective_priority == "P2"  # re-routed
    assert Alert.objects.filter(kind="vip_ticket").count() == 1


def test_it_adds_a_new_comment_once_and_reroutes_on_churn_language(client, acme):
    post_webhook(client, zendesk_payload())
    comment = {"id": 555, "body": "This keeps happening. We are evaluating alternatives."}
    post_webhook(client, zendesk_payload(comment=comment))
    post_webhook(client, zendesk_payload(comment=comment))
    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 2
    assert [s["phrase"] for s in ticket.churn_signals] == [
        "this keeps happening",
        "evaluating alternatives",
    ]
    assert "Phrase 'evaluating alternatives' (direct)" in ticket.routing_reasons
    alert = Alert.objects.get(kind="churn_language")
    assert alert.user == acme.csm


def test_it_accepts_latest_comment_as_a_string(client, acme):
    post_webhook(client, zendesk_payload(latest_comment="We want to downgrade."))
    ticket = Ticket.objects.get()
    assert TicketMessage.objects.filter(ticket=ticket).count() == 2
    assert ticket.churn_signals[0]["phrase"] == "downgrade"


def test_it_keeps_unmatched_tickets(client, db):
    r = post_webhook(
        client,
        zendesk_payload(requester={"name": "X", "email": "x@nowhere.example"}, organization=None),
    )
    assert r.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.account is None and ticket.queue == "unmatched" and ticket.routed


def test_it_matches_by_email_domain(client, acme):
    post_webhook(client, zendesk_payload(organization={"name": "Unknown Org"}))
    assert Ticket.objects.get().account == acme


def test_it_matches_the_organization_case_insensitively(client, acme):
    payload = zendesk_payload(
        organization={"name": "ACME"}, requester={"name": "P", "email": "p@gmail.example"}
    )
    post_webhook(client, payload)
    assert Ticket.objects.get().account == acme


def test_it_accepts_the_organization_as_a_plain_name(client, acme):
    payload = zendesk_payload(organization="acme", requester={"name": "P", "email": "p@x.example"})
    post_webhook(client, payload)
    assert Ticket.objects.get().account == acme


def test_it_flags_a_possible_vip_from_a_personal_address(client, acme):
    make_contact(acme, name="Hank Scorpio", title="CEO", email="hank@acme.example")
    payload = zendesk_payload(
        requester={"name": "hank scorpio", "email": "hank.s@gmail.example"}, organization=None
    )
    post_webhook(client, payload)
    ticket = Ticket.objects.get()
    assert ticket.possible_vip
    assert not ticket.executive_contact
    assert ticket.account is None and ticket.queue == "unmatched"
    assert any(r.startswith("possible VIP — verify identity") for r in ticket.routing_reasons)
    alert = Alert.objects.get(kind="possible_vip")
    assert alert.user == acme.csm


def test_it_routes_an_executive_contact(client, acme):
    acme.account_manager = make_user("acme-am")
    acme.save()
    make_contact(acme, name="Hank Scorpio", title="CEO", email="hank@acme.example")
    post_webhook(client, zendesk_payload(requester={"name": "Hank", "email": "hank@acme.example"}))
    ticket = Ticket.objects.get()
    assert ticket.executive_contact and ticket.queue == "senior" and ticket.tier == 2
    assert ticket.effective_priority == "P1"
    assert set(
        Alert.objects.filter(kind="executive_contact").values_list("user__username", flat=True)
    ) == {"acme-csm", "acme-am"}
    task = ticket.tasks.get()
    assert task.kind == "executive_follow_up" and task.owner == acme.csm
    assert task.due_at == ticket.created_at + timedelta(hours=24)


# Authentication


def test_it_refuses_an_unsigned_request(client, db):
    r = client.post(
        "/api/v1/webhooks/zendesk",
        data=json.dumps(zendesk_payload()),
        content_type="application/json",
    )
    assert r.status_code == 401
    assert Ticket.objects.count() == 0


def test_it_refuses_a_bad_signature(client, db):
    assert post_webhook(client, zendesk_payload(), signature="bm9wZQ==").status_code == 401
    assert post_webhook(client, zendesk_payload(), secret="other").status_code == 401


def test_it_refuses_a_stale_or_future_timestamp(client, db):
    old = (datetime.now(UTC) - timedelta(minutes=6)).isoformat()
    future = (datetime.now(UTC) + timedelta(minutes=6)).isoformat()
    assert post_webhook(client, zendesk_payload(), timestamp=old).status_code == 401
    assert post_webhook(client, zendesk_payload(), timestamp=future).status_code == 401
    assert post_webhook(client, zendesk_payload(), timestamp="yesterday").status_code == 401


def test_it_accepts_a_timestamp_four_minutes_old(client, acme):
    ts = (datetime.now(UTC) - timedelta(minutes=4)).isoformat()
    assert post_webhook(client, zendesk_payload(), timestamp=ts).status_code == 201


def test_it_checks_the_signature_over_the_raw_body(client, acme):
    # Same JSON, different bytes: the signature of the compact form does not fit.
    payload = zendesk_payload()
    from tickets.intake.zendesk import sign

    ts = datetime.now(UTC).isoformat()
    sig = sign("test-webhook-secret", ts, json.dumps(payload, separators=(",", ":")).encode())
    r = post_webhook(client, payload, timestamp=ts, signature=sig)
    assert r.status_code == 401


# Validation


def test_it_answers_400_to_malformed_json(client, db):
    r = post_webhook(client, None, raw=b"{not json")
    assert r.status_code == 400
    assert r.json()["error"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"priority": "super"}, "ticket.priority"),
        ({"priority": None}, "ticket.priority"),
        ({"id": None}, "ticket.id"),
        ({"subject": ""}, "ticket.subject"),
        ({"created_at": "last tuesday"}, "ticket.created_at"),
        ({"status": "lost"}, "ticket.status"),
        ({"requester": "bob"}, "ticket.requester"),
        ({"requester": {"email": "not-an-email"}}, "ticket.requester.email"),
        ({"tags": {"a": 1}}, "ticket.tags"),
    ],
)
def test_it_answers_400_with_the_field(client, db, change, field):
    r = post_webhook(client, zendesk_payload(**change))
    assert r.status_code == 400
    assert r.json()["field"] == field
    assert Ticket.objects.count() == 0


def test_it_answers_400_without_a_ticket(client, db):
    r = post_webhook(client, {"nope": 1})
    assert (r.status_code, r.json()["field"]) == (400, "ticket")


def test_it_caps_the_body_size(client, db, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 1000
    r = post_webhook(client, zendesk_payload(description="x" * 2000))
    assert r.status_code == 413


@pytest.mark.parametrize(
    "name, flagged",
    [
        ("hank  SCORPIO", True),
        ("Hank", False),
        ("Hank Scorpion", False),
        ("Dr Hank Scorpio", False),
    ],
)
def test_a_possible_vip_needs_the_exact_name_of_an_executive_contact(client, acme, name, flagged):
    make_contact(acme, name="Hank Scorpio", title="CEO", email="hank@acme.example")
    payload = zendesk_payload(
        requester={"name": name, "email": "h@gmail.example"}, organization=None
    )
    post_webhook(client, payload)
    ticket = Ticket.objects.get()
    assert ticket.possible_vip is flagged
    assert not ticket.executive_contact and ticket.tier != 1
