"""API routes for tickets: the Zendesk webhook and the bearer-token ticket API."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.security import HttpBearer

from accounts.api import api_tier
from accounts.resolve import AmbiguousAccount
from tickets.intake import zendesk as webhooks
from tickets.intake.ingest import ingest
from tickets.intake.schemas import ErrorOut, IdOut, TicketIn, TicketOut
from tickets.models import ApiToken, Ticket
from vipdesk.lib import inbound

router = Router(tags=["tickets"])
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    """Authorization: Bearer <token>, checked against ApiToken (SHA-256, not revoked).
    last_used_at is written at most once a minute per token."""

    def authenticate(self, request, token):
        api_token = (
            ApiToken.objects.filter(token_hash=ApiToken.hash(token), revoked_at__isnull=True)
            .only("pk", "last_used_at")
            .first()
        )
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return api_token


bearer = ApiTokenAuth()


def max_body_bytes() -> int:
    return getattr(settings, "WEBHOOK_MAX_BODY_BYTES", 256 * 1024)


ZENDESK_BODY = {
    "type": "object",
    "required": ["ticket"],
    "properties": {
        "ticket": {
            "type": "object",
            "required": ["id", "subject", "priority"],
            "properties": {
                "id": {"type": ["integer", "string"]},
                "subject": {"type": "string"},
                "description": {"type": "string"},
                "priority": {"type": "string", "enum": ["urgent", "high", "normal", "low"]},
                "status": {
                    "type": "string",
                    "enum": ["new", "open", "pending", "hold", "solved", "closed"],
                },
                "requester": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "email": {"type": "string"}},
                },
                "organization": {
                    "type": ["object", "null"],
                    "properties": {"name": {"type": "string"}},
                },
                "created_at": {"type": "string", "format": "date-time"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "comment": {
                    "type": ["object", "string"],
                    "description": "Optional new comment ({id, body, author: {name, role}}); "
                    "also accepted as latest_comment.",
                },
            },
        }
    },
}


@router.post(
    "/webhooks/zendesk",
    auth=None,
    response={200: IdOut, 201: IdOut, 400: ErrorOut, 401: ErrorOut, 413: ErrorOut},
    summary="Zendesk ticket webhook (HMAC-signed)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ZENDESK_BODY}},
        },
        "parameters": [
            {"in": "header", "name": name, "required": True, "schema": {"type": "string"}}
            for name in ("X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp")
        ],
    },
)
def zendesk_webhook(request: HttpRequest):
    """Body `{"ticket": {...}}`, signed with X-Zendesk-Webhook-Signature(-Timestamp).
    201 with the vipdesk id for a new ticket, 200 for a redelivery (an update)."""
    limit = max_body_bytes()
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return Status(413, {"error": f"Body larger than {limit} bytes."})
    try:
        body = request.body
    except RequestDataTooBig:
        return Status(413, {"error": f"Body larger than {limit} bytes."})
    if len(body) > limit:
        return Status(413, {"error": f"Body larger than {limit} bytes."})
    now = timezone.now()
    error = webhooks.signature_error(
        settings.ZENDESK_WEBHOOK_SECRET,
        request.headers.get("X-Zendesk-Webhook-Signature-Timestamp"),
        request.headers.get("X-Zendesk-Webhook-Signature"),
        body,
        now,
    )
    if error:
        return Status(401, {"error": error})
    try:
        payload = inbound.loads(body)
    except inbound.BadJson as e:
        return Status(400, {"error": str(e), "field": None})
    try:
        incoming = webhooks.parse(payload, now)
    except webhooks.PayloadError as e:
        return Status(400, {"error": e.message, "field": e.field or None})
    result = ingest(incoming)
    return Status(201 if result.created else 200, {"id": result.ticket_id})


@router.post("/tickets", response={200: IdOut, 201: IdOut, 400: ErrorOut})
def create_ticket(request: HttpRequest, payload: TicketIn):
    """Create (201) or update (200) a ticket by `external_id`. `account` is an id, a
    domain or a name; `priority` is P1–P4."""
    try:
        result = ingest(payload.to_incoming(Ticket.Source.API))
    except AmbiguousAccount as error:
        return Status(400, {"error": str(error), "field": "account"})
    return Status(201 if result.created else 200, {"id": result.ticket_id})


@router.get("/tickets/{ticket_id}", response=TicketOut)
def get_ticket(request: HttpRequest, ticket_id: int):
    ticket = get_object_or_404(
        Ticket.objects.select_related("account", "assigned_agent__user"), pk=ticket_id
    )
    return ticket_out(ticket)


def ticket_out(ticket: Ticket) -> dict:
    agent = ticket.assigned_agent
    return {
        "id": ticket.pk,
        "external_id": ticket.external_id,
        "account": {"id": ticket.account.pk, "name": ticket.account.name}
        if ticket.account
        else None,
        "tier": api_tier(ticket.tier),
        "customer_priority": ticket.customer_priority,
        "effective_priority": ticket.effective_priority or None,
        "queue": ticket.queue or None,
        "assigned_agent": {
            "id": agent.pk,
            "name": agent.user.get_full_name() or agent.user.username,
        }
        if agent
        else None,
        "sla_first_response_due": ticket.sla_first_response_due,
        "sla_resolution_due": ticket.sla_resolution_due,
        "churn_signals": ticket.churn_signals or [],
        "sentiment": ticket.sentiment,
        "reasons": ticket.routing_reasons or [],
        "routed": ticket.routed,
    }
