"""The embedded demo runs on SQLite with jobs inline: a webhook is stored, drained right
after the answer and routed; a redelivery keeps the id. In a separate process against
a fresh SQLite file."""

from tests.embedded import run_on_sqlite

SCRIPT = """
from django.test import Client
from tests.factories import make_account
from tests.intake.helpers import post_webhook, zendesk_payload
from tickets.models import InboxDelivery, Ticket

make_account("Acme", arr=380_000, domain="acme.example")
client = Client(SERVER_NAME="127.0.0.1")
first = post_webhook(client, zendesk_payload(7, priority="high"))
again = post_webhook(client, zendesk_payload(7, priority="urgent"))
ticket = Ticket.objects.get()
same = first.json() == again.json() == {"id": ticket.pk}
print("RESULT", first.status_code, again.status_code, same, ticket.routed,
      ticket.customer_priority, ticket.queue, InboxDelivery.objects.get().state)
"""


def test_it_stores_and_drains_on_sqlite(tmp_path):
    result = run_on_sqlite(tmp_path, SCRIPT, ZENDESK_WEBHOOK_SECRET="test-webhook-secret")
    assert result == "RESULT 201 200 True True P1 priority done"
