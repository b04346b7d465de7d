"""Bad input from outside always gets a clear 4xx with {"error": …} and stores nothing."""

import io
import json

import pytest

from tests.factories import make_account
from tests.intake.helpers import post_webhook, zendesk_payload
from tickets.intake.csv_import import import_csv
from tickets.models import ApiToken, Ticket, TicketMessage

pytestmark = pytest.mark.django_db

FAR_FUTURE = "9999-12-31T23:59:59-12:00"


@pytest.fixture
def auth(db):
    return {"Authorization": f"Bearer {ApiToken.issue('tests')[1]}"}


@pytest.fixture
def acme(db):
    return make_account("Acme", arr=380_000, domain="acme.example")


def post_api(client, auth, body: bytes | dict, path="/api/v1/tickets"):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", headers=auth)


def api_ticket(**kw) -> dict:
    return {"external_id": "CRM-1", "subject": "Help", "priority": "P3", **kw}


def nothing_stored():
    return not Ticket.objects.exists() and not TicketMessage.objects.exists()


@pytest.mark.parametrize(
    "created_at", [FAR_FUTURE, "9999-12-31T23:59:59", "1999-12-31T23:59:59Z", "2099-01-01"]
)
def test_the_webhook_refuses_a_created_at_out_of_range(client, acme, created_at):
    r = post_webhook(client, zendesk_payload(created_at=created_at))
    assert r.status_code == 400
    assert r.json()["field"] == "ticket.created_at"
    assert nothing_stored()


def test_the_webhook_refuses_a_comment_from_the_far_future(client, acme):
    comment = {"id": 5, "body": "Still broken", "created_at": FAR_FUTURE}
    r = post_webhook(client, zendesk_payload(comment=comment))
    assert r.status_code == 400 and r.json()["field"] == "ticket.comment.created_at"
    assert nothing_stored()


@pytest.mark.parametrize("created_at", [FAR_FUTURE, "9999-12-31T23:59:59", "1970-01-01T00:00:00Z"])
def test_the_api_refuses_a_created_at_out_of_range(client, auth, acme, created_at):
    r = post_api(client, auth, api_ticket(created_at=created_at))
    assert r.status_code == 400
    body = r.json()
    assert body["field"] == "created_at"
    assert "2000" in body["error"] or "future" in body["error"]
    assert nothing_stored()


def test_the_csv_import_reports_a_created_at_out_of_range(acme):
    text = f"external_id,subject,priority,created_at\nT-1,Help,P3,{FAR_FUTURE}\n"
    report = import_csv("tickets", io.StringIO(text))
    assert not report.committed
    assert report.errors == [
        "line 2, column created_at: Value error, Must not be more than a day in the future."
    ]
    assert nothing_stored()


def test_a_created_at_within_a_day_ahead_is_accepted(client, auth, acme):
    from datetime import timedelta

    from django.utils import timezone

    soon = (timezone.now() + timedelta(hours=20)).isoformat()
    assert post_api(client, auth, api_ticket(created_at=soon)).status_code == 201
