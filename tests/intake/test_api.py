import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_account, make_agent, make_pool, make_user
from tickets.models import ApiToken, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(db):
    return ApiToken.issue("tests")[1]


@pytest.fixture
def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def acme(db):
    return make_account("Acme", arr=380_000, domain="acme.example", csm=make_user("acme-csm"))


def post_ticket(client, auth, **kw):
    body = {
        "external_id": "CRM-1",
        "account": "acme.example",
        "contact_email": "pat@acme.example",
        "contact_name": "Pat",
        "contact_title": "Engineer",
        "subject": "Billing question",
        "body": "Why was I charged twice?",
        "priority": "P3",
        "created_at": "2026-11-20T16:47:00Z",
    }
    body.update(kw)
    return client.post(
        "/api/v1/tickets", data=json.dumps(body), content_type="application/json", headers=auth
    )


def test_it_creates_a_ticket(client, auth, acme):
    r = post_ticket(client, auth)
    assert r.status_code == 201
    ticket = Ticket.objects.get(pk=r.json()["id"])
    assert (ticket.source, ticket.account, ticket.routed) == ("api", acme, True)
    assert ticket.sla_first_response_due == datetime(2026, 11, 20, 17, 17, tzinfo=UTC)


@pytest.mark.parametrize("ref", ["id", "Acme", "ACME", "acme.example"])
def test_it_finds_the_account_by_id_domain_or_name(client, auth, acme, ref):
    r = post_ticket(client, auth, account=acme.pk if ref == "id" else ref)
    assert Ticket.objects.get(pk=r.json()["id"]).account == acme


def test_it_updates_by_external_id(client, auth, acme):
    first = post_ticket(client, auth)
    again = post_ticket(client, auth, priority="P1")
    assert again.status_code == 200 and again.json() == first.json()
    assert Ticket.objects.get().effective_priority == "P1"


def test_it_treats_a_title_as_executive(client, auth, acme):
    r = post_ticket(client, auth, contact_title="Chief Financial Officer")
    ticket = Ticket.objects.get(pk=r.json()["id"])
    assert ticket.executive_contact and ticket.queue == "senior"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"priority": "P9"}, "priority"),
        ({"subject": ""}, "subject"),
        ({"external_id": ""}, "external_id"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"created_at": "soon"}, "created_at"),
    ],
)
def test_it_answers_400_with_the_field(client, auth, acme, change, field):
    r = post_ticket(client, auth, **change)
    assert r.status_code == 400
    assert r.json()["field"] == field


def test_it_answers_400_to_malformed_json(client, auth):
    r = client.post("/api/v1/tickets", data="{x", content_type="application/json", headers=auth)
    assert r.status_code == 400


def test_it_requires_a_token(client, acme):
    assert post_ticket(client, {}).status_code == 401
    assert post_ticket(client, {"Authorization": "Bearer wrong"}).status_code == 401


def test_it_refuses_a_revoked_token(client, auth, acme):
    ApiToken.objects.update(revoked_at=timezone.now())
    assert post_ticket(client, auth).status_code == 401


def test_it_records_last_use_at_most_once_a_minute(
    client, auth, acme, django_assert_max_num_queries
):
    post_ticket(client, auth)
    used = ApiToken.objects.get().last_used_at
    assert used is not None
    client.get(f"/api/v1/tickets/{Ticket.objects.get().pk}", headers=auth)
    assert ApiToken.objects.get().last_used_at == used
    ApiToken.objects.update(last_used_at=used - timedelta(minutes=2))
    client.get(f"/api/v1/tickets/{Ticket.objects.get().pk}", headers=auth)
    assert ApiToken.objects.get().last_used_at > used


