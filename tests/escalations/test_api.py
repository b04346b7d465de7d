"""The escalation API, exactly as SPEC's integration contract says."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from escalations.models import Escalation, EscalationEvent, PostMortem
from tests.factories import make_account, make_escalation, make_ticket
from tickets.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(db):
    return {"Authorization": f"Bearer {ApiToken.issue('tests')[1]}"}


@pytest.fixture
def acme(csm):
    return make_account("Acme", domain="acme.example", csm=csm)


def post(client, auth, path, body):
    return client.post(path, body, content_type="application/json", headers=auth)


def open_one(client, auth, **kw):
    body = {"account": "acme.example", "type": "technical", "severity": "high",
            "summary": "Sync down", **kw}  # fmt: skip
    return post(client, auth, "/api/v1/escalations", body)


def test_it_opens_an_escalation_and_returns_its_code(client, auth, acme):
    ticket = make_ticket(acme)
    r = open_one(client, auth, ticket_ids=[ticket.pk], customer_statement="Nothing syncs")
    assert r.status_code == 201
    e = Escalation.objects.get()
    assert r.json() == {"id": e.pk, "code": f"ESC-{e.pk:04d}"}
    assert (e.source, e.customer_statement, e.owner_id) == ("api", "Nothing syncs", acme.csm_id)
    assert list(e.tickets.all()) == [ticket]


def test_it_returns_the_open_escalation_of_that_type_with_the_tickets_linked(client, auth, acme):
    first = open_one(client, auth).json()
    ticket = make_ticket(acme)
    r = open_one(client, auth, account=str(acme.pk), ticket_ids=[ticket.pk], summary="Again")
    assert r.status_code == 200
    assert r.json() == first
    assert Escalation.objects.count() == 1
    assert (
        EscalationEvent.objects.filter(kind="ticket_linked")
        .get()
        .text.startswith(f"Ticket #{ticket.pk} linked (already open for this account)")
    )


def test_it_opens_another_type_separately(client, auth, acme):
    open_one(client, auth)
    assert open_one(client, auth, type="commercial", account="Acme").status_code == 201


@pytest.mark.parametrize(
    "change",
    [
        {"type": "urgent"},
        {"severity": "huge"},
        {"summary": ""},
        {"account": "nobody.example"},
        {"ticket_ids": [999999]},
    ],
)
def test_it_refuses_bad_input_and_stores_nothing(client, auth, acme, change):
    r = open_one(client, auth, **change)
    assert r.status_code in (400, 422)
    assert "error" in r.json()
    assert not Escalation.objects.exists()
    assert not EscalationEvent.objects.exists()


def test_it_refuses_a_ticket_of_another_account(client, auth, acme):
    other = make_ticket(make_account("Other"))
    assert open_one(client, auth, ticket_ids=[other.pk]).status_code == 422
    assert not Escalation.objects.exists()


def test_it_needs_a_token(client, acme):
    assert open_one(client, {}).status_code == 401
    e = make_escalation(acme)
    assert client.get(f"/api/v1/escalations/{e.pk}").status_code == 401


def test_it_shows_an_escalation_with_its_timeline(client, auth, acme):
    ticket = make_ticket(acme)
    e_id = open_one(client, auth, severity="critical", ticket_ids=[ticket.pk]).json()["id"]
    post(client, auth, f"/api/v1/escalations/{e_id}/transition", {"to": "acknowledged"})
    data = client.get(f"/api/v1/escalations/{e_id}", headers=auth).json()
    e = Escalation.objects.get()
    assert data["code"] == e.code
    assert data["account"] == {"id": acme.pk, "name": "Acme"}
    assert (data["type"], data["severity"], data["status"]) == (
        "technical",
        "critical",
        "acknowledged",
    )
    assert (data["level"], data["level_owners"]) == (0, "CSM + Manager")
    assert data["reopen_count"] == 0 and data["ticket_ids"] == [ticket.pk]
    assert data["post_mortem"] == "missing"
    ms = timedelta(milliseconds=1)
    assert abs(parse_datetime(data["response_due"]) - (e.opened_at + timedelta(hours=1))) < ms
    assert abs(parse_datetime(data["resolution_due"]) - (e.opened_at + timedelta(days=1))) < ms
    assert [t["kind"] for t in data["timeline"]] == ["opened", "ticket_linked", "status"]
    assert data["acknowledged_at"] is not None and data["resolved_at"] is None


def test_it_gives_404_for_an_unknown_escalation(client, auth):
    assert client.get("/api/v1/escalations/424242", headers=auth).status_code == 404


def transition(client, auth, e, to, **kw):
    return post(client, auth, f"/api/v1/escalations/{e.pk}/transition", {"to": to, **kw})


def test_it_walks_the_lifecycle(client, auth, acme):
    e = make_escalation(acme, severity="medium")
    for to in ("acknowledged", "in_progress", "resolved"):
        r = transition(client, auth, e, to)
        assert r.status_code == 200 and r.json()["status"] == to
    r = transition(client, auth, e, "closed", note="Customer confirmed on the call", confirmed=True)
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "closed" and data["closed_at"] and data["resolved_at"]


def test_it_refuses_closing_high_without_a_complete_post_mortem(client, auth, acme):
    e = make_escalation(acme, severity="high", status="resolved")
    r = transition(client, auth, e, "closed", confirmed=True)
    assert r.status_code == 409
    assert set(r.json()) == {"error", "reason"}
    assert "post-mortem" in r.json()["reason"]
    e.refresh_from_db()
    assert e.status == "resolved" and e.closed_at is None
    assert not e.events.exists()
    PostMortem.objects.create(escalation=e, status="complete")
    assert transition(client, auth, e, "closed", confirmed=True).status_code == 200


def test_it_refuses_closing_twice(client, auth, acme):
    e = make_escalation(acme, severity="low")
    assert transition(client, auth, e, "closed", note="Duplicate of ESC-1").status_code == 200
    r = transition(client, auth, e, "closed", note="again")
    assert r.status_code == 409
    assert r.json()["reason"] == f"{e.code} is already closed."


def test_it_refuses_reopening_after_ninety_days(client, auth, acme):
    e = make_escalation(
        acme, severity="low", status="closed", closed_at=timezone.now() - timedelta(days=91)
    )
    r = transition(client, auth, e, "reopened")
    assert r.status_code == 409
    assert "within 90 days" in r.json()["reason"]
    e.refresh_from_db()
    assert (e.status, e.reopen_count) == ("closed", 0)


def test_it_reopens_within_ninety_days(client, auth, acme):
    e = make_escalation(
        acme, severity="low", status="closed", closed_at=timezone.now() - timedelta(days=89)
    )
    data = transition(client, auth, e, "reopened", note="Broken again").json()
    assert (data["status"], data["reopen_count"], data["closed_at"]) == ("open", 1, None)
    assert data["timeline"][-1]["kind"] == "reopened"
    assert data["timeline"][-1]["text"].startswith("Re-opened by API token “tests”")


def test_it_rejects_an_unknown_target_as_bad_input(client, auth, acme):
    e = make_escalation(acme)
    assert transition(client, auth, e, "exploded").status_code == 400
