import json
from datetime import UTC, datetime

from django.conf import settings

from tickets.intake.zendesk import sign


def zendesk_payload(ticket_id=1001, **kw) -> dict:
    ticket = {
        "id": ticket_id,
        "subject": "Question about our invoice",
        "description": "Hello, our invoice looks wrong.",
        "priority": "normal",
        "status": "new",
        "requester": {"name": "Pat Payer", "email": "pat@acme.example"},
        "organization": {"name": "Acme"},
        "created_at": "2026-11-20T16:47:00Z",
        "tags": ["billing"],
    }
    ticket.update(kw)
    return {"ticket": ticket}


def post_webhook(client, payload, *, secret=None, timestamp=None, signature=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    timestamp = timestamp or datetime.now(UTC).isoformat().replace("+00:00", "Z")
    signature = signature or sign(secret or settings.ZENDESK_WEBHOOK_SECRET, timestamp, body)
    return client.post(
        "/api/v1/webhooks/zendesk",
        data=body,
        content_type="application/json",
        headers={
            "X-Zendesk-Webhook-Signature": signature,
            "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        },
    )