def test_it_shows_a_ticket(client, auth, acme):
    agent = make_agent(level=2)
    make_pool(tier=2, members=[agent])
    r = post_ticket(client, auth, body="We are evaluating alternatives.")
    data = client.get(f"/api/v1/tickets/{r.json()['id']}", headers=auth).json()
    assert set(data) == {
        "id",
        "external_id",
        "account",
        "tier",
        "customer_priority",
        "effective_priority",
        "queue",
        "assigned_agent",
        "sla_first_response_due",
        "sla_resolution_due",
        "churn_signals",
        "sentiment",
        "reasons",
        "routed",
    }
    assert data["account"] == {"id": acme.pk, "name": "Acme"}
    assert (data["tier"], data["queue"], data["effective_priority"]) == (2, "priority", "P3")
    assert data["assigned_agent"]["id"] == agent.pk
    assert data["sla_first_response_due"].startswith("2026-11-20T17:17:00")
    assert data["churn_signals"][0]["phrase"] == "evaluating alternatives"
    assert data["churn_signals"][0]["kind"] == "direct"
    assert isinstance(data["sentiment"], float)
    assert data["routed"] is True
    assert data["reasons"][0] == "Tier 2 Enterprise — ARR $380,000"


def test_it_shows_standard_and_unmatched_tier_as_null(client, auth, db):
    small = make_account("Small", arr=1000, domain="small.example")
    r = post_ticket(client, auth, account="small.example", external_id="S")
    assert client.get(f"/api/v1/tickets/{r.json()['id']}", headers=auth).json()["tier"] is None
    r = post_ticket(
        client, auth, account="nobody.example", contact_email="a@b.example", external_id="U"
    )
    data = client.get(f"/api/v1/tickets/{r.json()['id']}", headers=auth).json()
    assert (data["tier"], data["account"], data["queue"]) == (None, None, "unmatched")
    assert small.tier == 4


def test_it_answers_404_for_an_unknown_ticket(client, auth):
    assert client.get("/api/v1/tickets/999999", headers=auth).status_code == 404


def test_it_shows_an_account(client, auth, acme):
    acme.risk_score, acme.risk_level, acme.health_score = 72, "high", 55
    acme.risk_factors = [{"name": "Churn language", "points": 25, "reason": "2 phrases"}]
    acme.save()
    data = client.get(f"/api/v1/accounts/{acme.pk}", headers=auth).json()
    assert data == {
        "id": acme.pk,
        "name": "Acme",
        "arr": 380000.0,
        "tier": 2,
        "health_score": 55,
        "risk_score": 72,
        "risk_level": "high",
        "risk_factors": [{"name": "Churn language", "points": 25, "reason": "2 phrases"}],
    }


def test_it_requires_a_token_for_accounts(client, acme):
    assert client.get(f"/api/v1/accounts/{acme.pk}").status_code == 401


def test_it_serves_the_openapi_schema(client, auth):
    schema = client.get("/api/v1/openapi.json", headers=auth).json()
    assert {
        "/api/v1/webhooks/zendesk",
        "/api/v1/tickets",
        "/api/v1/tickets/{ticket_id}",
        "/api/v1/accounts/{account_id}",
    } <= set(schema["paths"])


def test_the_schema_documents_every_error_answer(client, auth):
    paths = client.get("/api/v1/openapi.json", headers=auth).json()["paths"]
    assert set(paths["/api/v1/tickets"]["post"]["responses"]) == {"200", "201", "400", "401", "413"}
    assert set(paths["/api/v1/tickets/{ticket_id}"]["get"]["responses"]) == {
        "200",
        "400",
        "401",
        "404",
    }
    assert set(paths["/api/v1/webhooks/zendesk"]["post"]["responses"]) == {
        "200",
        "201",
        "400",
        "401",
        "413",
    }


def test_the_schema_says_which_priorities_are_valid(client, auth):
    schema = client.get("/api/v1/openapi.json", headers=auth).json()
    priority = schema["components"]["schemas"]["TicketIn"]["properties"]["priority"]
    assert priority["enum"] == ["P1", "P2", "P3", "P4"]


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_the_docs_and_schema_need_a_login_or_a_token(client, csm, auth, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=auth).status_code == 200
    client.force_login(csm)
    assert client.get(path).status_code == 200


def test_it_prints_a_new_token_once(db):
    out = StringIO()
    call_command("create_api_token", "helpdesk", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("vd_")
    stored = ApiToken.objects.get(name="helpdesk")
    assert stored.token_hash == ApiToken.hash(token) and token not in stored.token_hash
