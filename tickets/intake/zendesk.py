"""The Zendesk webhook: signature check and payload parsing (no database).

Zendesk signs each delivery: X-Zendesk-Webhook-Signature =
base64(HMAC-SHA256(secret, timestamp + raw body)) with the timestamp sent in
X-Zendesk-Webhook-Signature-Timestamp (ISO 8601 UTC). A timestamp more than
MAX_SKEW away from now, in either direction, is refused (replays).
"""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from tickets.intake.ingest import ZENDESK_PRIORITIES, Comment, Incoming, time_error
from tickets.models import Ticket, TicketMessage

MAX_SKEW = timedelta(minutes=5)
STATUSES = {s.value for s in Ticket.Status}
# Zendesk's {{ticket.status}} placeholder gives the display name ("On-hold").
STATUS_NAMES = {"on-hold": Ticket.Status.HOLD}


class PayloadError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def parse_datetime(value: str) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def signature_error(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: datetime
) -> str | None:
    """Why this delivery is not authentic, or None when it is."""
    if not secret:
        return "webhook secret not configured"
    if not timestamp or not signature:
        return "missing signature"
    sent = parse_datetime(timestamp)
    if sent is None:
        return "bad signature timestamp"
    if abs(now - sent) > MAX_SKEW:
        return "stale signature timestamp"
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode()):
        return "bad signature"
    return None


def _text(obj: dict, key: str, path: str, *, required: bool = False, max_length: int = 0) -> str:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError(path, "This field is required.")
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise PayloadError(path, "Must be a string.")
    value = str(value)
    if max_length and len(value) > max_length:
        raise PayloadError(path, f"At most {max_length} characters.")
    return value


def _object(obj: dict, key: str, path: str) -> dict:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(path, "Must be an object.")
    return value


def _time(value, path: str, now: datetime) -> datetime | None:
    """An optional ISO 8601 date-time within the accepted range, or PayloadError."""
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise PayloadError(path, "Not an ISO 8601 date-time.")
    problem = time_error(parsed, now)
    if problem:
        raise PayloadError(path, problem)
    return parsed


def _comment(ticket: dict, now: datetime) -> Comment | None:
    """A new comment, if the payload carries one: ticket.comment or ticket.latest_comment,
    an object ({id, body|plain_body|value, author: {name, role}}) or a plain string."""
    for key in ("comment", "latest_comment"):
        raw = ticket.get(key)
        if raw in (None, "", {}):
            continue
        path = f"ticket.{key}"
        if isinstance(raw, str):
            return Comment(body=raw)
        if not isinstance(raw, dict):
            raise PayloadError(path, "Must be an object or a string.")
        body = next(
            (raw[k] for k in ("body", "plain_body", "value", "html_body") if raw.get(k)), ""
        )
        if not isinstance(body, str):
            raise PayloadError(f"{path}.body", "Must be a string.")
        if not body.strip():
            return None
        author = raw.get("author") if isinstance(raw.get("author"), dict) else {}
        role = str(author.get("role") or raw.get("author_role") or "").lower()
        created_at = _time(raw.get("created_at"), f"{path}.created_at", now)
        return Comment(
            body=body,
            external_id=str(raw.get("id") or ""),
            author=(
                TicketMessage.Author.AGENT
                if role in ("agent", "admin") or raw.get("public") is False
                else TicketMessage.Author.CUSTOMER
            ),
            author_name=str(author.get("name") or ""),
            created_at=created_at,
        )
    return None


def parse(payload, now: datetime) -> Incoming:
    """An Incoming ticket from a Zendesk webhook body, or PayloadError(field, message)."""
    if not isinstance(payload, dict):
        raise PayloadError("", "The body must be a JSON object.")
    ticket = payload.get("ticket")
    if not isinstance(ticket, dict):
        raise PayloadError("ticket", "This field is required and must be an object.")
    external_id = _text(ticket, "id", "ticket.id", required=True, max_length=100)
    subject = _text(ticket, "subject", "ticket.subject", required=True)
    priority = ticket.get("priority")
    if not isinstance(priority, str) or priority.strip().lower() not in ZENDESK_PRIORITIES:
        raise PayloadError("ticket.priority", "Must be one of urgent, high, normal, low.")
    status = (_text(ticket, "status", "ticket.status") or "new").lower()
    status = STATUS_NAMES.get(status, status)
    if status not in STATUSES:
        raise PayloadError("ticket.status", f"Must be one of {', '.join(sorted(STATUSES))}.")
    created_at = _time(ticket.get("created_at"), "ticket.created_at", now) or now
    requester = _object(ticket, "requester", "ticket.requester")
    email = _text(requester, "email", "ticket.requester.email", max_length=254)
    if email and ("@" not in email or " " in email.strip()):
        raise PayloadError("ticket.requester.email", "Not an e-mail address.")
    organization = ticket.get("organization")
    if isinstance(organization, str):  # lenient: a bare organization name
        organization = {"name": organization}
    organization = _object({"organization": organization}, "organization", "ticket.organization")
    tags = ticket.get("tags") or []
    if isinstance(tags, str):  # Zendesk's {{ticket.tags}} placeholder: space-separated
        tags = tags.split()
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise PayloadError("ticket.tags", "Must be a list of strings.")
    return Incoming(
        source=Ticket.Source.ZENDESK,
        external_id=external_id,
        subject=subject,
        body=_text(ticket, "description", "ticket.description"),
        priority=ZENDESK_PRIORITIES[priority.strip().lower()],
        status=status,
        created_at=created_at,
        requester_name=_text(requester, "name", "ticket.requester.name"),
        requester_email=email,
        organization_name=_text(organization, "name", "ticket.organization.name"),
        tags=tags,
        comment=_comment(ticket, now),
    )
