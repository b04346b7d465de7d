"""The embedded demo runs on SQLite with jobs inline: a webhook is stored, drained right
after the answer and routed; a redelivery keeps the id. In a separate process against
a fresh SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

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
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "vipdesk.settings",
        "ZENDESK_WEBHOOK_SECRET": "test-webhook-secret",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    python = [sys.executable, "manage.py"]
    subprocess.run([*python, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [*python, "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = next(line for line in out.splitlines() if line.startswith("RESULT"))
    assert result == "RESULT 201 200 True True P1 priority done"
