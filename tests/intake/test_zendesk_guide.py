"""The README's Zendesk webhook body, rendered the way Zendesk fills its placeholders,
is a delivery vipdesk accepts (so the set-up guide matches the contract)."""

import json
import re
from pathlib import Path

from tests.factories import make_account
from tests.intake.helpers import post_webhook
from tickets.models import Ticket

README = Path(__file__).resolve().parents[2] / "README.md"
# What Zendesk puts in for each placeholder (display values, space-separated tags).
ZENDESK = {
    "ticket.id": "4242",
    "ticket.title": 'Billing "urgent" question',
    "ticket.description": "Hi,\\nwe are frustrated: invoices are wrong again.",
    "ticket.priority": "High",
    "ticket.status": "On-hold",
    "ticket.requester.name": "Pat Payer",
    "ticket.requester.email": "pat@acme.example",
    "ticket.organization.name": "Acme",
    "ticket.created_at_with_timestamp": "2026-11-20T16:47:00Z",
    "ticket.tags": "billing vip_customer",
}


def readme_body() -> str:
    text = README.read_text()
    block = text.split("<!-- zendesk-body -->")[1].split("<!-- /zendesk-body -->")[0]
    return block.strip().removeprefix("```json").removesuffix("```")


def render(template: str) -> str:
    def fill(match):
        # Zendesk escapes placeholder values inside a JSON body.
        return json.dumps(ZENDESK[match.group(1)])[1:-1]

    return re.sub(r"\{\{([a-z_.]+)\}\}", fill, template)


def test_the_readme_body_uses_only_known_placeholders():
    assert set(re.findall(r"\{\{([a-z_.]+)\}\}", readme_body())) == set(ZENDESK)


def test_the_readme_body_is_a_delivery_vipdesk_accepts(client, db):
    make_account(name="Acme")
    body = render(readme_body()).encode()
    response = post_webhook(client, None, raw=body)
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.external_id, ticket.customer_priority, ticket.status) == ("4242", "P2", "hold")
    assert ticket.subject == 'Billing "urgent" question'
    assert ticket.tags == ["billing", "vip_customer"]
    assert ticket.account.name == "Acme"
    assert post_webhook(client, None, raw=body).status_code == 200  # an update, not a copy
    assert Ticket.objects.count() == 1
